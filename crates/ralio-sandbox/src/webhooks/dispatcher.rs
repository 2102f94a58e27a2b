//! The webhook dispatcher: builds and stores events, and delivers them in the background with
//! retries (spec/NOTES.md D11, D21).
//!
//! Every delivery runs in its own task on the runtime that created the dispatcher. Attempts of
//! one event are sequential; attempts of different events run concurrently, at most
//! `max_in_flight` HTTP requests at a time (a permit is held only during the request, never
//! during a backoff, so slow or failing receivers cannot starve the others).
//!
//! `clear()` and `reset()` bump a generation number: deliveries started before stop at their
//! next step (waiting for a permit, a response or a backoff) and record nothing more.

use super::delivery::{self, AttemptResult, Job};
use super::endpoint::WebhookEndpoint;
use super::event::EventType;
use super::record::{Bounded, DeliveryAttempt, Outcome, StoredEvent, TransportError};
use super::settings::DeliverySettings;
use super::signature;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore, watch};
use uuid::Uuid;

/// Why a redelivery could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeliverError {
    #[error("event {0} is unknown or no longer kept")]
    UnknownEvent(Uuid),
    #[error("no webhook endpoint is configured")]
    NoEndpoint,
}

/// Cheap to clone; all clones share one configuration, history and delivery pool.
#[derive(Clone)]
pub struct WebhookDispatcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WebhookDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookDispatcher")
            .field("endpoint", &self.inner.state.lock().endpoint)
            .field("in_flight", &self.inner.in_flight.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

struct Inner {
    settings: DeliverySettings,
    /// `None` if the HTTP client could not be built; every attempt then fails as `request`.
    client: Option<reqwest::Client>,
    runtime: tokio::runtime::Handle,
    permits: Semaphore,
    state: Mutex<State>,
    generation: watch::Sender<u64>,
    /// Deliveries not finished yet; `idle` is notified when it drops to zero.
    in_flight: AtomicUsize,
    idle: Notify,
}

struct State {
    endpoint: Option<WebhookEndpoint>,
    attempts: Bounded<DeliveryAttempt>,
    events: Bounded<StoredEvent>,
}

impl WebhookDispatcher {
    /// Creates a dispatcher whose deliveries run on the current Tokio runtime.
    ///
    /// # Panics
    /// When called outside a Tokio runtime (a programming error, like `tokio::spawn`).
    pub fn new(settings: DeliverySettings) -> Self {
        let client = delivery::client(&settings)
            .inspect_err(|err| tracing::error!(%err, "webhook HTTP client unavailable"))
            .ok();
        let state = State {
            endpoint: None,
            attempts: Bounded::new(settings.delivery_history),
            events: Bounded::new(settings.event_history),
        };
        Self {
            inner: Arc::new(Inner {
                permits: Semaphore::new(settings.max_in_flight.max(1)),
                settings,
                client,
                runtime: tokio::runtime::Handle::current(),
                state: Mutex::new(state),
                generation: watch::Sender::new(0),
                in_flight: AtomicUsize::new(0),
                idle: Notify::new(),
            }),
        }
    }

    pub fn settings(&self) -> &DeliverySettings {
        &self.inner.settings
    }

    /// Sets (or replaces) the receiver. Deliveries already under way keep their original URL.
    pub fn configure(&self, endpoint: WebhookEndpoint) {
        self.inner.state.lock().endpoint = Some(endpoint);
    }

    /// The current receiver, if any.
    pub fn endpoint(&self) -> Option<WebhookEndpoint> {
        self.inner.state.lock().endpoint.clone()
    }

    /// Removes the receiver and abandons pending retries; history is kept.
    pub fn clear(&self) {
        let mut state = self.inner.state.lock();
        state.endpoint = None;
        self.inner.generation.send_modify(|g| *g += 1);
    }

    /// Back to a fresh dispatcher: no receiver, no history, no deliveries under way.
    pub fn reset(&self) {
        let mut state = self.inner.state.lock();
        state.endpoint = None;
        state.attempts.clear();
        state.events.clear();
        self.inner.generation.send_modify(|g| *g += 1);
    }

    /// Builds the event's envelope (UUID v4 id, `at` as its timestamp), serialises it once,
    /// keeps it, and if the receiver selected this event, starts its delivery. Returns the id.
    pub fn emit(&self, event: EventType, data: serde_json::Value, at: DateTime<Utc>) -> Uuid {
        let id = Uuid::new_v4();
        let body = match event.encode(id, at, &data) {
            Ok(body) => Bytes::from(body),
            Err(err) => {
                // Serialising a `Value` cannot fail in practice (its keys are strings).
                tracing::error!(%err, event = %event, "webhook event not serialisable");
                return id;
            }
        };
        let stored = StoredEvent {
            id,
            event_type: event,
            body,
        };
        let job = {
            let mut state = self.inner.state.lock();
            state.events.push(stored.clone());
            state
                .endpoint
                .as_ref()
                .filter(|endpoint| endpoint.selects(event))
                .map(|endpoint| job_for(endpoint, &stored))
        };
        if let Some(job) = job {
            self.spawn(job);
        }
        id
    }

    /// Delivers a kept event again, byte for byte, to the current receiver (whatever events it
    /// selected: a replay is explicit). Attempts are numbered from 1 again.
    pub fn redeliver(&self, event_id: Uuid) -> Result<(), RedeliverError> {
        let job = {
            let state = self.inner.state.lock();
            let stored = state
                .events
                .iter()
                .rev()
                .find(|event| event.id == event_id)
                .ok_or(RedeliverError::UnknownEvent(event_id))?;
            let endpoint = state.endpoint.as_ref().ok_or(RedeliverError::NoEndpoint)?;
            job_for(endpoint, stored)
        };
        self.spawn(job);
        Ok(())
    }

    /// Every recorded attempt, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryAttempt> {
        self.inner.state.lock().attempts.iter().cloned().collect()
    }

    /// The kept events, oldest first.
    pub fn events(&self) -> Vec<StoredEvent> {
        self.inner.state.lock().events.iter().cloned().collect()
    }

    /// Deliveries started and not finished (including those waiting for a retry).
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no delivery is under way. Returns `false` if `timeout` passed first.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.idle.notified();
            tokio::pin!(notified);
            // Register interest before checking, so a wake-up in between is not lost.
            notified.as_mut().enable();
            if self.in_flight() == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.in_flight() == 0;
            }
        }
    }

    fn spawn(&self, job: Job) {
        let guard = InFlight::start(Arc::clone(&self.inner));
        let generation = *self.inner.generation.borrow();
        self.inner.runtime.spawn(async move {
            deliver(&guard.0, job, generation).await;
            drop(guard);
        });
    }
}

