//! HTTP/2 keep-alive on both gRPC ports (`[keepalive]`): a subscriber whose client answers the
//! server's pings keeps its idle stream; one whose client stops answering (its host gone
//! without closing the socket) has its connection closed and its stream freed within the
//! interval plus the timeout, on the main port (tonic/hyper) and on the events port (ours).

mod common;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use common::{EnvOptions, TOKEN_ALL, TestEnv, metric};
use prost::Message;
use ralio_gateway::config::KeepaliveSettings;
use ralio_gateway::proto::ralio::v1 as pb;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

const OPEN: &str = "ralio_gateway_event_streams_open";

/// A socket that can be made to stop reading and writing while staying open: a client whose
/// process hangs, or whose host vanished, as the server sees it.
struct Freezable {
    socket: TcpStream,
    frozen: Arc<AtomicBool>,
}

impl AsyncRead for Freezable {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.frozen.load(Ordering::Acquire) {
            return Poll::Pending;
        }
        Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl AsyncWrite for Freezable {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.frozen.load(Ordering::Acquire) {
            return Poll::Pending;
        }
        Pin::new(&mut self.socket).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.frozen.load(Ordering::Acquire) {
            return Poll::Pending;
        }
        Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

/// Opens a raw HTTP/2 connection to `addr` and one `Subscribe` stream on it (from the head, no
/// heartbeats for a minute); returns the switch that freezes the client and the open stream.
async fn subscriber(addr: std::net::SocketAddr) -> (Arc<AtomicBool>, h2::RecvStream) {
    let frozen = Arc::new(AtomicBool::new(false));
    let socket = Freezable {
        socket: TcpStream::connect(addr).await.expect("connect"),
        frozen: Arc::clone(&frozen),
    };
    let (mut client, connection) = h2::client::handshake(socket).await.expect("h2 handshake");
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://{addr}/ralio.v1.EventsService/Subscribe"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {TOKEN_ALL}"))
        .body(())
        .expect("request");
    let (response, mut body) = client.send_request(request, false).expect("stream opens");
    let message = pb::SubscribeRequest {
        heartbeat_interval: Some(prost_types::Duration {
            seconds: 60,
            nanos: 0,
        }),
        ..Default::default()
    }
    .encode_to_vec();
    let mut frame = BytesMut::with_capacity(5 + message.len());
    frame.put_u8(0);
    frame.put_u32(u32::try_from(message.len()).expect("small"));
    frame.put_slice(&message);
    body.send_data(Bytes::from(frame), true)
        .expect("request body");
    let response = tokio::time::timeout(Duration::from_secs(10), response)
        .await
        .expect("response headers in time")
        .expect("response headers");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("grpc-status").is_none(),
        "Subscribe refused: {:?}",
        response.headers()
    );
    (frozen, response.into_body())
}

/// Polls the open-streams gauge until it reads `expected`; panics with `what` after `within`.
async fn wait_for_open(env: &TestEnv, expected: f64, within: Duration, what: &str) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let open = metric(env, OPEN).await.unwrap_or(0.0);
        if open == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {open} streams open after {within:?}, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn both_ports_close_a_connection_whose_client_stops_answering_pings() {
    let interval = Duration::from_millis(200);
    let timeout = Duration::from_millis(300);
    let env = TestEnv::start_with(EnvOptions {
        gateway: Box::new(move |config| {
            config.keepalive = KeepaliveSettings {
                interval: Some(interval),
                timeout,
            };
        }),
        ..EnvOptions::default()
    })
    .await;
    let ports = [
        ("main port", env.gateway.grpc_addr()),
        (
            "events port",
            env.gateway.events_grpc_addr().expect("events port"),
        ),
    ];
    for (port, addr) in ports {
        let (frozen, _stream) = subscriber(addr).await;
        wait_for_open(&env, 1.0, Duration::from_secs(5), port).await;
        // Idle but answering: several intervals pass and the stream stays.
        tokio::time::sleep(interval * 6).await;
        assert_eq!(
            metric(&env, OPEN).await,
            Some(1.0),
            "{port}: an idle stream whose client answers pings was closed"
        );
        // The client stops answering: freed within an interval and a timeout (plus slack).
        frozen.store(true, Ordering::Release);
        wait_for_open(&env, 0.0, Duration::from_secs(5), port).await;
    }
}
