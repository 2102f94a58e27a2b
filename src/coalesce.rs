//! Fewer, larger socket writes for `h2`.
//!
//! `h2` writes a DATA frame whose payload is 256 bytes or more on its own: it hands the socket
//! that frame (head and payload as one vectored write) and flushes before it takes the next.
//! An event is a frame of about a kilobyte per subscriber, so an event for 250 streams of one
//! connection was 250 `writev` calls, and as many loopback segments for the client to read:
//! most of the cost of a live delivery. Both gRPC ports put [`Coalesced`] between `h2` and the
//! socket: writes are copied into its buffer, and `h2`'s flushes no longer write each time.
//!
//! - The events port ([`wrap`]) runs its connection's loop itself, so a flush does nothing and
//!   the connection's task drains the buffer ([`Writes::poll_drain`]) at the end of each pass,
//!   when `h2` has written all it can: one write per event per connection. Until
//!   [`Writes::defer`] (after the HTTP/2 handshake) flushes drain at once.
//! - The main port ([`next_poll`]) is served by hyper, whose loop we do not see. A flush wakes
//!   the connection's task and the buffer is drained when the task next reads, which `h2` does
//!   in every poll of an open connection (a closing one drains as it shuts the socket down).
//!   Meanwhile the tasks of other streams that had an event queued run and hand `h2` their
//!   frames, which join the same write; a unary response goes out one poll of its connection
//!   later.
//!
//! Past [`HIGH_WATER`] bytes a write drains first, so the buffer stays bounded and a client
//! that stops reading still pushes back through the socket; a drain that the socket cannot
//! finish wakes the task when it can.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::Connected;

/// Bytes gathered before a write goes to the socket without waiting for the end of the pass.
const HIGH_WATER: usize = 64 * 1024;

/// The events port's socket: split into the side `h2` reads and writes and the side the
/// connection drains.
pub(crate) fn wrap<T>(io: T) -> (Coalesced<T>, Writes<T>) {
    let shared = Arc::new(Mutex::new(Shared::new(io, Flush::Now)));
    (Coalesced(Arc::clone(&shared)), Writes(shared))
}

/// The main port's socket: a flush drains at the task's next poll.
pub(crate) fn next_poll<T>(io: T) -> Coalesced<T> {
    Coalesced(Arc::new(Mutex::new(Shared::new(io, Flush::NextPoll))))
}

/// What a flush from `h2` does.
enum Flush {
    /// Drains at once.
    Now,
    /// Nothing: the owner drains ([`Writes::poll_drain`]).
    Owner,
    /// Wakes the task and drains when it next reads.
    NextPoll,
}

struct Shared<T> {
    io: T,
    /// Bytes not yet written: `pending[written..]`.
    pending: Vec<u8>,
    written: usize,
    flush: Flush,
    /// A flush was asked for and not yet done (`Flush::NextPoll`).
    owed: bool,
}

impl<T> Shared<T> {
    fn new(io: T, flush: Flush) -> Self {
        Self {
            io,
            pending: Vec::new(),
            written: 0,
            flush,
            owed: false,
        }
    }
}

/// The socket as `h2` sees it.
pub(crate) struct Coalesced<T>(Arc<Mutex<Shared<T>>>);

/// The events-port connection's hold on the buffer.
pub(crate) struct Writes<T>(Arc<Mutex<Shared<T>>>);

