//! Delivery leases of durable consumers in a JetStream key-value bucket, shared by every replica.
//!
//! One key per (consumer, cursor) handed out: `<consumer key>.<cursor>`. Its value is either
//! `held <expires_ms> <holder>` (a member has the event and has until `expires_ms`, Unix
//! milliseconds on the claimer's clock, to acknowledge it) or `acked`.
//!
//! * **Claim** = create-if-absent: of two replicas offering the same event at once, exactly one
//!   wins. A lease whose time is up is taken over with an update on the revision that was read,
//!   so again exactly one claimer wins.
//! * **Ack** = update to `acked` on the revision read (terminal: a takeover never overwrites it).
//! * Once a consumer's position has passed a cursor the key is purged. The bucket also has a
//!   maximum age ([`MAX_AGE`]) so that keys nobody cleaned up (a replica died between the two
//!   steps) do not pile up.

use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;

use crate::clock::now_ms;
use crate::events::log::LogError;

fn storage(err: impl std::fmt::Display) -> LogError {
    LogError::Storage(format!("consumer leases: {err}"))
}

/// Attempts at a compare-and-set before giving up (each failure is a concurrent writer).
const CAS_ATTEMPTS: usize = 64;

/// Lease keys older than this are dropped by JetStream. An ack-wait must be (much) shorter.
pub const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// Tries at purging a lease key before leaving it to age out.
const FORGET_ATTEMPTS: usize = 3;

const ACKED: &str = "acked";

/// What a lease key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    /// No key, or a deleted one (`revision` is the delete marker's, for a create over it).
    Absent {
        revision: Option<u64>,
    },
    Held {
        expires_ms: i64,
        holder: String,
        revision: u64,
    },
    Acked,
}

fn parse(entry: Option<kv::Entry>) -> Result<Stored, LogError> {
    let Some(entry) = entry else {
        return Ok(Stored::Absent { revision: None });
    };
    if !matches!(entry.operation, kv::Operation::Put) {
        return Ok(Stored::Absent {
            revision: Some(entry.revision),
        });
    }
    let text = std::str::from_utf8(&entry.value).map_err(|_| storage("a lease is not text"))?;
    if text == ACKED {
        return Ok(Stored::Acked);
    }
    let mut parts = text.splitn(3, ' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("held"), Some(expires), Some(holder)) => Ok(Stored::Held {
            expires_ms: expires
                .parse()
                .map_err(|_| storage("a lease deadline is not a number"))?,
            holder: holder.to_owned(),
            revision: entry.revision,
        }),
        _ => Err(storage("a lease value is not understood")),
    }
}

fn held(expires_ms: i64, holder: &str) -> Bytes {
    Bytes::from(format!("held {expires_ms} {holder}"))
}

/// The outcome of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the lease until `expires_ms`. `fresh`: the key did not exist (so the
    /// consumer's position may have passed the event in the meantime: the caller checks).
    Won { expires_ms: i64, fresh: bool },
    /// Someone else holds it until `expires_ms`.
    Held { expires_ms: i64, holder: String },
    /// The event is acknowledged.
    Acked,
}

/// The outcome of an ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acked {
    /// The lease is now (or already was) `acked`.
    Leased,
    /// Nobody ever claimed the event (or its key is gone).
    NeverLeased,
}

/// What a lease key says, for a walk over acknowledged events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Absent,
    Held,
    Acked,
}

pub struct Leases {
    kv: kv::Store,
    /// The bucket's underlying stream, for purges that leave no delete marker behind.
    stream: async_nats::jetstream::stream::Stream,
    /// `$KV.<bucket>.`: the subject prefix of the keys.
    subject_prefix: String,
}

impl Leases {
    /// Opens (creating if needed) bucket `bucket` with `replicas` copies.
    pub async fn open(
        context: &async_nats::jetstream::Context,
        bucket: &str,
        replicas: usize,
    ) -> Result<Self, LogError> {
        let kv = super::positions::open_bucket(
            context,
            kv::Config {
                bucket: bucket.to_owned(),
                history: 1,
                max_age: MAX_AGE,
                num_replicas: replicas,
                storage: async_nats::jetstream::stream::StorageType::File,
                ..Default::default()
            },
        )
        .await
        .map_err(storage)?;
        let stream = context
            .get_stream(format!("KV_{bucket}"))
            .await
            .map_err(storage)?;
        Ok(Self {
            kv,
            stream,
            subject_prefix: format!("$KV.{bucket}."),
        })
    }

