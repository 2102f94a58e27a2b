//! One socket write per pass of a connection instead of one per frame.
//!
//! `h2` writes a DATA frame whose payload is 256 bytes or more on its own: it hands the socket
//! that frame (head and payload as one vectored write) and flushes before it takes the next.
//! An event is a frame of about a kilobyte per subscriber, so an event for 250 streams of one
//! connection was 250 `writev` calls, and as many loopback segments for the client to read:
//! most of the port's CPU. [`wrap`] puts a buffer between `h2` and the socket: writes are
//! copied into it and `h2`'s flushes do nothing, and the connection's task drains it
//! ([`Writes::poll_drain`]) at the end of each pass, when `h2` has written all it can. Past
//! [`HIGH_WATER`] bytes a write drains first, so the buffer stays bounded and a client that
//! stops reading still pushes back through the socket. Until [`Writes::defer`] is called
//! (after the HTTP/2 handshake) flushes pass straight through.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Bytes gathered before a write goes to the socket without waiting for the end of the pass.
pub(super) const HIGH_WATER: usize = 64 * 1024;

/// Splits `io` into the side `h2` reads and writes and the side the connection drains.
pub(super) fn wrap<T>(io: T) -> (Coalesced<T>, Writes<T>) {
    let shared = Arc::new(Mutex::new(Shared {
        io,
        pending: Vec::new(),
        written: 0,
        deferred: false,
    }));
    (Coalesced(Arc::clone(&shared)), Writes(shared))
}

struct Shared<T> {
    io: T,
    /// Bytes not yet written: `pending[written..]`.
    pending: Vec<u8>,
    written: usize,
    /// Whether `poll_flush` waits for the connection's drain (after the handshake).
    deferred: bool,
}

/// The socket as `h2` sees it.
pub(super) struct Coalesced<T>(Arc<Mutex<Shared<T>>>);

/// The connection's hold on the buffer.
pub(super) struct Writes<T>(Arc<Mutex<Shared<T>>>);

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
    pub(super) fn defer(&self) {
        lock(&self.0).deferred = true;
    }

    /// Writes out what `h2` has written since the last drain.
    pub(super) fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        lock(&self.0).poll_drain(cx)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Coalesced<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut lock(&self.0).io).poll_read(cx, buf)
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
        if shared.deferred {
            Poll::Ready(Ok(()))
        } else {
            shared.poll_drain(cx)
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut shared = lock(&self.0);
        ready!(shared.poll_drain(cx))?;
        Pin::new(&mut shared.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::{HIGH_WATER, wrap};

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
