//! Event subscription through the gateway (`EventsService.Subscribe`): a listener the foreign
//! side implements, and a handle whose `cancel()` (or drop) ends the stream.
//!
//! The stream runs in a task on the bindings' runtime. Cancelling drops the gRPC response
//! stream, which resets the HTTP/2 stream, so the gateway sees the subscription end at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::events_service_client::EventsServiceClient;
use tokio::sync::watch;

use super::{GatewayConn, opt, runtime, status_to_error, time};
use crate::error::RalioFfiError;

/// One webhook event as the gateway stored it. The payload is `raw_json` (the envelope's
/// `data` object, UTF-8 JSON text), so every field RalioPay sent reaches the caller.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RalioEvent {
    /// RalioPay's event id.
    pub id: String,
    /// The event name as sent, e.g. `payin_completed`.
    pub event_type: String,
    /// Position in the gateway's event log; resume after it with `StartPosition::AfterCursor`.
    pub cursor: u64,
    /// The user the event concerns, when the payload names one.
    pub user_id: Option<String>,
    /// The account the event concerns, when the payload names one.
    pub account_id: Option<String>,
    /// When RalioPay says it happened (RFC 3339).
    pub occurred_at: Option<String>,
    /// When the gateway stored it (RFC 3339).
    pub received_at: Option<String>,
    pub raw_json: String,
}

/// Where a subscription starts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum StartPosition {
    /// From the oldest stored event.
    Earliest,
    /// Only events stored after the subscription opens.
    Latest,
    /// From the event after this cursor (the last one the caller handled).
    AfterCursor { cursor: u64 },
    /// From the first event the gateway received at or after this time.
    AtTime { time: SystemTime },
}

/// What to subscribe to; the fields mirror `SubscribeRequest`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EventSubscribeOptions {
    /// Event type patterns (`payin_*`, `kyc_session_*`); empty matches every type.
    #[uniffi(default)]
    pub types: Vec<String>,
    #[uniffi(default = None)]
    pub user_id: Option<String>,
    #[uniffi(default = None)]
    pub account_id: Option<String>,
    /// Unset: `Latest` (for a durable consumer, its stored position wins).
    #[uniffi(default = None)]
    pub start: Option<StartPosition>,
    /// Durable consumer name; unset for an anonymous subscription.
    #[uniffi(default = None)]
    pub consumer: Option<String>,
    /// How long the gateway may stay silent before a heartbeat (1 s ..= 300 s; default 15 s).
    #[uniffi(default = None)]
    pub heartbeat_interval: Option<Duration>,
}

/// Receives a subscription's events. Called on a background thread, one call at a time, in
/// cursor order; a slow listener slows the stream (back-pressure), it does not lose events.
#[uniffi::export(callback_interface)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: RalioEvent);
    /// The stream failed (the gateway refused the subscription, or the connection broke);
    /// called once, and nothing follows it.
    fn on_error(&self, error: RalioFfiError);
}

/// A running subscription. `cancel()` (or dropping the last reference) ends it: the gRPC stream
/// is closed and the listener gets no further call (beyond one already executing).
#[derive(Debug, uniffi::Object)]
pub struct EventSubscription {
    /// Set at once by `cancel()`, so a delivery not yet started is skipped.
    cancelled: Arc<AtomicBool>,
    cancel: watch::Sender<bool>,
    opened: watch::Receiver<bool>,
    finished: watch::Receiver<bool>,
}

#[uniffi::export(async_runtime = "tokio")]
impl EventSubscription {
    /// Ends the subscription; idempotent.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.cancel.send_replace(true);
    }

    /// Whether the stream task has ended (after `cancel()`, an error, or the gateway closing
    /// the stream).
    pub fn is_finished(&self) -> bool {
        *self.finished.borrow()
    }

    /// Waits until the gateway has accepted the subscription (`true`), or the subscription
    /// ended before that (`false`: cancelled, or refused, which the listener's `on_error` got).
    pub async fn wait_open(&self) -> bool {
        let mut opened = self.opened.clone();
        let mut finished = self.finished.clone();
        tokio::select! {
            result = opened.wait_for(|open| *open) => result.is_ok(),
            _ = finished.wait_for(|done| *done) => *self.opened.borrow(),
        }
    }

    /// Waits until the stream task has ended and the gRPC stream is closed.
    pub async fn wait_finished(&self) {
        let mut finished = self.finished.clone();
        // An error means the task is gone, which is also "finished".
        let _ = finished.wait_for(|done| *done).await;
    }
}

/// Blocking forms of the waits, for synchronous callers (not from inside an event listener: see
/// `crate::runtime::block_on`).
#[uniffi::export]
impl EventSubscription {
    /// Blocking [`Self::wait_open`].
    pub fn wait_open_blocking(&self) -> Result<bool, RalioFfiError> {
        crate::runtime::block_on(self.wait_open())
    }

    /// Blocking [`Self::wait_finished`].
    pub fn wait_finished_blocking(&self) -> Result<(), RalioFfiError> {
        crate::runtime::block_on(self.wait_finished())
    }
}

