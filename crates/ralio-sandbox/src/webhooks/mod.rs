//! Signed webhook delivery (spec/NOTES.md D11) and its control routes.
//!
//! * [`event`] – the 20 event types, wire names and envelopes;
//! * [`signature`] – the `X-Signature` algorithm (pure, shared with the gateway's ingest);
//! * [`dispatcher`] – emits events and delivers them in the background with retries;
//! * [`routes`] – `/sandbox/v1/webhook*`.

pub mod delivery;
pub mod dispatcher;
pub mod endpoint;
pub mod event;
pub mod record;
pub mod routes;
pub mod settings;
pub mod signature;

pub use dispatcher::{RedeliverError, WebhookDispatcher};
pub use endpoint::{WebhookEndpoint, WebhookSecret};
pub use event::{Envelope, EventType, UnknownEvent};
pub use record::{DeliveryAttempt, Outcome, StoredEvent, TransportError};
pub use routes::router;
pub use settings::DeliverySettings;
