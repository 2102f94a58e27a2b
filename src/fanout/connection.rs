//! One HTTP/2 connection of the events port, served by one task.
//!
//! The task owns the connection's `Subscribe` responses in a `FuturesUnordered`: a commit
//! wakes every stream at the head, which only queues that stream in the set and wakes this
//! task (once, however many streams); the task then polls the queued streams, each of which
//! hands its frame to `h2`, and `poll_accept` writes them all in the same pass, into a buffer
//! that goes to the socket when the pass ends ([`crate::coalesce`]). Other calls are spawned,
//! as hyper would: a slow `ListEvents` must not hold up the connection's streams.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker, ready};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite};

use super::keepalive::Keepalive;
use super::pipe;
use super::{PortService, ResponseBody};
use crate::coalesce;
use crate::config::KeepaliveSettings;
use crate::events::frames::SUBSCRIBE_PATH;

/// Stream and connection flow-control windows (as hyper sets them for tonic).
const WINDOW: u32 = 1024 * 1024;
/// Most passes over the woken streams before their frames are written (see [`Rewake`]).
pub(super) const MAX_PASSES: usize = 16;
/// Streams one connection may have open at once.
pub const MAX_STREAMS: u32 = 16_384;
/// Largest request header block accepted (hyper's default).
const MAX_HEADER_LIST: u32 = 16 * 1024;
/// Most data `h2` buffers per stream beyond what the client's window lets it send.
pub(super) const MAX_SEND_BUFFER: usize = 400 * 1024;

/// Serves one connection until the client closes it, it fails, a ping goes unanswered
/// (`keepalive`), or `stop` resolves and its calls finish (GOAWAY first, so the client opens no
/// new ones).
pub(super) async fn serve<T, S, B>(
    socket: T,
    service: S,
    keepalive: KeepaliveSettings,
    stop: impl Future<Output = ()>,
) -> Result<(), Ended>
where
    T: AsyncRead + AsyncWrite + Unpin,
    S: PortService<B>,
    B: ResponseBody,
{
    let (socket, writes) = coalesce::wrap(socket);
    let mut connection = h2::server::Builder::new()
        .initial_window_size(WINDOW)
        .initial_connection_window_size(WINDOW)
        .max_concurrent_streams(MAX_STREAMS)
        .max_header_list_size(MAX_HEADER_LIST)
        .max_send_buffer_size(MAX_SEND_BUFFER)
        .handshake(socket)
        .await?;
    writes.defer();
    let mut keepalive = Keepalive::new(connection.ping_pong(), keepalive);
    let mut subscriptions: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
    let rewake = Arc::new(Rewake::default());
    let streams_waker = Waker::from(Arc::clone(&rewake));
    let mut stop = pin!(stop);
    let mut draining = false;
    poll_fn(move |cx| {
        if !draining && stop.as_mut().poll(cx).is_ready() {
            connection.graceful_shutdown();
            draining = true;
        }
        if keepalive.poll_dead(cx).is_ready() {
            tracing::debug!("events port: a ping went unanswered; closing the connection");
            return Poll::Ready(Ok(()));
        }
        loop {
            // Streams first: what they queue, `poll_accept` writes in this same pass.
            rewake.poll_all(&mut subscriptions, &streams_waker, cx);
            match connection.poll_accept(cx) {
                Poll::Ready(Some(Ok((request, respond)))) => {
                    let local = request.uri().path() == SUBSCRIBE_PATH;
                    let answer = pipe::answer(service.clone(), request, respond);
                    if local {
                        subscriptions.push(Box::pin(answer));
                    } else {
                        tokio::spawn(answer);
                    }
                }
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Err(err.into())),
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => {
                    // `h2` has written all it can: send it.
                    ready!(writes.poll_drain(cx))?;
                    return Poll::Pending;
                }
            }
        }
    })
    .await
}

/// Why a connection ended other than by closing normally.
#[derive(Debug, thiserror::Error)]
pub(super) enum Ended {
    #[error(transparent)]
    Http2(#[from] h2::Error),
    #[error("writing to the socket: {0}")]
    Write(#[from] std::io::Error),
}

/// The waker the connection's streams wake: notes that a stream was woken, then wakes the
/// connection's task.
///
/// `FuturesUnordered` stops a pass early, and reports `Pending`, once two of its futures wake
/// themselves while being polled, which a stream does whenever `h2` grants it capacity at once.
/// Writing after each such short pass turned one event into dozens of small socket writes per
/// connection. With this waker the connection sees that streams are still ready and polls
/// again (up to [`MAX_PASSES`]), so an event's frames for all of its streams go out together.
#[derive(Default)]
struct Rewake {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Rewake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl Rewake {
    /// Polls `streams` (with `waker`, built from `self`) until none is ready, or for at most
    /// [`MAX_PASSES`] passes; the connection's task (`cx`) is woken if some still are.
    fn poll_all(
        &self,
        streams: &mut FuturesUnordered<BoxFuture<'static, ()>>,
        waker: &Waker,
        cx: &mut Context<'_>,
    ) {
        self.task.register(cx.waker());
        let mut streams_cx = Context::from_waker(waker);
        for _ in 0..MAX_PASSES {
            self.woken.store(false, Ordering::Release);
            while let Poll::Ready(Some(())) = streams.poll_next_unpin(&mut streams_cx) {}
            if !self.woken.swap(false, Ordering::AcqRel) {
                return;
            }
        }
    }
}
