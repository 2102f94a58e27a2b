//! Durable consumer positions in a JetStream key-value bucket, shared by every replica.
//!
//! One key per consumer (the hex of its name: consumer names are chosen by clients and KV keys
//! allow a small alphabet), the value the acknowledged cursor in decimal. Moving a position is a
//! compare-and-set on the key's revision, so two replicas acknowledging at once both land and
//! the position only ever moves forward.

use async_nats::jetstream::kv;
use bytes::Bytes;

use crate::events::log::LogError;

fn storage(err: impl std::fmt::Display) -> LogError {
    LogError::Storage(format!("consumer positions: {err}"))
}

/// Attempts at a compare-and-set before giving up (each failure is a concurrent writer).
const CAS_ATTEMPTS: usize = 64;

pub struct Positions {
    kv: kv::Store,
}

/// The key of consumer `name` (also the prefix of its lease keys).
pub(super) fn key(name: &str) -> String {
    format!("c{}", hex::encode(name.as_bytes()))
}

fn parse(entry: &kv::Entry) -> Result<Option<u64>, LogError> {
    if !matches!(entry.operation, kv::Operation::Put) {
        return Ok(None);
    }
    std::str::from_utf8(&entry.value)
        .ok()
        .and_then(|text| text.parse().ok())
        .map(Some)
        .ok_or_else(|| storage("a stored position is not a number"))
}

fn value(position: u64) -> Bytes {
    Bytes::from(position.to_string())
}

/// Opens bucket `config.bucket`, creating it with `config` if it does not exist yet.
pub(super) async fn open_bucket(
    context: &async_nats::jetstream::Context,
    config: kv::Config,
) -> Result<kv::Store, async_nats::jetstream::context::CreateKeyValueError> {
    match context.get_key_value(&config.bucket).await {
        Ok(kv) => Ok(kv),
        Err(_) => context.create_key_value(config).await,
    }
}

impl Positions {
    /// Opens (creating if needed) bucket `bucket` with `replicas` copies.
    pub async fn open(
        context: &async_nats::jetstream::Context,
        bucket: &str,
        replicas: usize,
    ) -> Result<Self, LogError> {
        let kv = open_bucket(
            context,
            kv::Config {
                bucket: bucket.to_owned(),
                history: 1,
                num_replicas: replicas,
                storage: async_nats::jetstream::stream::StorageType::File,
                ..Default::default()
            },
        )
        .await
        .map_err(storage)?;
        Ok(Self { kv })
    }

    pub async fn load(&self, name: &str) -> Result<Option<u64>, LogError> {
        match self.kv.entry(key(name)).await.map_err(storage)? {
            Some(entry) => parse(&entry),
            None => Ok(None),
        }
    }

    /// Creates the position at `position` unless it exists; returns the stored one.
    pub async fn init(&self, name: &str, position: u64) -> Result<u64, LogError> {
        for _ in 0..CAS_ATTEMPTS {
            match self.kv.create(key(name), value(position)).await {
                Ok(_) => return Ok(position),
                Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => {}
                Err(err) => return Err(storage(err)),
            }
            if let Some(stored) = self.load(name).await? {
                return Ok(stored);
            }
        }
        Err(storage("kept changing under contention"))
    }

    /// Raises the position to `position` (never lowers it); returns the stored one.
    pub async fn advance(&self, name: &str, position: u64) -> Result<u64, LogError> {
        for _ in 0..CAS_ATTEMPTS {
            let entry = self.kv.entry(key(name)).await.map_err(storage)?;
            let current = match &entry {
                Some(entry) => parse(entry)?,
                None => None,
            };
            if let Some(stored) = current
                && stored >= position
            {
                return Ok(stored);
            }
            let written = match entry {
                Some(entry) => match self
                    .kv
                    .update(key(name), value(position), entry.revision)
                    .await
                {
                    Ok(_) => true,
                    Err(err) if err.kind() == kv::UpdateErrorKind::WrongLastRevision => false,
                    Err(err) => return Err(storage(err)),
                },
                None => match self.kv.create(key(name), value(position)).await {
                    Ok(_) => true,
                    Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => false,
                    Err(err) => return Err(storage(err)),
                },
            };
            if written {
                return Ok(position);
            }
            // Someone wrote in between: look again.
        }
        Err(storage("kept changing under contention"))
    }
}
