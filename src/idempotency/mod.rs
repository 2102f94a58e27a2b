//! Idempotency: a caller that repeats a creating or money-moving call with the same
//! `idempotency-key` gets the first call's outcome again, without RalioPay being called twice.
//! RalioPay has no idempotency of its own, so this is what makes client retries safe.
//!
//! * [`IdempotencyStore`]: the storage trait (SQLite here, a distributed one later).
//! * [`SqliteStore`]: the embedded default, a file in the data directory.
//! * [`JetStreamStore`]: NATS JetStream key-value, shared by several gateway replicas.
//! * [`idempotent`]: the helper services wrap their calls in.

mod helper;
mod jetstream;
mod record;
mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use helper::idempotent;
pub use jetstream::{DEFAULT_BUCKET as JETSTREAM_BUCKET, JetStreamStore};
pub use record::{Begin, Guard, InFlight, Outcome, RecordKey, RequestHash};
pub use sqlite::SqliteStore;

/// A boxed future, so the trait stays usable as `dyn IdempotencyStore`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Durable records of (caller, key, request hash) → outcome.
///
/// Contract every implementation keeps:
/// * `begin` on an unknown key claims it (`Begin::New`) and records the claim durably;
/// * `begin` on a key whose request hash differs is `Begin::Mismatch`, whatever its state;
/// * `begin` on a claimed key with the same hash is `Begin::InFlight`, whose wait ends when the
///   claim is completed or released; on a completed key it is `Begin::Replay`;
/// * `release` forgets the claim, so the key can be used again (the call certainly did not reach
///   RalioPay);
/// * dropping the guard without `complete` or `release` (the call was cancelled mid-flight)
///   records the outcome as unknown (`IDEMPOTENCY_OUTCOME_UNKNOWN`): the call may have reached
///   RalioPay, so a repeat must not run it again.
pub trait IdempotencyStore: Send + Sync + 'static {
    fn begin(&self, key: RecordKey, hash: RequestHash) -> StoreFuture<'_, Begin>;

    /// Stores the outcome of the claimed call; later `begin`s replay it.
    fn complete(&self, guard: Guard, outcome: Outcome) -> StoreFuture<'_, ()>;

    /// Forgets the claim (the call failed in a way worth retrying).
    fn release(&self, guard: Guard) -> StoreFuture<'_, ()>;
}

/// The store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("idempotency database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("idempotency store has shut down")]
    Closed,
    #[error("idempotency store: {0}")]
    Io(#[from] std::io::Error),
    /// The distributed (NATS JetStream) store failed.
    #[error("idempotency store backend: {0}")]
    Backend(String),
}
