//! The core RalioPay client.
//!
//! * [`model`]: the domain types, serialising to exactly the JSON of the RalioPay API.
//! * [`RalioClient`]: one async method per REST operation, grouped in sub-clients, with a shared
//!   token cache (single-flight refresh, re-login on 401), retries with back-off for reads and
//!   idempotency-keyed writes, per-call timeouts and deadlines.
//! * [`webhook`]: signature verification and parsing of both webhook envelopes.
//!
//! Decisions on the contract are cited as `spec/NOTES.md Dn`.

mod auth;
pub mod client;
mod config;
mod error;
#[cfg(feature = "uniffi")]
mod ffi_types;
pub mod model;
mod observer;
mod options;
mod query;
mod retry;
mod secret;
mod transport;
pub mod webhook;

pub use client::RalioClient;
pub use config::{ClientConfig, ClientConfigBuilder};
pub use error::{ApiError, ErrorBody, RalioError, TimeoutKind, Violation};
pub use observer::ClientObserver;
pub use options::CallOptions;
pub use query::{Filter, FilterOp, ListQuery};
pub use secret::Secret;

// The model's uniffi component (namespace `ralio_core`): `ralio-ffi` exports the client, this
// crate its types, as bitwarden's crates do.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