impl Drop for EventSubscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Marks the subscription finished when the task ends, however it ends.
struct FinishedGuard(watch::Sender<bool>);

impl Drop for FinishedGuard {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

pub(crate) fn subscribe(
    conn: Arc<GatewayConn>,
    options: EventSubscribeOptions,
    listener: Box<dyn EventListener>,
) -> Result<Arc<EventSubscription>, RalioFfiError> {
    let request = conn.request(
        subscribe_request(options),
        &ralio_core::CallOptions::default(),
    )?;
    let (cancel_tx, mut cancel_rx) = watch::channel(false);
    let (opened_tx, opened_rx) = watch::channel(false);
    let (finished_tx, finished_rx) = watch::channel(false);
    let listener: Arc<dyn EventListener> = Arc::from(listener);
    let cancelled = Arc::new(AtomicBool::new(false));
    let task_cancelled = cancelled.clone();
    runtime().spawn(async move {
        let _finished = FinishedGuard(finished_tx);
        let cancelled = task_cancelled;
        let run = {
            let listener = listener.clone();
            let cancelled = cancelled.clone();
            async move {
                let mut client = EventsServiceClient::new(conn.channel.clone());
                let mut stream = match client.subscribe(request).await {
                    Ok(response) => {
                        opened_tx.send_replace(true);
                        response.into_inner()
                    }
                    Err(status) => return Err::<(), _>(status_to_error(status)),
                };
                loop {
                    match stream.message().await {
                        Ok(Some(message)) => {
                            if let Some(pb::subscribe_response::Kind::Event(event)) = message.kind {
                                deliver(&listener, &cancelled, event_in(event)).await;
                            }
                        }
                        Ok(None) => {
                            return Err(RalioFfiError::Unavailable {
                                code: "STREAM_CLOSED".to_owned(),
                                reason: "the gateway closed the event stream".to_owned(),
                                retry_after_secs: None,
                                request_id: None,
                            });
                        }
                        Err(status) => return Err::<(), _>(status_to_error(status)),
                    }
                }
            }
        };
        tokio::select! {
            // Cancellation wins over a ready message; `run` is dropped, closing the stream.
            biased;
            () = async { drop(cancel_rx.wait_for(|cancel| *cancel).await) } => {
                cancelled.store(true, Ordering::SeqCst);
            }
            result = run => {
                if let Err(error) = result
                    && !cancelled.load(Ordering::SeqCst)
                {
                    let listener = listener.clone();
                    let _ = tokio::task::spawn_blocking(move || listener.on_error(error)).await;
                }
            }
        }
    });
    Ok(Arc::new(EventSubscription {
        cancelled,
        cancel: cancel_tx,
        opened: opened_rx,
        finished: finished_rx,
    }))
}

/// Calls the foreign listener off the async workers (it may block on the GIL or a JVM lock).
async fn deliver(
    listener: &Arc<dyn EventListener>,
    cancelled: &Arc<AtomicBool>,
    event: RalioEvent,
) {
    let listener = listener.clone();
    let cancelled = cancelled.clone();
    let _ = tokio::task::spawn_blocking(move || {
        if !cancelled.load(Ordering::SeqCst) {
            listener.on_event(event);
        }
    })
    .await;
}

fn subscribe_request(options: EventSubscribeOptions) -> pb::SubscribeRequest {
    use pb::subscribe_request::Start;
    pb::SubscribeRequest {
        filter: Some(pb::EventFilter {
            types: options.types,
            user_id: options.user_id.unwrap_or_default(),
            account_id: options.account_id.unwrap_or_default(),
        }),
        start: options.start.map(|start| match start {
            StartPosition::Earliest => Start::Earliest(true),
            StartPosition::Latest => Start::Latest(true),
            StartPosition::AfterCursor { cursor } => Start::AfterCursor(cursor),
            StartPosition::AtTime { time } => Start::AtTime(prost_types::Timestamp::from(time)),
        }),
        consumer: options.consumer.unwrap_or_default(),
        heartbeat_interval: options
            .heartbeat_interval
            .and_then(|interval| prost_types::Duration::try_from(interval).ok()),
    }
}

fn event_in(event: pb::Event) -> RalioEvent {
    RalioEvent {
        id: event.id,
        event_type: event.r#type,
        cursor: event.cursor,
        user_id: opt(event.user_id),
        account_id: opt(event.account_id),
        occurred_at: time(event.occurred_at),
        received_at: time(event.received_at),
        raw_json: event.raw_json,
    }
}

/// `EventsService.Ack`: a durable consumer has handled every event up to `cursor`; returns the
/// consumer's stored position (never lower than before).
pub(crate) async fn ack(
    conn: &GatewayConn,
    consumer: String,
    cursor: u64,
) -> Result<u64, RalioFfiError> {
    let request = conn.request(
        pb::AckRequest { consumer, cursor },
        &ralio_core::CallOptions::default(),
    )?;
    let response = EventsServiceClient::new(conn.channel.clone())
        .ack(request)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(response.cursor)
}
