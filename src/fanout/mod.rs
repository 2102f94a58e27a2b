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
//! The port is opt-in (`RALIO_EVENTS_GRPC_ADDR`, `events_grpc_addr`); it does not serve TLS.

mod connection;
mod pipe;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tonic::codegen::{Service, StdError, http};

pub use pipe::RequestBody;

/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves gRPC on `listener` with `service` until `shutdown` turns true (or its sender is
/// dropped): then stops accepting, asks every connection to finish (HTTP/2 GOAWAY) and waits
/// for them. Dropping the future ends every connection at once.
pub async fn serve<S, B>(listener: TcpListener, service: S, shutdown: watch::Receiver<bool>)
where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<StdError>,
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
                    let connection =
                        connection::serve(socket, service.clone(), stopped(shutdown.clone()));
                    // Outside tokio's cooperative budget: the connection polls hundreds of
                    // streams per event and would otherwise have them all report "not yet"
                    // once the budget ran out; its passes are bounded instead
                    // (`connection::MAX_PASSES`).
                    connections.spawn(async move {
                        if let Err(err) = tokio::task::unconstrained(connection).await {
                            tracing::debug!(%peer, error = %err, "events port: connection ended");
                        }
                    });
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

/// Resolves when `receiver` says stop or its sender is gone (a dropped sender also means stop);
/// every server of the gateway waits on it.
pub(crate) async fn stopped(mut receiver: watch::Receiver<bool>) {
    let _ = receiver.wait_for(|stop| *stop).await;
}
