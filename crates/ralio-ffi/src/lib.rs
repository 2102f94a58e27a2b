//! uniffi bindings of the RalioPay core client (`ralio-core`), for Python and Kotlin.
//!
//! One object per sub-client of the Rust API ([`RalioClient::users`], [`RalioClient::accounts`],
//! …), every operation async on a shared tokio runtime, the model as uniffi records and enums
//! derived in `ralio-core` (namespace `ralio_core`), and one error enum, [`RalioFfiError`].
//!
//! Cancelling a call on the foreign side (a Python task, a Kotlin coroutine) drops the Rust
//! future, which aborts its HTTP request.

mod client;
mod config;
mod error;
mod gateway;
mod resources;
mod runtime;
pub mod wakeups;

pub use client::RalioClient;
pub use config::DirectConfig;
pub use error::RalioFfiError;
pub use gateway::events::{
    EventListener, EventSubscribeOptions, EventSubscription, RalioEvent, StartPosition,
};
pub use resources::{
    Accounts, Identity, Kyb, Merchant, Orders, Payins, Payouts, Reference, Transactions, Transfers,
    Users, Vibans,
};

uniffi::setup_scaffolding!();
