//! `ralio.v1.EventsService` (spec/NOTES.md D20, D25): live and replayed event streams, durable
//! consumers, listing and lookup. Every RPC needs the `events:subscribe` scope.
//!
//! What a stream sends comes from [`super::feed`]: read from the log at the stream's own
//! position, polled by the connection, dropped with it when the client goes away.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tonic::{Code, Request, Response, Status};

use super::feed;
use super::filter::{EventFilter, FilterError};
use super::frames::{self, EventsRoutes, FrameStream};
use super::log::{ConsumerSettings, EventLog, LogError};
use crate::auth::{Scope, require_scope};
use crate::metrics::Metrics;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::events_service_server::EventsService;
use crate::status;

/// Default and bounds of `page_size` (D20).
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;
/// Events one ListEvents call looks at, at most, before answering `has_more` with what it has.
const LIST_SCAN_LIMIT: u64 = 100_000;
/// Bounds of `heartbeat_interval` (D20).
const MIN_HEARTBEAT: Duration = Duration::from_secs(1);
const MAX_HEARTBEAT: Duration = Duration::from_secs(300);
/// Longest durable consumer name (D20).
const MAX_CONSUMER_NAME: usize = 64;

/// Stream-side settings.
#[derive(Debug, Clone, Copy)]
pub struct StreamSettings {
    /// Heartbeat interval when the request gives none.
    pub heartbeat: Duration,
    pub consumer: ConsumerSettings,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(15),
            consumer: ConsumerSettings::default(),
        }
    }
}

/// The service.
#[derive(Clone)]
pub struct Events {
    log: Arc<dyn EventLog>,
    settings: StreamSettings,
    metrics: Metrics,
}

impl Events {
    pub fn new(log: Arc<dyn EventLog>, settings: StreamSettings, metrics: Metrics) -> Self {
        Self {
            log,
            settings,
            metrics,
        }
    }

    /// The service as the gateway mounts it: `Subscribe` sends shared, pre-encoded events
    /// ([`super::frames`]); the other methods go through the generated server.
    pub fn routes(self) -> EventsRoutes {
        EventsRoutes::new(self)
    }
}

type SubscribeStream = Pin<Box<dyn Stream<Item = Result<pb::SubscribeResponse, Status>> + Send>>;

fn unavailable(err: &LogError) -> Status {
    tracing::error!(error = %err, "event log unavailable");
    status::gateway_error(
        Code::Unavailable,
        "EVENT_LOG_UNAVAILABLE",
        "the event log is unavailable; retry later",
    )
}

fn invalid(field: &str, description: impl Into<String>) -> Status {
    status::invalid_argument([(field.to_owned(), description.into())])
}

fn filter_of(filter: Option<&pb::EventFilter>) -> Result<Arc<EventFilter>, Status> {
    let Some(filter) = filter else {
        return Ok(Arc::new(EventFilter::default()));
    };
    EventFilter::new(&filter.types, &filter.user_id, &filter.account_id)
        .map(Arc::new)
        .map_err(|err: FilterError| {
            let field = match err.index() {
                Some(index) => format!("filter.types[{index}]"),
                None => "filter.types".to_owned(),
            };
            invalid(&field, err.to_string())
        })
}

fn consumer_name(name: &str, field: &str) -> Result<(), Status> {
    let valid = !name.is_empty()
        && name.len() <= MAX_CONSUMER_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(invalid(
            field,
            "must be 1 to 64 characters of letters, digits, `_`, `.` and `-`",
        ))
    }
}

fn heartbeat_of(
    requested: Option<&prost_types::Duration>,
    default: Duration,
) -> Result<Duration, Status> {
    let Some(requested) = requested else {
        return Ok(default.clamp(MIN_HEARTBEAT, MAX_HEARTBEAT));
    };
    if requested.seconds < 0 || requested.nanos < 0 {
        return Err(invalid("heartbeat_interval", "must not be negative"));
    }
    let requested = Duration::new(
        u64::try_from(requested.seconds).unwrap_or(0),
        u32::try_from(requested.nanos).unwrap_or(0),
    );
    Ok(requested.clamp(MIN_HEARTBEAT, MAX_HEARTBEAT))
}

