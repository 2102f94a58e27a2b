//! The distributed idempotency store: one JetStream key-value bucket shared by every replica.
//!
//! A record is one KV entry, keyed by the SHA-256 of (caller, key) (KV keys allow a small
//! alphabet; the hash also keeps client-chosen keys out of subjects). The value holds the
//! request hash, the state and, once completed, the outcome.
//!
//! * claim = `create` (create-if-absent, atomic on the server): exactly one replica wins;
//! * complete = `update` with the claim's revision, so a claim that expired and was taken over
//!   is never overwritten;
//! * release = delete with the claim's revision;
//! * waiting for an in-flight claim = a KV watch on the key, which wakes on whatever replica the
//!   waiter runs when the owner completes or releases it.
//!
//! A claim whose replica died never completes. After [`CLAIM_TIMEOUT`] it is answered as
//! "outcome unknown" (the call may or may not have reached RalioPay), like the SQLite store does
//! for claims left by a crashed process. The bucket's `max_age` is the records' TTL, so
//! completed records expire on the server without a purge task.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use futures::StreamExt;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use super::{
    Begin, Guard, IdempotencyStore, InFlight, Outcome, RecordKey, RequestHash, StoreError,
    StoreFuture,
};
use crate::clock::now_ms;
use crate::status;

/// Default bucket name.
pub const DEFAULT_BUCKET: &str = "RALIO_IDEMPOTENCY";
/// A claim older than this is considered abandoned by a replica that died mid-call. Longer than
/// any RalioPay call with its retries.
pub const CLAIM_TIMEOUT: Duration = Duration::from_secs(300);
/// Attempts at "create, or read what is there" before giving up (each lost race is a key that
/// was released between our create and our read).
const BEGIN_ATTEMPTS: usize = 16;

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// The KV value of one record.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    /// Hex SHA-256 of the request.
    hash: String,
    /// Claim time, Unix milliseconds.
    claimed_at_ms: i64,
    /// `None` while in flight.
    outcome: Option<StoredOutcome>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredOutcome {
    Response {
        body: String,
    },
    Error {
        code: i32,
        message: String,
        details: String,
    },
}

impl StoredOutcome {
    fn of(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Response(body) => Self::Response {
                body: hex::encode(body),
            },
            Outcome::Error {
                code,
                message,
                details,
            } => Self::Error {
                code: *code,
                message: message.clone(),
                details: hex::encode(details),
            },
        }
    }

    fn outcome(&self) -> Result<Outcome, StoreError> {
        Ok(match self {
            Self::Response { body } => Outcome::Response(hex::decode(body).map_err(backend)?),
            Self::Error {
                code,
                message,
                details,
            } => Outcome::Error {
                code: *code,
                message: message.clone(),
                details: hex::decode(details).map_err(backend)?,
            },
        })
    }
}

/// The outcome answered for a claim whose replica never completed it.
fn unknown_outcome() -> Outcome {
    Outcome::from_status(&status::idempotency_outcome_unknown(
        "the gateway stopped while this request was in flight",
    ))
}

/// The KV key of a record.
fn kv_key(key: &RecordKey) -> String {
    let mut hasher = Sha256::new();
    hasher.update(key.caller.as_bytes());
    hasher.update([0u8]);
    hasher.update(key.key.as_bytes());
    hex::encode(hasher.finalize())
}

struct Inner {
    kv: kv::Store,
    /// Revision of each claim this process holds, for the compare-and-set of complete/release.
    claims: Mutex<HashMap<RecordKey, u64>>,
    claim_timeout: Duration,
}

/// The JetStream KV store. Cheap to clone.
#[derive(Clone)]
pub struct JetStreamStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for JetStreamStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStreamStore").finish_non_exhaustive()
    }
}

impl JetStreamStore {
    /// Opens (creating if needed) bucket `bucket`; completed records expire after `ttl`.
    pub async fn open(
        client: async_nats::Client,
        bucket: &str,
        ttl: Duration,
    ) -> Result<Self, StoreError> {
        Self::open_with(client, bucket, ttl, CLAIM_TIMEOUT).await
    }

    /// Like [`JetStreamStore::open`], the bucket kept in `replicas` copies when it is created
    /// (3 or 5 on a JetStream cluster, like the event stream).
    pub async fn open_replicated(
        client: async_nats::Client,
        bucket: &str,
        ttl: Duration,
        replicas: usize,
    ) -> Result<Self, StoreError> {
        Self::create(client, bucket, ttl, CLAIM_TIMEOUT, replicas).await
    }

    /// Like [`JetStreamStore::open`] with the age after which a claim counts as abandoned.
    pub async fn open_with(
        client: async_nats::Client,
        bucket: &str,
        ttl: Duration,
        claim_timeout: Duration,
    ) -> Result<Self, StoreError> {
        Self::create(client, bucket, ttl, claim_timeout, 1).await
    }

    async fn create(
        client: async_nats::Client,
        bucket: &str,
        ttl: Duration,
        claim_timeout: Duration,
        replicas: usize,
    ) -> Result<Self, StoreError> {
        let context = jetstream::new(client);
        let kv = match context.get_key_value(bucket).await {
            Ok(kv) => kv,
            Err(_) => context
                .create_key_value(kv::Config {
                    bucket: bucket.to_owned(),
                    history: 1,
                    max_age: ttl.max(claim_timeout),
                    num_replicas: replicas.max(1),
                    storage: jetstream::stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(backend)?,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                kv,
                claims: Mutex::new(HashMap::new()),
                claim_timeout,
            }),
        })
    }

    fn guard(&self, key: RecordKey) -> Guard {
        let inner = Arc::clone(&self.inner);
        Guard::new(key, move |key| {
            // The RPC was dropped mid-flight (caller gone, deadline enforced) after it may have
            // reached RalioPay: record the outcome as unknown so a repeat is never sent again
            // (if this fails too, the claim times out into the same answer).
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(err) = inner.complete(&key, &unknown_outcome()).await {
                        tracing::error!(error = %err, "could not record an unknown outcome");
                    }
                });
            }
        })
    }
}