fn lock<T>(shared: &Mutex<Shared<T>>) -> MutexGuard<'_, Shared<T>> {
    // The lock is only held inside one poll, by one task; a panic there ends the connection,
    // so a poisoned buffer is never looked at again. Taking it anyway keeps this infallible.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<T: AsyncWrite + Unpin> Shared<T> {
    /// Writes out everything gathered (then flushes `io`), or stays `Pending` on the socket.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Pin::new(&mut self.io).poll_flush(cx)
    }

    /// Makes room for a write: drains first once [`HIGH_WATER`] bytes are waiting.
    fn poll_room(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.len() - self.written >= HIGH_WATER {
            ready!(self.poll_drain(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> Writes<T> {
    /// From now on `h2`'s flushes wait for [`Writes::poll_drain`].
    pub(crate) fn defer(&self) {
        lock(&self.0).flush = Flush::Owner;
    }

    /// Writes out what `h2` has written since the last drain.
    pub(crate) fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        lock(&self.0).poll_drain(cx)
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for Coalesced<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut shared = lock(&self.0);
        if shared.owed {
            // `Pending` here waits for the socket to take more (the task is woken then); the
            // read goes ahead meanwhile.
            if let Poll::Ready(drained) = shared.poll_drain(cx) {
                drained?;
                shared.owed = false;
            }
        }
        Pin::new(&mut shared.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Coalesced<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut shared = lock(&self.0);
        ready!(shared.poll_room(cx))?;
        shared.pending.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut shared = lock(&self.0);
        ready!(shared.poll_room(cx))?;
        let mut n = 0;
        for buf in bufs {
            shared.pending.extend_from_slice(buf);
            n += buf.len();
        }
        Poll::Ready(Ok(n))
    }

    /// Vectored writes cost no more than plain ones here (both are copies), and `h2` then
    /// hands over a frame's head and payload in one call.
    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut shared = lock(&self.0);
        match shared.flush {
            Flush::Now => shared.poll_drain(cx),
            Flush::Owner => Poll::Ready(Ok(())),
            Flush::NextPoll => {
                if shared.written < shared.pending.len() && !shared.owed {
                    shared.owed = true;
                    cx.waker().wake_by_ref();
                }
                Poll::Ready(Ok(()))
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut shared = lock(&self.0);
        ready!(shared.poll_drain(cx))?;
        Pin::new(&mut shared.io).poll_shutdown(cx)
    }
}

impl<T: Connected> Connected for Coalesced<T> {
    type ConnectInfo = T::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        lock(&self.0).io.connect_info()
    }
}

/// A socket that counts the writes made to it (for tests of write batching).
#[cfg(test)]
pub(crate) struct CountWrites<T> {
    pub(crate) io: T,
    pub(crate) writes: Arc<std::sync::atomic::AtomicUsize>,
}

#[cfg(test)]
impl<T: AsyncRead + Unpin> AsyncRead for CountWrites<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

#[cfg(test)]
impl<T: AsyncWrite + Unpin> AsyncWrite for CountWrites<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write(cx, buf);
        if written.is_ready() {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
impl<T> Connected for CountWrites<T> {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use futures::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::Duration;

    use bytes::Bytes;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tonic::codegen::http;
    use tonic_health::ServingStatus;

    use super::{Coalesced, CountWrites, HIGH_WATER, next_poll, wrap};

    #[derive(Default)]
    struct CountWakes(AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[tokio::test]
    async fn on_the_main_port_a_flush_wakes_the_task_and_its_next_read_drains() {
        let (mut peer, io) = tokio::io::duplex(1024 * 1024);
        let mut socket = next_poll(io);
        let wakes = Arc::new(CountWakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);

        for frame in [&b"one"[..], b"two", b"three"] {
            let written = std::pin::Pin::new(&mut socket).poll_write(&mut cx, frame);
            assert!(matches!(written, Poll::Ready(Ok(n)) if n == frame.len()));
            let flushed = std::pin::Pin::new(&mut socket).poll_flush(&mut cx);
            assert!(matches!(flushed, Poll::Ready(Ok(()))));
        }
        // One wake for the three flushes, and nothing on the socket yet.
        assert_eq!(wakes.0.load(Ordering::Relaxed), 1);
        let mut probe = [0u8; 1];
        let nothing = tokio::time::timeout(Duration::from_millis(50), peer.read(&mut probe)).await;
        assert!(
            nothing.is_err(),
            "bytes reached the socket before the next read"
        );

        // The task's next poll reads (nothing has come in): that sends all three at once.
        let mut space = [0u8; 16];
        let mut buf = ReadBuf::new(&mut space);
        assert!(
            std::pin::Pin::new(&mut socket)
                .poll_read(&mut cx, &mut buf)
                .is_pending()
        );
        let mut got = [0u8; 11];
        peer.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"onetwothree");
        // A flush with nothing left to send asks for no poll.
        let flushed = std::pin::Pin::new(&mut socket).poll_flush(&mut cx);
        assert!(matches!(flushed, Poll::Ready(Ok(()))));
        assert_eq!(wakes.0.load(Ordering::Relaxed), 1);
    }

    /// `Watch` streams of tonic's health service (one task each under hyper, as every stream
    /// of the main port) on one connection over `socket`; the socket writes per status change.
    async fn health_watch_writes_per_update<F>(wrap_socket: F) -> f64
    where
        F: FnOnce(
            CountWrites<tokio::io::DuplexStream>,
        ) -> Coalesced<CountWrites<tokio::io::DuplexStream>>,
    {
        const STREAMS: usize = 50;
        const UPDATES: usize = 10;
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter
            .set_service_status("svc", ServingStatus::Serving)
            .await;
        let (client_io, server_io) = tokio::io::duplex(4 * 1024 * 1024);
        let writes = Arc::new(AtomicUsize::new(0));
        let socket = wrap_socket(CountWrites {
            io: server_io,
            writes: Arc::clone(&writes),
        });
        let incoming = futures::stream::iter([Ok::<_, std::io::Error>(socket)])
            .chain(futures::stream::pending());
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(health)
                .serve_with_incoming(incoming),
        );
        let (mut client, connection) = h2::client::Builder::new()
            .handshake::<_, Bytes>(client_io)
            .await
            .expect("h2");
        tokio::spawn(connection);
        // HealthCheckRequest { service: "svc" }, as one gRPC message.
        let message = Bytes::from_static(&[0, 0, 0, 0, 5, 0x0a, 3, b's', b'v', b'c']);
        let mut bodies = Vec::new();
        for _ in 0..STREAMS {
            let request = http::Request::post("http://localhost/grpc.health.v1.Health/Watch")
                .header("content-type", "application/grpc")
                .header("te", "trailers")
                .body(())
                .expect("request");
            let (response, mut send) = client.send_request(request, false).expect("open");
            send.send_data(message.clone(), true).expect("send");
            let mut body = response.await.expect("response headers").into_body();
            body.data()
                .await
                .expect("the current status")
                .expect("data");
            bodies.push(body);
        }

        let before = writes.load(Ordering::Relaxed);
        for update in 0..UPDATES {
            let status = if update % 2 == 0 {
                ServingStatus::NotServing
            } else {
                ServingStatus::Serving
            };
            reporter.set_service_status("svc", status).await;
            for body in &mut bodies {
                let data = body.data().await.expect("an update").expect("data");
                let _ = body.flow_control().release_capacity(data.len());
            }
        }
        (writes.load(Ordering::Relaxed) - before) as f64 / UPDATES as f64
    }

    // One worker, as each core of the gateway: a stream's task hands `h2` its frame and wakes
    // the connection's task, which tokio runs next (its LIFO slot), before the other streams.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn on_the_main_port_an_update_for_many_streams_is_a_few_socket_writes() {
        let unbatched = health_watch_writes_per_update(|io| wrap(io).0).await;
        let batched = health_watch_writes_per_update(next_poll).await;
        // Measured: 50 unbatched (one per stream), 2-4 batched.
        assert!(
            batched <= 10.0 && batched * 4.0 <= unbatched,
            "socket writes per update for 50 streams: {unbatched} unbatched, {batched} batched"
        );
    }

    #[tokio::test]
    async fn writes_wait_for_the_drain_once_deferred_and_pass_through_before() {
        let (mut peer, io) = tokio::io::duplex(1024 * 1024);
        let (mut coalesced, writes) = wrap(io);

        // Before `defer`, a flush writes at once (the handshake's SETTINGS must go out).
        coalesced.write_all(b"hello").await.expect("write");
        coalesced.flush().await.expect("flush");
        let mut got = [0u8; 5];
        peer.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"hello");

        // After it, writes and flushes leave the socket untouched until the drain.
        writes.defer();
        for _ in 0..100 {
            coalesced.write_all(b"frame").await.expect("write");
            coalesced.flush().await.expect("flush");
        }
        let mut probe = [0u8; 1];
        let nothing =
            tokio::time::timeout(std::time::Duration::from_millis(50), peer.read(&mut probe)).await;
        assert!(
            nothing.is_err(),
            "bytes reached the socket before the drain"
        );
        poll_fn(|cx| writes.poll_drain(cx)).await.expect("drain");
        let mut all = vec![0u8; 500];
        peer.read_exact(&mut all).await.expect("read");
        assert_eq!(all, b"frame".repeat(100));
    }

    #[tokio::test]
    async fn a_full_buffer_writes_through_and_a_full_socket_pushes_back() {
        // The socket takes 16 KiB and its reader is not reading.
        let (mut peer, io) = tokio::io::duplex(16 * 1024);
        let (mut coalesced, writes) = wrap(io);
        writes.defer();
        let chunk = vec![7u8; 4096];
        let mut accepted = 0;
        loop {
            let write = tokio::time::timeout(
                std::time::Duration::from_millis(50),
                coalesced.write(&chunk),
            );
            match write.await {
                Ok(result) => accepted += result.expect("write"),
                Err(_) => break,
            }
            assert!(accepted < 4 * HIGH_WATER, "the buffer grew without bound");
        }
        // The buffer holds at most HIGH_WATER plus one write, the socket the rest.
        assert!(accepted >= HIGH_WATER, "accepted only {accepted}");
        assert!(accepted <= HIGH_WATER + 16 * 1024 + chunk.len());

        // Once the reader reads, everything accepted arrives, in order and once.
        let reader = tokio::spawn(async move {
            let mut got = vec![0u8; accepted];
            peer.read_exact(&mut got).await.expect("read");
            got
        });
        poll_fn(|cx| writes.poll_drain(cx)).await.expect("drain");
        let got = reader.await.expect("reader");
        assert!(got.iter().all(|&byte| byte == 7));
    }
}