    async fn stored(&self, key: &str) -> Result<Stored, LogError> {
        parse(self.kv.entry(key).await.map_err(storage)?)
    }

    /// What the key of one event says.
    pub async fn state(&self, key: &str) -> Result<State, LogError> {
        Ok(match self.stored(key).await? {
            Stored::Absent { .. } => State::Absent,
            Stored::Held { .. } => State::Held,
            Stored::Acked => State::Acked,
        })
    }

    /// Claims the event for `holder` for `ack_wait`: creates the lease if there is none, takes
    /// it over if its time is up. `fresh_first`: try a plain create first (the event was never
    /// seen by this replica: most likely nobody holds it).
    pub async fn claim(
        &self,
        key: &str,
        holder: &str,
        ack_wait: Duration,
        fresh_first: bool,
    ) -> Result<Claim, LogError> {
        let wait_ms = i64::try_from(ack_wait.as_millis()).unwrap_or(i64::MAX / 4);
        if fresh_first {
            let expires_ms = now_ms().saturating_add(wait_ms);
            match self.kv.create(key, held(expires_ms, holder)).await {
                Ok(_) => {
                    return Ok(Claim::Won {
                        expires_ms,
                        fresh: true,
                    });
                }
                Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => {}
                Err(err) => return Err(storage(err)),
            }
        }
        for _ in 0..CAS_ATTEMPTS {
            let stored = self.stored(key).await?;
            let now = now_ms();
            let expires_ms = now.saturating_add(wait_ms);
            let (revision, fresh) = match stored {
                Stored::Acked => return Ok(Claim::Acked),
                Stored::Held {
                    expires_ms: current,
                    holder: current_holder,
                    ..
                } if current > now => {
                    return Ok(Claim::Held {
                        expires_ms: current,
                        holder: current_holder,
                    });
                }
                Stored::Held { revision, .. } => (revision, false),
                Stored::Absent { revision } => (revision.unwrap_or(0), true),
            };
            match self
                .kv
                .update(key, held(expires_ms, holder), revision)
                .await
            {
                Ok(_) => return Ok(Claim::Won { expires_ms, fresh }),
                Err(err) if err.kind() == kv::UpdateErrorKind::WrongLastRevision => {}
                Err(err) => return Err(storage(err)),
            }
        }
        Err(storage("kept changing under contention"))
    }

    /// Marks the event acknowledged, if it was ever claimed.
    pub async fn ack(&self, key: &str) -> Result<Acked, LogError> {
        for _ in 0..CAS_ATTEMPTS {
            let revision = match self.stored(key).await? {
                Stored::Acked => return Ok(Acked::Leased),
                Stored::Absent { .. } => return Ok(Acked::NeverLeased),
                Stored::Held { revision, .. } => revision,
            };
            match self.kv.update(key, Bytes::from(ACKED), revision).await {
                Ok(_) => return Ok(Acked::Leased),
                Err(err) if err.kind() == kv::UpdateErrorKind::WrongLastRevision => {}
                Err(err) => return Err(storage(err)),
            }
        }
        Err(storage("kept changing under contention"))
    }

    /// Drops the key of an event the consumer's position has passed (or a void claim). A purge
    /// of the key's subject in the bucket's stream: unlike a KV delete it leaves no marker, so
    /// the bucket holds only the keys above the positions. Runs as its own task, so that a
    /// caller cancelled right after moving the position (a member whose subscriber hung up
    /// mid-update) cannot leave the purge undone. Tried [`FORGET_ATTEMPTS`] times (a purge is
    /// idempotent; a busy server may time one out), then given up: a key left behind is
    /// harmless and ages out ([`MAX_AGE`]).
    pub fn forget(&self, key: &str) {
        let subject = format!("{}{key}", self.subject_prefix);
        let stream = self.stream.clone();
        tokio::spawn(async move {
            for attempt in 1..=FORGET_ATTEMPTS {
                match stream.purge().filter(subject.as_str()).await {
                    Ok(_) => return,
                    Err(err) if attempt == FORGET_ATTEMPTS => {
                        tracing::warn!(error = %err, subject, "could not purge a consumer lease; it ages out");
                    }
                    Err(err) => {
                        tracing::debug!(error = %err, subject, attempt, "purging a consumer lease failed");
                    }
                }
            }
        });
    }
}