impl Inner {
    async fn begin(&self, key: &RecordKey, hash: RequestHash) -> Result<BeginReply, StoreError> {
        let name = kv_key(key);
        let claim = Record {
            hash: hex::encode(hash.0),
            claimed_at_ms: now_ms(),
            outcome: None,
        };
        let claim = Bytes::from(serde_json::to_vec(&claim).map_err(backend)?);
        for _ in 0..BEGIN_ATTEMPTS {
            match self.kv.create(&name, claim.clone()).await {
                Ok(revision) => {
                    self.claims.lock().insert(key.clone(), revision);
                    return Ok(BeginReply::New);
                }
                Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => {}
                Err(err) => return Err(backend(err)),
            }
            let Some(entry) = self.kv.entry(&name).await.map_err(backend)? else {
                continue;
            };
            if !matches!(entry.operation, kv::Operation::Put) {
                // Released between our create and our read: try to claim it again.
                continue;
            }
            let record: Record = serde_json::from_slice(&entry.value).map_err(backend)?;
            if record.hash != hex::encode(hash.0) {
                return Ok(BeginReply::Mismatch);
            }
            if let Some(outcome) = &record.outcome {
                return Ok(BeginReply::Replay(outcome.outcome()?));
            }
            let age = now_ms().saturating_sub(record.claimed_at_ms);
            let timeout = i64::try_from(self.claim_timeout.as_millis()).unwrap_or(i64::MAX);
            if age >= timeout {
                return Ok(BeginReply::Replay(unknown_outcome()));
            }
            let remaining = Duration::from_millis(u64::try_from(timeout - age).unwrap_or(0));
            return Ok(BeginReply::InFlight(
                self.wait_for_change(name, entry.revision, remaining)
                    .await?,
            ));
        }
        Err(StoreError::Backend(
            "idempotency key kept changing under contention".into(),
        ))
    }

    /// A receiver that resolves when entry `name` is no longer at `revision` (completed,
    /// released, replaced) or after `limit` (the claim is then abandoned).
    async fn wait_for_change(
        &self,
        name: String,
        revision: u64,
        limit: Duration,
    ) -> Result<oneshot::Receiver<()>, StoreError> {
        // A watch "with history" first delivers the key's current entry, which already differs
        // if the key moved between our read and the watch; a plain `watch` only sees later
        // changes, and a waiter would then sleep until the claim timeout.
        let mut watch = self.kv.watch_with_history(&name).await.map_err(backend)?;
        let (done, wait) = oneshot::channel();
        tokio::spawn(async move {
            let changed = async {
                while let Some(entry) = watch.next().await {
                    match entry {
                        Ok(entry) if entry.revision == revision => {}
                        // Changed, or the watch failed: either way, look again.
                        _ => return,
                    }
                }
            };
            let _ = tokio::time::timeout(limit, changed).await;
            drop(done);
        });
        Ok(wait)
    }

    async fn complete(&self, key: &RecordKey, outcome: &Outcome) -> Result<(), StoreError> {
        let revision = self.claims.lock().remove(key).ok_or_else(|| {
            StoreError::Backend("completing an idempotency key this process does not hold".into())
        })?;
        let name = kv_key(key);
        let Some(entry) = self.kv.entry(&name).await.map_err(backend)? else {
            return Err(StoreError::Backend(
                "the claimed idempotency key vanished".into(),
            ));
        };
        if entry.revision != revision {
            return Err(StoreError::Backend(
                "the idempotency claim was taken over before it completed".into(),
            ));
        }
        let mut record: Record = serde_json::from_slice(&entry.value).map_err(backend)?;
        record.outcome = Some(StoredOutcome::of(outcome));
        let value = Bytes::from(serde_json::to_vec(&record).map_err(backend)?);
        self.kv
            .update(&name, value, revision)
            .await
            .map(|_| ())
            .map_err(backend)
    }

    async fn release(&self, key: &RecordKey) -> Result<(), StoreError> {
        let Some(revision) = self.claims.lock().remove(key) else {
            return Ok(());
        };
        match self
            .kv
            .delete_expect_revision(kv_key(key), Some(revision))
            .await
        {
            Ok(()) => Ok(()),
            // Someone else holds the key now (our claim expired): theirs to release.
            Err(err) if err.kind() == kv::DeleteErrorKind::WrongLastRevision => Ok(()),
            Err(err) => Err(backend(err)),
        }
    }
}

enum BeginReply {
    New,
    Replay(Outcome),
    Mismatch,
    InFlight(oneshot::Receiver<()>),
}

impl IdempotencyStore for JetStreamStore {
    fn begin(&self, key: RecordKey, hash: RequestHash) -> StoreFuture<'_, Begin> {
        Box::pin(async move {
            Ok(match self.inner.begin(&key, hash).await? {
                BeginReply::New => Begin::New(self.guard(key)),
                BeginReply::Replay(outcome) => Begin::Replay(outcome),
                BeginReply::Mismatch => Begin::Mismatch,
                BeginReply::InFlight(done) => Begin::InFlight(InFlight::new(done)),
            })
        })
    }

    fn complete(&self, guard: Guard, outcome: Outcome) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = guard.disarm();
            self.inner.complete(&key, &outcome).await
        })
    }

    fn release(&self, guard: Guard) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = guard.disarm();
            self.inner.release(&key).await
        })
    }
}
