//! The shared state every handler gets: the store, the clock, the config and the event sink.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::{Mutex, MutexGuard};
use serde_json::Value;

use crate::auth::TokenKeys;
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::store::Store;
use crate::webhooks::{EventType, WebhookDispatcher};

/// How many emitted events the in-memory record keeps (oldest dropped first).
const EVENT_RECORD_CAPACITY: usize = 10_000;

/// One event handed to [`AppState::emit`]: the webhook name (`account_activated`, …), its
/// `data` object (webhooks.md §5) and the sandbox time it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct EmittedEvent {
    pub event: String,
    pub data: Value,
    pub at: DateTime<Utc>,
}

/// Cheap to clone: every field is shared.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    pub clock: Clock,
    pub config: Arc<SandboxConfig>,
    pub(crate) tokens: Arc<TokenKeys>,
    /// Signs and delivers webhooks.
    pub webhooks: WebhookDispatcher,
    /// Fault-injection rules of the `/api/v1` routes.
    pub faults: Faults,
    events: Arc<Mutex<VecDeque<EmittedEvent>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Must run inside a Tokio runtime (the webhook dispatcher spawns its deliveries there).
    pub fn new(config: SandboxConfig) -> Self {
        let clock = Clock::new();
        let webhooks = WebhookDispatcher::new(config.webhooks.clone());
        Self {
            webhooks,
            faults: Faults::new(),
            store: Arc::new(Mutex::new(Store::new(clock.now()))),
            clock,
            config: Arc::new(config),
            tokens: Arc::new(TokenKeys::generate()),
            events: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    /// The sandbox time (spec/NOTES.md D14).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Locks the store. Keep the guard for one request's read-modify-write and never across an
    /// `.await`.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock()
    }

    /// Sends a webhook event. Every event of the sandbox goes through here, so the webhook
    /// dispatcher is wired in one place. `event` is the wire name (`kyc_state_updated`), `data`
    /// the payload's `data` object exactly as webhooks.md §5 shows it.
    ///
    /// Callers may hold the store lock: emission never takes it, and emitting under the lock
    /// keeps events in the order of the state changes that caused them.
    pub fn emit(&self, event: &str, data: Value) {
        let at = self.now();
        tracing::debug!(event, "event emitted");
        match event.parse::<EventType>() {
            Ok(event_type) => {
                self.webhooks.emit(event_type, data.clone(), at);
            }
            // Every name the sandbox emits is a catalogue name; this is a bug, not input.
            Err(err) => tracing::error!(%err, "event not sent"),
        }
        let mut record = self.events.lock();
        if record.len() == EVENT_RECORD_CAPACITY {
            record.pop_front();
        }
        record.push_back(EmittedEvent {
            event: event.to_owned(),
            data,
            at,
        });
    }

    /// Every event emitted since start (or the last reset), oldest first; for tests and
    /// diagnostics.
    pub fn emitted_events(&self) -> Vec<EmittedEvent> {
        self.events.lock().iter().cloned().collect()
    }

    /// Back to a freshly started sandbox: new store (merchant re-seeded), real time, no events,
    /// no webhook receiver or history, no faults. Tokens issued before stay valid until they
    /// expire (the signing key is kept).
    pub fn reset(&self) {
        self.webhooks.reset();
        self.faults.clear();
        self.clock.reset();
        let fresh = Store::new(self.clock.now());
        *self.store.lock() = fresh;
        self.events.lock().clear();
    }
}
