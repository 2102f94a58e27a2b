//! The frames one `Subscribe` stream sends: a plain subscriber following the log, or a member
//! of a durable consumer taking what the consumer leases to it.
//!
//! A feed is a `Stream` polled by the connection's own task for that HTTP/2 stream: no task and
//! no channel of its own. It reads the log from its own position only when the connection can
//! take more (HTTP/2 flow control is the back-pressure; at most one read batch is held), so a
//! slow client is served from storage, never from a growing queue. When caught up it sleeps on
//! the log's head watch, and sends a heartbeat after an idle interval. When the client goes
//! away the connection drops the stream, and with it the watch, the filter and (for a consumer
//! member) its membership: nothing outlives the call.

use std::sync::Arc;
use std::time::Duration;

use futures::stream;
use tokio::sync::watch;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tonic::Status;

use super::convert::timestamp_ms;
use super::filter::EventFilter;
use super::frames::{Frame, FrameStream};
use super::log::{ConsumerMember, EventLog, LogError, LoggedEvent};
use crate::clock::now_ms;
use crate::metrics::OpenStreamGuard;
use crate::proto::ralio::v1 as pb;

/// Events read from the log per step of a stream.
pub const READ_BATCH: usize = 64;

/// Called with a storage failure; returns the status that ends the stream.
pub type OnError = fn(&LogError) -> Status;

fn heartbeat(head: u64) -> Frame {
    Frame::Heartbeat(pb::Heartbeat {
        sent_at: Some(timestamp_ms(now_ms())),
        head_cursor: head,
    })
}

fn idle_ticker(every: Duration) -> Interval {
    let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticker
}

/// State of a plain subscriber's feed.
struct Follow {
    log: Arc<dyn EventLog>,
    filter: Arc<EventFilter>,
    /// Cursor of the last event looked at.
    position: u64,
    head: watch::Receiver<u64>,
    /// Ticks every heartbeat interval; a tick that comes less than an interval after the last
    /// batch is moved to one interval after that batch instead of sending a heartbeat.
    ticker: Interval,
    every: Duration,
    /// When the last batch of events was read for sending.
    last_batch: Instant,
    /// Read but not yet sent, in order.
    pending: std::vec::IntoIter<Arc<LoggedEvent>>,
    on_error: OnError,
    ended: bool,
    /// Counts the stream as open until it is dropped.
    _open: OpenStreamGuard,
}

/// A plain subscriber: everything after `position` that `filter` selects, then the head.
pub fn follow(
    log: Arc<dyn EventLog>,
    filter: Arc<EventFilter>,
    position: u64,
    every: Duration,
    on_error: OnError,
    open: OpenStreamGuard,
) -> FrameStream {
    let state = Follow {
        head: log.watch_head(),
        log,
        filter,
        position,
        ticker: idle_ticker(every),
        every,
        last_batch: Instant::now(),
        pending: Vec::new().into_iter(),
        on_error,
        ended: false,
        _open: open,
    };
    into_stream(state)
}

/// The state of one feed: the next frame, or `None` when the stream ends.
trait Feed: Send + 'static {
    fn next(&mut self) -> impl Future<Output = Option<Result<Frame, Status>>> + Send;
}

/// Frames from `feed` until it ends, as the stream tonic polls.
fn into_stream(feed: impl Feed) -> FrameStream {
    Box::pin(stream::unfold(feed, |mut feed| async move {
        let frame = feed.next().await?;
        Some((frame, feed))
    }))
}

impl Feed for Follow {
    async fn next(&mut self) -> Option<Result<Frame, Status>> {
        if self.ended {
            return None;
        }
        loop {
            if let Some(event) = self.pending.next() {
                return Some(Ok(Frame::Event(event)));
            }
            // Marked seen before reading, so a commit after the read wakes the wait below.
            let head = *self.head.borrow_and_update();
            // At or past the head (the live case, after each event it sends), a stream waits
            // without asking the log: nothing beyond its position has been committed.
            if self.position < head {
                let batch = match self
                    .log
                    .read_from(self.position, Arc::clone(&self.filter), READ_BATCH)
                    .await
                {
                    Ok(batch) => batch,
                    Err(err) => {
                        self.ended = true;
                        return Some(Err((self.on_error)(&err)));
                    }
                };
                let moved = batch.scanned_to > self.position;
                self.position = self.position.max(batch.scanned_to);
                if !batch.events.is_empty() {
                    // Noted, not a timer reset: re-arming a tokio timer takes the time driver's
                    // lock, which 1,000 streams of a busy log would do for every event.
                    self.last_batch = Instant::now();
                    self.pending = batch.events.into_iter();
                    continue;
                }
                if moved {
                    continue;
                }
            }
            if self.wait(head).await? {
                return Some(Ok(heartbeat(self.log.latest_cursor())));
            }
        }
    }
}

impl Follow {
    /// Caught up: waits for a commit after `head` (false) or for a heartbeat to be due after an
    /// idle interval (true); `None` when the log has shut down.
    async fn wait(&mut self, head: u64) -> Option<bool> {
        loop {
            tokio::select! {
                // In this order, without the per-poll random start of an unbiased select.
                biased;
                changed = self.head.changed() => {
                    changed.ok()?;
                    if *self.head.borrow() > head {
                        return Some(false);
                    }
                }
                _ = self.ticker.tick() => {
                    let due = self.last_batch + self.every;
                    if due > Instant::now() {
                        self.ticker.reset_at(due);
                        continue;
                    }
                    return Some(true);
                }
            }
        }
    }
}

/// State of a consumer member's feed.
struct Consume {
    log: Arc<dyn EventLog>,
    member: Box<dyn ConsumerMember>,
    every: Duration,
    pending: std::vec::IntoIter<Arc<LoggedEvent>>,
    on_error: OnError,
    ended: bool,
    /// Counts the stream as open until it is dropped.
    _open: OpenStreamGuard,
}

/// A member of a durable consumer: what the consumer leases to it, heartbeats when idle.
pub fn consume(
    log: Arc<dyn EventLog>,
    member: Box<dyn ConsumerMember>,
    every: Duration,
    on_error: OnError,
    open: OpenStreamGuard,
) -> FrameStream {
    let state = Consume {
        log,
        member,
        every,
        pending: Vec::new().into_iter(),
        on_error,
        ended: false,
        _open: open,
    };
    into_stream(state)
}

impl Feed for Consume {
    async fn next(&mut self) -> Option<Result<Frame, Status>> {
        if self.ended {
            return None;
        }
        if let Some(event) = self.pending.next() {
            return Some(Ok(Frame::Event(event)));
        }
        match self.member.next(READ_BATCH, self.every).await {
            Ok(events) => {
                self.pending = events.into_iter();
                match self.pending.next() {
                    Some(event) => Some(Ok(Frame::Event(event))),
                    None => Some(Ok(heartbeat(self.log.latest_cursor()))),
                }
            }
            Err(err) => {
                self.ended = true;
                Some(Err((self.on_error)(&err)))
            }
        }
    }
}
