//! The events port: gRPC served straight on the `h2` crate, so that live fan-out costs one
//! task wake-up per HTTP/2 connection instead of one per subscriber (spec/NOTES.md D32).
//!
//! The main gRPC port runs on tonic's server (hyper), which gives every response stream a task
//! of its own: an event sent to 1,000 subscribers is 1,000 wake-ups, each of which then wakes
//! its connection's task to write. Here each connection is one task ([`connection`]) that owns
//! its `Subscribe` responses: a new event wakes it once, it polls the streams that have
//! something to send and writes their frames in the same pass. Every other request (`Ack`,
//! `ListEvents`, `GetEvent`, health, reflection) gets a task of its own, as on the main port.
//! Both kinds go through the same tower stack as the main port (request context, metrics,
//! auth) and the same `EventsService`, so filters, start positions, durable consumers,
//! heartbeats and catch-up from storage behave exactly as there; [`pipe`] moves requests and
//! responses between `h2` and that stack, with HTTP/2 flow control as the back-pressure.
//!
//! The port is opt-in (`RALIO_EVENTS_GRPC_ADDR`, `events_grpc_addr`). With TLS configured it
//! serves TLS as the main port does (same certificate, same client verification).

mod connection;
mod keepalive;
mod pipe;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinSet, unconstrained};
use tonic::codegen::{Service, StdError, http};

use crate::config::KeepaliveSettings;
use crate::tls::TlsAcceptor;

pub use pipe::RequestBody;

/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What the port serves: the gateway's tower stack (layers over tonic's routes), called from
/// the task of its connection or a task of its own.
pub trait PortService<B>:
    Service<
        http::Request<RequestBody>,
        Response = http::Response<B>,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S, B> PortService<B> for S where
    S: Service<
            http::Request<RequestBody>,
            Response = http::Response<B>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// A response body the port can send.
pub trait ResponseBody:
    http_body::Body<Data = Bytes, Error: Into<StdError>> + Send + 'static
{
}

impl<B> ResponseBody for B where
    B: http_body::Body<Data = Bytes, Error: Into<StdError>> + Send + 'static
{
}

/// How the port serves its connections.
#[derive(Clone, Default)]
pub struct Options {
    /// Serve TLS (the main port's certificate and client verification).
    pub tls: Option<TlsAcceptor>,
    /// HTTP/2 pings, and how long a client has to answer one.
    pub keepalive: KeepaliveSettings,
}