fn job_for(endpoint: &WebhookEndpoint, event: &StoredEvent) -> Job {
    Job {
        event_id: event.id,
        event_type: event.event_type,
        url: endpoint.url.clone(),
        signature: signature::sign(endpoint.secret.expose(), &event.body),
        body: event.body.clone(),
    }
}

/// Counts a delivery as in flight for as long as it lives (also if its task is dropped).
struct InFlight(Arc<Inner>);

impl InFlight {
    fn start(inner: Arc<Inner>) -> Self {
        inner.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(inner)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// All attempts of one event, until delivered, rejected, given up or cancelled.
async fn deliver(inner: &Inner, job: Job, generation: u64) {
    let mut changes = inner.generation.subscribe();
    let max_attempts = inner.settings.max_attempts.max(1);
    for attempt in 1..=max_attempts {
        let result = tokio::select! {
            biased;
            _ = changes.wait_for(|g| *g != generation) => return,
            result = attempt_once(inner, &job) => result,
        };
        let outcome = result.outcome(attempt, max_attempts);
        let delay =
            (outcome == Outcome::Retrying).then(|| inner.settings.backoff_with_jitter(attempt));
        let now = Utc::now();
        let next_retry_at = delay
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .and_then(|d| now.checked_add_signed(d));
        let record = DeliveryAttempt {
            event_id: job.event_id,
            event_type: job.event_type,
            url: job.url.clone(),
            attempt,
            status_code: match result {
                AttemptResult::Status(code) => Some(code),
                AttemptResult::Failed(_) => None,
            },
            error: match result {
                AttemptResult::Failed(kind) => Some(kind),
                AttemptResult::Status(_) => None,
            },
            outcome,
            at: now,
            next_retry_at,
        };
        {
            let mut state = inner.state.lock();
            // Checked under the lock that `reset` holds while bumping the generation, so a
            // reset never sees an attempt of the previous generation recorded after it.
            if *inner.generation.borrow() != generation {
                return;
            }
            tracing::debug!(event_id = %job.event_id, attempt, ?outcome, "webhook attempt");
            state.attempts.push(record);
        }
        let Some(delay) = delay else { return };
        tokio::select! {
            biased;
            _ = changes.wait_for(|g| *g != generation) => return,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

async fn attempt_once(inner: &Inner, job: &Job) -> AttemptResult {
    let Some(client) = inner.client.as_ref() else {
        return AttemptResult::Failed(TransportError::Request);
    };
    // The semaphore is never closed; if it were, sending anyway is the better failure.
    let _permit = inner.permits.acquire().await;
    delivery::attempt(client, job).await
}
