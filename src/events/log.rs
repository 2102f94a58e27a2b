//! The event log: one trait, backends behind it (SQLite here; NATS JetStream later).
//!
//! The log is append-only. Every stored event gets a cursor: a `u64` that starts at 1, strictly
//! increases in append order and is never reused (SQLite: an AUTOINCREMENT rowid; JetStream: the
//! stream sequence). Appends are durable before they return, and deduplicated by RalioPay's
//! event id. Durable named consumers keep an acknowledged position in the log and lease events
//! to their live members (competing consumers, redelivery after an ack-wait).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use ralio_core::webhook::Envelope;
use tokio::sync::watch;

use super::filter::{EventFilter, type_key};
use crate::proto::ralio::v1 as pb;

/// A boxed, sendable future: keeps [`EventLog`] object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A webhook event accepted by the ingest endpoint, before it has a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// RalioPay's event id (`eventId` / `id`): the deduplication key.
    pub id: String,
    /// The event name exactly as sent (`payin_completed`, `payin.completed`, or an unknown one).
    pub type_name: String,
    pub envelope: Envelope,
    /// Envelope `timestamp`, as sent.
    pub occurred_at: String,
    /// User the event concerns (for filtering), when the payload names one.
    pub user_id: Option<String>,
    /// Account the event concerns (for filtering), when the payload names one.
    pub account_id: Option<String>,
    /// The envelope's `data` object, byte for byte as received (UTF-8 JSON).
    pub data: String,
}

/// A stored event: what was appended, plus its cursor and the time it was committed.
#[derive(Debug)]
pub struct LoggedEvent {
    pub cursor: u64,
    /// Commit time, Unix milliseconds; never decreases along the cursor order.
    pub received_at_ms: i64,
    pub event: NewEvent,
    type_key: String,
    /// The proto form, built once per stored copy and shared by every stream that sends it.
    proto: OnceLock<pb::Event>,
    /// `SubscribeResponse { event }` as one gRPC message on the wire, built once per stored
    /// copy and shared (not copied) by every stream that sends it.
    grpc_message: OnceLock<Bytes>,
}

impl LoggedEvent {
    pub fn new(cursor: u64, received_at_ms: i64, event: NewEvent) -> Self {
        Self {
            cursor,
            received_at_ms,
            type_key: type_key(&event.type_name),
            event,
            proto: OnceLock::new(),
            grpc_message: OnceLock::new(),
        }
    }

    /// The event name in the form filters compare (lower case, `.` as `_`).
    pub fn type_key(&self) -> &str {
        &self.type_key
    }

    /// The event as sent to clients (typed payload when the type is known).
    pub fn proto(&self) -> &pb::Event {
        self.proto.get_or_init(|| super::convert::to_proto(self))
    }

    /// `SubscribeResponse { event: self.proto() }` framed as one gRPC message (flag and length
    /// first): what a `Subscribe` stream writes for this event ([`super::frames`]). Cloning it is
    /// a reference count, so a thousand streams send one buffer.
    pub fn grpc_message(&self) -> &Bytes {
        self.grpc_message.get_or_init(|| {
            super::frames::grpc_message(&pb::SubscribeResponse {
                kind: Some(pb::subscribe_response::Kind::Event(self.proto().clone())),
            })
        })
    }
}

/// The result of appending one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The event's cursor (the existing one for a duplicate).
    pub cursor: u64,
    /// The id was already in the log; nothing was stored.
    pub duplicate: bool,
}

/// Events read after a cursor, and how far the read looked: a reader resumes after
/// `scanned_to` even when the filter rejected every event it looked at.
#[derive(Debug, Default)]
pub struct ReadBatch {
    pub events: Vec<Arc<LoggedEvent>>,
    pub scanned_to: u64,
}

/// A storage failure. The message is for logs; callers answer "unavailable".
#[derive(Debug, Clone, thiserror::Error)]
pub enum LogError {
    #[error("event log storage: {0}")]
    Storage(String),
    #[error("the event log is closed")]
    Closed,
    #[error("no durable consumer named `{0}`")]
    UnknownConsumer(String),
    #[error("cursor {cursor} is beyond the head of the log ({head})")]
    BeyondHead { cursor: u64, head: u64 },
}

/// The event log.
pub trait EventLog: Send + Sync + 'static {
    /// Appends events in order; each is durably committed (or found to be a duplicate) before
    /// the future resolves. One outcome per input event, same order.
    fn append(&self, events: Vec<NewEvent>) -> BoxFuture<'_, Result<Vec<AppendOutcome>, LogError>>;

    /// Up to `limit` events with a cursor above `after` that match `filter`, in cursor order.
    /// Looks at a bounded number of events per call (see [`ReadBatch::scanned_to`]).
    fn read_from(
        &self,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> BoxFuture<'_, Result<ReadBatch, LogError>>;

    /// The event with RalioPay id `id`.
    fn get_by_id(&self, id: String) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>>;

    /// The event at `cursor`.
    fn get_by_cursor(
        &self,
        cursor: u64,
    ) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>>;

    /// The cursor of the newest committed event (0 when empty).
    fn latest_cursor(&self) -> u64;

    /// Changes whenever new events are committed; the value is the newest cursor.
    fn watch_head(&self) -> watch::Receiver<u64>;

    /// The cursor to start after so that the first event read is the first one received at or
    /// after `at_ms` (Unix milliseconds).
    fn cursor_before_time(&self, at_ms: i64) -> BoxFuture<'_, Result<u64, LogError>>;

    /// The acknowledged position of durable consumer `name`, if it exists.
    fn position(&self, name: String) -> BoxFuture<'_, Result<Option<u64>, LogError>>;

    /// Acknowledges `cursor` for durable consumer `name` and returns its stored position
    /// (everything at or below it is done). The position never moves back.
    fn ack(&self, name: String, cursor: u64) -> BoxFuture<'_, Result<u64, LogError>>;

    /// Joins durable consumer `name` as one more live member. A consumer that does not exist
    /// yet is created at position `start` with `filter`; an existing one keeps its position.
    fn join(
        &self,
        name: String,
        filter: Arc<EventFilter>,
        start: u64,
        settings: ConsumerSettings,
    ) -> BoxFuture<'_, Result<Box<dyn ConsumerMember>, LogError>>;
}

/// How a durable consumer leases events to its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerSettings {
    /// An event not acknowledged this long after it was handed out goes to a member again.
    pub ack_wait: Duration,
    /// Most unacknowledged events one member holds; more wait for its acks (or other members).
    pub max_in_flight_per_member: usize,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self {
            ack_wait: Duration::from_secs(30),
            max_in_flight_per_member: 256,
        }
    }
}

/// One live member of a durable consumer. Dropping it leaves the consumer; its leased,
/// unacknowledged events go to other members when their ack-wait expires.
pub trait ConsumerMember: Send {
    /// The next events leased to this member (redeliveries first), at most `max`; waits up to
    /// `wait` for some and returns an empty list if none came.
    fn next(
        &mut self,
        max: usize,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Vec<Arc<LoggedEvent>>, LogError>>;
}
