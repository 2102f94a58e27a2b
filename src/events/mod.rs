//! Webhook events as durable, resumable gRPC streams (DESIGN.md "How an event flows").
//!
//! RalioPay POSTs a webhook → [`ingest`] checks the signature over the raw body, parses and
//! appends it to the [`log`] (deduplicated by event id, durable before the 2xx) → the [`hub`]
//! announces the new head → every stream of the [`service`] reads the log from its own cursor
//! and sends what its [`filter`] selects, typed by [`convert`]. Durable named consumers
//! ([`consumers`]) add an acknowledged position and leases shared by competing members.
//!
//! Backends implement [`log::EventLog`]: [`sqlite`] (embedded default) and [`jetstream`] (NATS
//! JetStream, for several gateway replicas sharing one log).

pub mod consumers;
pub mod convert;
pub mod feed;
pub mod filter;
pub mod frames;
pub mod hub;
pub mod ingest;
pub mod jetstream;
pub mod log;
pub mod service;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use ralio_core::Secret;

use crate::metrics::Metrics;
use log::{ConsumerSettings, EventLog, LogError};
use service::StreamSettings;

/// Which event log backend to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Backend {
    /// A SQLite file in the data directory ([`sqlite::EVENTS_DB`]).
    #[default]
    Sqlite,
    /// One NATS JetStream stream shared by every gateway replica ([`jetstream::JetStreamLog`]).
    /// The gateway's idempotency records then live in JetStream key-value too.
    Nats(jetstream::NatsSettings),
}

/// Settings of the event pipeline. `Debug` hides the secret.
#[derive(Debug, Clone)]
pub struct EventsSettings {
    pub backend: Backend,
    /// The previous webhook secret, still accepted during a rotation (the current one is
    /// `GatewayConfig::webhook_secret`).
    pub previous_webhook_secret: Option<Secret>,
    /// Largest accepted webhook body.
    pub body_limit: usize,
    /// Heartbeat interval of streams that do not ask for one.
    pub heartbeat: Duration,
    /// Redelivery delay of unacknowledged events of durable consumers.
    pub ack_wait: Duration,
    /// Most unacknowledged events one member of a durable consumer holds.
    pub max_in_flight_per_member: usize,
}

impl Default for EventsSettings {
    fn default() -> Self {
        let consumer = ConsumerSettings::default();
        Self {
            backend: Backend::Sqlite,
            previous_webhook_secret: None,
            body_limit: ingest::DEFAULT_BODY_LIMIT,
            heartbeat: Duration::from_secs(15),
            ack_wait: consumer.ack_wait,
            max_in_flight_per_member: consumer.max_in_flight_per_member,
        }
    }
}

impl EventsSettings {
    pub fn stream_settings(&self) -> StreamSettings {
        StreamSettings {
            heartbeat: self.heartbeat,
            consumer: ConsumerSettings {
                ack_wait: self.ack_wait,
                max_in_flight_per_member: self.max_in_flight_per_member,
            },
        }
    }
}

/// The opened pipeline: the log, the webhook route, the gRPC service.
pub struct EventsRuntime {
    pub log: Arc<dyn EventLog>,
    /// `POST /webhooks/ralio`; `None` when no webhook secret is configured (every delivery
    /// would be refused, so the route is not mounted and deliveries get 404).
    pub ingest: Option<Router>,
    pub service: service::Events,
    /// The NATS connection of the [`Backend::Nats`] backend, for the other parts of the gateway
    /// that must share state between replicas (the idempotency store).
    pub nats: Option<async_nats::Client>,
}

impl EventsRuntime {
    /// Opens the configured backend under `data_dir`.
    pub async fn open(
        data_dir: &Path,
        current_secret: Option<&Secret>,
        settings: &EventsSettings,
        metrics: Metrics,
    ) -> Result<Self, LogError> {
        let mut nats = None;
        let log: Arc<dyn EventLog> = match &settings.backend {
            Backend::Nats(nats_settings) => {
                let client = jetstream::connect(nats_settings).await?;
                let log = jetstream::JetStreamLog::open(client.clone(), nats_settings).await?;
                nats = Some(client);
                Arc::new(log)
            }
            Backend::Sqlite => {
                let path = data_dir.join(sqlite::EVENTS_DB);
                Arc::new(
                    tokio::task::spawn_blocking(move || sqlite::SqliteLog::open(&path))
                        .await
                        .map_err(|err| LogError::Storage(err.to_string()))??,
                )
            }
        };
        let secrets: Vec<Secret> = current_secret
            .into_iter()
            .chain(settings.previous_webhook_secret.as_ref())
            .filter(|secret| !secret.is_empty())
            .cloned()
            .collect();
        let ingest = if secrets.is_empty() {
            tracing::warn!(
                "no webhook secret configured: {} is not mounted",
                ingest::WEBHOOK_PATH
            );
            None
        } else {
            Some(
                ingest::Ingest::new(Arc::clone(&log), secrets, metrics.clone())
                    .router(settings.body_limit),
            )
        };
        let service = service::Events::new(Arc::clone(&log), settings.stream_settings(), metrics);
        Ok(Self {
            log,
            ingest,
            service,
            nats,
        })
    }
}