/// Serves gRPC on `listener` with `service` (as `options` say) until `shutdown` turns true
/// (or its sender is dropped): then stops accepting, asks every connection to finish (HTTP/2
/// GOAWAY) and waits for them. Dropping the future ends every connection at once.
pub async fn serve<S, B>(
    listener: TcpListener,
    options: Options,
    service: S,
    shutdown: watch::Receiver<bool>,
) where
    S: PortService<B>,
    B: ResponseBody,
{
    let mut connections = JoinSet::new();
    let mut stop = std::pin::pin!(stopped(shutdown.clone()));
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => {
                    // Small frames (one event) go out at once.
                    let _ = socket.set_nodelay(true);
                    connections.spawn(connect(
                        socket,
                        peer,
                        options.clone(),
                        service.clone(),
                        shutdown.clone(),
                    ));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "events port: accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            // Reaps finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Serves one accepted connection to its end: the TLS handshake first if the port has TLS
/// (abandoned if the port stops meanwhile), then HTTP/2.
///
/// The connection runs outside tokio's cooperative budget: it polls hundreds of streams per
/// event and would otherwise have them all report "not yet" once the budget ran out; its
/// passes are bounded instead (`connection::MAX_PASSES`).
async fn connect<S, B>(
    socket: TcpStream,
    peer: SocketAddr,
    options: Options,
    service: S,
    shutdown: watch::Receiver<bool>,
) where
    S: PortService<B>,
    B: ResponseBody,
{
    let stop = stopped(shutdown.clone());
    let keepalive = options.keepalive;
    let served = match options.tls {
        None => unconstrained(connection::serve(socket, service, keepalive, stop)).await,
        Some(tls) => {
            let handshake = tokio::select! {
                () = stopped(shutdown) => return,
                handshake = tls.accept(socket) => handshake,
            };
            match handshake {
                Ok(socket) => {
                    unconstrained(connection::serve(socket, service, keepalive, stop)).await
                }
                Err(err) => {
                    tracing::debug!(%peer, error = %err, "events port: TLS handshake failed");
                    return;
                }
            }
        }
    };
    if let Err(err) = served {
        tracing::debug!(%peer, error = %err, "events port: connection ended");
    }
}

/// Resolves when `receiver` says stop or its sender is gone (a dropped sender also means stop);
/// every server of the gateway waits on it.
pub(crate) async fn stopped(mut receiver: watch::Receiver<bool>) {
    let _ = receiver.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::Full;
    use tonic::codegen::http;

    use super::{RequestBody, connection};
    use crate::coalesce::CountWrites;
    use crate::events::frames::SUBSCRIBE_PATH;

    /// A service that answers `/fast` at once (grpc-status 0) and never answers anything else.
    fn service() -> impl tower::Service<
        http::Request<RequestBody>,
        Response = http::Response<Full<Bytes>>,
        Error = Infallible,
        Future = impl Send,
    > + Clone
    + Send
    + 'static {
        tower::service_fn(|request: http::Request<RequestBody>| async move {
            if request.uri().path() != "/fast" {
                std::future::pending::<()>().await;
            }
            let response = http::Response::builder()
                .header("content-type", "application/grpc")
                .header("grpc-status", "0")
                .body(Full::new(Bytes::new()))
                .expect("response");
            Ok::<_, Infallible>(response)
        })
    }

    /// Serves `socket` as one events-port connection (default keep-alive, never stopped).
    fn spawn_connection<T, S, B>(socket: T, service: S)
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
        S: super::PortService<B>,
        B: super::ResponseBody,
    {
        tokio::spawn(connection::serve(
            socket,
            service,
            Default::default(),
            std::future::pending::<()>(),
        ));
    }

    /// Sends `path` with an optional `grpc-timeout` on `client`; the response's `grpc-status`,
    /// or `None` if there is no response within `wait`.
    async fn call(
        client: &mut h2::client::SendRequest<Bytes>,
        path: &str,
        timeout: Option<&str>,
        wait: Duration,
    ) -> Option<String> {
        let mut request = http::Request::post(format!("http://localhost{path}"))
            .header("content-type", "application/grpc")
            .header("te", "trailers");
        if let Some(timeout) = timeout {
            request = request.header("grpc-timeout", timeout);
        }
        let (response, _body) = client
            .send_request(request.body(()).expect("request"), false)
            .expect("stream opens");
        let response = tokio::time::timeout(wait, response).await.ok()?;
        let response = response.expect("response headers");
        let status = response.headers().get("grpc-status").expect("grpc-status");
        Some(status.to_str().expect("ascii").to_owned())
    }

    #[tokio::test]
    async fn a_call_still_unanswered_at_its_grpc_timeout_is_answered_deadline_exceeded() {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        spawn_connection(server_io, service());
        let (mut client, h2_connection) = h2::client::handshake(client_io).await.expect("h2");
        tokio::spawn(h2_connection);
        let wait = Duration::from_secs(10);

        // DEADLINE_EXCEEDED is 4; a call that answers in time is not affected by its deadline.
        assert_eq!(
            call(&mut client, "/slow", Some("100m"), wait)
                .await
                .as_deref(),
            Some("4")
        );
        assert_eq!(
            call(&mut client, "/fast", Some("100m"), wait)
                .await
                .as_deref(),
            Some("0")
        );
        // Without a deadline the same call is still waiting well after 100 ms.
        assert_eq!(
            call(&mut client, "/slow", None, Duration::from_millis(500)).await,
            None
        );
    }

    /// A response body that never ends: 16 KiB frames, counting how many were taken from it.
    struct Endless(Arc<AtomicUsize>);

    impl http_body::Body for Endless {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            self.0.fetch_add(1, Ordering::Relaxed);
            std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![
                0u8;
                16 * 1024
            ])))))
        }
    }

    #[tokio::test]
    async fn a_stream_whose_client_stops_reading_is_held_by_flow_control_not_buffered() {
        let produced = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&produced);
        let service = tower::service_fn(move |_request: http::Request<RequestBody>| {
            let body = Endless(Arc::clone(&counter));
            async move { Ok::<_, Infallible>(http::Response::new(body)) }
        });
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        spawn_connection(server_io, service);
        // A client with 64 KiB windows that does not read at first.
        let (mut client, h2_connection) = h2::client::Builder::new()
            .initial_window_size(64 * 1024)
            .initial_connection_window_size(64 * 1024)
            .handshake::<_, Bytes>(client_io)
            .await
            .expect("h2");
        tokio::spawn(h2_connection);
        // The path of `Subscribe`: the stream is polled by the connection's task itself.
        let request = http::Request::post(format!("http://localhost{SUBSCRIBE_PATH}"))
            .body(())
            .expect("request");
        let (response, _) = client.send_request(request, true).expect("stream opens");
        let mut body = response.await.expect("response headers").into_body();

        // Whatever the window and h2's send buffer hold, then nothing more: with no
        // back-pressure the endless body would be drained as fast as it can be polled.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let stalled = produced.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            produced.load(Ordering::Relaxed),
            stalled,
            "polled while stalled"
        );
        let bound = (64 * 1024 + connection::MAX_SEND_BUFFER) / (16 * 1024) + 2;
        assert!(
            stalled <= bound,
            "{stalled} frames taken, at most {bound} expected"
        );

        // Reading (and giving the window back) lets it go on.
        let mut read = 0;
        while read < 1024 * 1024 {
            let chunk = body.data().await.expect("more data").expect("data");
            read += chunk.len();
            let _ = body.flow_control().release_capacity(chunk.len());
        }
        assert!(produced.load(Ordering::Relaxed) > stalled + 32);
    }

    #[tokio::test]
    async fn an_event_for_every_stream_of_a_connection_is_one_socket_write() {
        const STREAMS: usize = 50;
        const EVENTS: usize = 10;
        // Every stream sends a 1 KiB frame per broadcast message, as `Subscribe` sends an event.
        let (events, _) = tokio::sync::broadcast::channel::<Bytes>(EVENTS);
        let subscribe = events.clone();
        let service = tower::service_fn(move |_request: http::Request<RequestBody>| {
            let receiver = subscribe.subscribe();
            async move {
                let frames = futures::stream::unfold(receiver, |mut receiver| async move {
                    let event = receiver.recv().await.ok()?;
                    Some((Ok::<_, Infallible>(http_body::Frame::data(event)), receiver))
                });
                Ok::<_, Infallible>(http::Response::new(http_body_util::StreamBody::new(frames)))
            }
        });
        let (client_io, server_io) = tokio::io::duplex(4 * 1024 * 1024);
        let writes = Arc::new(AtomicUsize::new(0));
        let counted = CountWrites {
            io: server_io,
            writes: Arc::clone(&writes),
        };
        spawn_connection(counted, service);
        let (mut client, h2_connection) = h2::client::Builder::new()
            .handshake::<_, Bytes>(client_io)
            .await
            .expect("h2");
        tokio::spawn(h2_connection);
        let mut bodies = Vec::new();
        for _ in 0..STREAMS {
            let request = http::Request::post(format!("http://localhost{SUBSCRIBE_PATH}"))
                .body(())
                .expect("request");
            let (response, _) = client.send_request(request, true).expect("stream opens");
            bodies.push(response.await.expect("response headers").into_body());
        }

        let before = writes.load(Ordering::Relaxed);
        for event in 0..EVENTS {
            events
                .send(Bytes::from(vec![event as u8; 1024]))
                .expect("subscribers");
            for body in &mut bodies {
                let frame = body.data().await.expect("a frame").expect("data");
                assert_eq!(frame.len(), 1024);
                assert!(frame.iter().all(|&byte| byte == event as u8));
                let _ = body.flow_control().release_capacity(frame.len());
            }
        }
        // One write per event (this runtime has one thread, so the connection's task runs once
        // the event has reached every stream); h2 alone writes each frame on its own (500).
        let per_event = (writes.load(Ordering::Relaxed) - before) as f64 / EVENTS as f64;
        assert!(
            per_event <= 1.5,
            "{per_event} socket writes per event for {STREAMS} streams"
        );
    }
}