impl Events {
    /// Starts a `Subscribe` stream: checks the request and returns its feed.
    pub(super) async fn open(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<FrameStream, Status> {
        require_scope(&request, Scope::EventsSubscribe)?;
        let request = request.into_inner();
        let filter = filter_of(request.filter.as_ref())?;
        let heartbeat = heartbeat_of(request.heartbeat_interval.as_ref(), self.settings.heartbeat)?;
        if !request.consumer.is_empty() {
            consumer_name(&request.consumer, "consumer")?;
        }
        let start = self.start_of(request.start).await?;

        let log = Arc::clone(&self.log);
        if request.consumer.is_empty() {
            let open = self.metrics.event_stream_opened();
            return Ok(feed::follow(
                log,
                filter,
                start,
                heartbeat,
                unavailable,
                open,
            ));
        }
        let member = self
            .log
            .join(request.consumer, filter, start, self.settings.consumer)
            .await
            .map_err(|err| unavailable(&err))?;
        let open = self.metrics.event_stream_opened();
        Ok(feed::consume(log, member, heartbeat, unavailable, open))
    }

    /// Where a stream starts: it will send events with cursors above the returned one.
    async fn start_of(&self, start: Option<pb::subscribe_request::Start>) -> Result<u64, Status> {
        use pb::subscribe_request::Start;
        let head = self.log.latest_cursor();
        match start {
            None | Some(Start::Latest(_)) => Ok(head),
            Some(Start::Earliest(_)) => Ok(0),
            Some(Start::AfterCursor(cursor)) if cursor > head => Err(invalid(
                "after_cursor",
                format!("cursor {cursor} is beyond the head of the log ({head})"),
            )),
            Some(Start::AfterCursor(cursor)) => Ok(cursor),
            Some(Start::AtTime(at)) => {
                let millis = at
                    .seconds
                    .saturating_mul(1000)
                    .saturating_add(i64::from(at.nanos.clamp(0, 999_999_999) / 1_000_000));
                self.log
                    .cursor_before_time(millis)
                    .await
                    .map_err(|err| unavailable(&err))
            }
        }
    }
}

#[tonic::async_trait]
impl EventsService for Events {
    type SubscribeStream = SubscribeStream;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let frames = self.open(request).await?;
        Ok(Response::new(Box::pin(frames::into_messages(frames))))
    }

    async fn ack(
        &self,
        request: Request<pb::AckRequest>,
    ) -> Result<Response<pb::AckResponse>, Status> {
        require_scope(&request, Scope::EventsSubscribe)?;
        let request = request.into_inner();
        consumer_name(&request.consumer, "consumer")?;
        match self.log.ack(request.consumer, request.cursor).await {
            Ok(cursor) => Ok(Response::new(pb::AckResponse { cursor })),
            Err(LogError::UnknownConsumer(name)) => Err(status::gateway_error(
                Code::NotFound,
                "CONSUMER_NOT_FOUND",
                &format!("no durable consumer named `{name}`"),
            )),
            Err(LogError::BeyondHead { cursor, head }) => Err(invalid(
                "cursor",
                format!("cursor {cursor} is beyond the head of the log ({head})"),
            )),
            Err(err) => Err(unavailable(&err)),
        }
    }

    async fn list_events(
        &self,
        request: Request<pb::ListEventsRequest>,
    ) -> Result<Response<pb::ListEventsResponse>, Status> {
        require_scope(&request, Scope::EventsSubscribe)?;
        let request = request.into_inner();
        let filter = filter_of(request.filter.as_ref())?;
        let page = match request.page_size {
            0 => DEFAULT_PAGE,
            size if (1..=MAX_PAGE as i32).contains(&size) => {
                usize::try_from(size).unwrap_or(DEFAULT_PAGE)
            }
            _ => return Err(invalid("page_size", "must be between 1 and 1000")),
        };
        let head = self.log.latest_cursor();
        let mut position = request.after_cursor;
        let mut events = Vec::with_capacity(page.min(64));
        let mut has_more = false;
        // One more than the page tells whether there is more.
        while position < head {
            if position.saturating_sub(request.after_cursor) >= LIST_SCAN_LIMIT {
                has_more = true;
                break;
            }
            let batch = self
                .log
                .read_from(position, Arc::clone(&filter), page + 1 - events.len())
                .await
                .map_err(|err| unavailable(&err))?;
            if batch.scanned_to <= position {
                break;
            }
            position = batch.scanned_to;
            events.extend(batch.events);
            if events.len() > page {
                has_more = true;
                events.truncate(page);
                break;
            }
        }
        let next_cursor = if has_more {
            events.last().map_or(position, |last| last.cursor)
        } else {
            position.max(request.after_cursor)
        };
        Ok(Response::new(pb::ListEventsResponse {
            events: events.iter().map(|event| event.proto().clone()).collect(),
            next_cursor,
            has_more,
        }))
    }

    async fn get_event(
        &self,
        request: Request<pb::GetEventRequest>,
    ) -> Result<Response<pb::GetEventResponse>, Status> {
        use pb::get_event_request::Key;
        require_scope(&request, Scope::EventsSubscribe)?;
        let found = match request.into_inner().key {
            // Ids are opaque and stored exactly as RalioPay sent them: looked up as given.
            Some(Key::Id(id)) if !id.trim().is_empty() => self.log.get_by_id(id).await,
            Some(Key::Cursor(cursor)) if cursor > 0 => self.log.get_by_cursor(cursor).await,
            Some(Key::Id(_)) => return Err(invalid("id", "must not be empty")),
            Some(Key::Cursor(_)) => return Err(invalid("cursor", "must be at least 1")),
            None => return Err(invalid("key", "give an event id or a cursor")),
        }
        .map_err(|err| unavailable(&err))?;
        match found {
            Some(event) => Ok(Response::new(pb::GetEventResponse {
                event: Some(event.proto().clone()),
            })),
            None => Err(status::gateway_error(
                Code::NotFound,
                "EVENT_NOT_FOUND",
                "no such event in the log",
            )),
        }
    }
}
