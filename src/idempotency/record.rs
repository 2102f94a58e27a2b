//! The values an idempotency store keeps and hands back.

use std::fmt;

use prost::Message;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;
use tonic::{Code, Status};

use crate::status;

/// Which record: keys are scoped per caller, so two clients cannot collide or read each
/// other's outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordKey {
    pub caller: String,
    pub key: String,
}

/// SHA-256 of the RPC name and the encoded request: the same key with a different request
/// (or the same request sent to another RPC) is a client bug, not a repeat.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestHash(pub [u8; 32]);

impl RequestHash {
    /// Hashes `method` (the full RPC path) and the protobuf encoding of `request`.
    ///
    /// prost encodes fields in field-number order, so equal messages give equal bytes; map
    /// fields (hash maps) would not, which is why the contract keeps them out of requests that
    /// carry an idempotency key.
    pub fn of(method: &str, request: &impl Message) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update([0u8]);
        hasher.update(request.encode_to_vec());
        Self(hasher.finalize().into())
    }
}

impl fmt::Debug for RequestHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestHash({})", hex::encode(&self.0[..8]))
    }
}

/// What the first call produced: the encoded response message or the error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Response(Vec<u8>),
    Error {
        code: i32,
        message: String,
        /// The encoded `google.rpc.Status` details, replayed byte for byte.
        details: Vec<u8>,
    },
}

impl Outcome {
    pub fn from_status(status: &Status) -> Self {
        Outcome::Error {
            code: status.code() as i32,
            message: status.message().to_owned(),
            details: status.details().to_vec(),
        }
    }

    /// The stored error as a status (the details are decoded again by the client).
    pub fn to_status(code: i32, message: &str, details: &[u8]) -> Status {
        Status::with_details(
            Code::from_i32(code),
            message,
            bytes::Bytes::copy_from_slice(details),
        )
    }

    /// Replays the outcome as the RPC's result.
    pub fn replay<R: Message + Default>(&self) -> Result<R, Status> {
        match self {
            Outcome::Response(bytes) => R::decode(bytes.as_slice()).map_err(|err| {
                tracing::error!(error = %err, "stored idempotent response does not decode");
                status::internal("the stored outcome of this idempotency key is unreadable")
            }),
            Outcome::Error {
                code,
                message,
                details,
            } => Err(Self::to_status(*code, message, details)),
        }
    }
}

/// The answer to [`super::IdempotencyStore::begin`].
#[derive(Debug)]
pub enum Begin {
    /// The key was free and is now claimed: make the call, then complete or release the guard.
    New(Guard),
    /// The key was used before with this request: answer with its outcome.
    Replay(Outcome),
    /// The key was used before with a different request.
    Mismatch,
    /// The same request is being served right now; wait, then begin again.
    InFlight(InFlight),
}

/// Resolves once the call holding the key completes or releases it.
#[derive(Debug)]
pub struct InFlight(oneshot::Receiver<()>);

impl InFlight {
    pub fn new(done: oneshot::Receiver<()>) -> Self {
        Self(done)
    }

    pub async fn wait(self) {
        // Completion is signalled by dropping the sender; either result means "look again".
        let _ = self.0.await;
    }
}

/// A claim on a key. Dropping it without `complete` or `release` (the RPC was cancelled)
/// releases the key, so an abandoned call never blocks its retries.
pub struct Guard {
    key: RecordKey,
    on_drop: Option<Box<dyn FnOnce(RecordKey) + Send + Sync>>,
}

impl Guard {
    /// A claim on `key`; `on_drop` releases it if the guard is dropped while armed.
    pub fn new(key: RecordKey, on_drop: impl FnOnce(RecordKey) + Send + Sync + 'static) -> Self {
        Self {
            key,
            on_drop: Some(Box::new(on_drop)),
        }
    }

    pub fn key(&self) -> &RecordKey {
        &self.key
    }

    /// Takes the key out without running the drop action (the store is completing or
    /// releasing the claim itself).
    pub fn disarm(mut self) -> RecordKey {
        self.on_drop = None;
        std::mem::replace(
            &mut self.key,
            RecordKey {
                caller: String::new(),
                key: String::new(),
            },
        )
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(on_drop) = self.on_drop.take() {
            on_drop(self.key.clone());
        }
    }
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").field("key", &self.key).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tonic_types::StatusExt;

    #[test]
    fn hash_depends_on_method_and_request() {
        let a = RequestHash::of("/s/A", &"x".to_owned());
        assert_eq!(a, RequestHash::of("/s/A", &"x".to_owned()));
        assert_ne!(a, RequestHash::of("/s/B", &"x".to_owned()));
        assert_ne!(a, RequestHash::of("/s/A", &"y".to_owned()));
    }

    #[test]
    fn error_outcome_round_trips_with_details() {
        let original = status::invalid_argument([("amount", "must be positive")]);
        let outcome = Outcome::from_status(&original);
        let replayed = outcome.replay::<String>().unwrap_err();
        assert_eq!(replayed.code(), Code::InvalidArgument);
        assert_eq!(replayed.message(), original.message());
        assert_eq!(
            replayed.get_details_bad_request().unwrap().field_violations[0].field,
            "amount"
        );
        let ok = Outcome::Response("hello".to_owned().encode_to_vec());
        assert_eq!(ok.replay::<String>().unwrap(), "hello");
    }

    #[test]
    fn dropping_an_armed_guard_runs_the_release_and_disarm_does_not() {
        let released = Arc::new(AtomicBool::new(false));
        let flag = released.clone();
        let key = RecordKey {
            caller: "c".into(),
            key: "k".into(),
        };
        drop(Guard::new(key.clone(), move |_| {
            flag.store(true, Ordering::SeqCst)
        }));
        assert!(released.load(Ordering::SeqCst));

        let released = Arc::new(AtomicBool::new(false));
        let flag = released.clone();
        let guard = Guard::new(key.clone(), move |_| flag.store(true, Ordering::SeqCst));
        assert_eq!(guard.disarm(), key);
        assert!(!released.load(Ordering::SeqCst));
    }
}
