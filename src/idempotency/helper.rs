//! The wrapper services put around creating and money-moving calls.

use std::future::Future;

use prost::Message;
use tonic::{Code, Status};

use super::{Begin, IdempotencyStore, Outcome, RecordKey, RequestHash};
use crate::auth::Caller;
use crate::status;

/// Runs `call` at most once per (caller, idempotency key).
///
/// * No key: `call` runs, nothing is recorded.
/// * First use of the key: `call` runs; its response, or its error if repeating would not help,
///   is stored. A transient error (`status::is_transient`) that certainly did not reach RalioPay
///   is not stored, so the caller can retry with the same key. A failure after which RalioPay
///   may have acted (`status::is_outcome_unknown`) is stored as `IDEMPOTENCY_OUTCOME_UNKNOWN`:
///   a repeat must not risk moving money twice.
/// * Repeat with the same request (`method` + encoded `request`): the stored outcome, and
///   `call` does not run. A repeat that arrives while the first is running waits for it.
/// * Repeat with a different request: `FAILED_PRECONDITION` (`IDEMPOTENCY_KEY_REUSED`).
pub async fn idempotent<Req, Resp, F, Fut>(
    store: &dyn IdempotencyStore,
    caller: &Caller,
    key: Option<String>,
    method: &str,
    request: &Req,
    call: F,
) -> Result<Resp, Status>
where
    Req: Message,
    Resp: Message + Default,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Resp, Status>>,
{
    let Some(key) = key else {
        return call().await;
    };
    let record = RecordKey {
        caller: caller.id.clone(),
        key,
    };
    let hash = RequestHash::of(method, request);
    loop {
        let begin = store.begin(record.clone(), hash).await.map_err(|err| {
            // Without the store we cannot promise at-most-once, so we do not call at all.
            tracing::error!(error = %err, "idempotency store unavailable");
            Status::unavailable("the idempotency store is unavailable; retry later")
        })?;
        match begin {
            Begin::New(guard) => {
                let result = call().await;
                let stored = match &result {
                    Ok(response) => {
                        store
                            .complete(guard, Outcome::Response(response.encode_to_vec()))
                            .await
                    }
                    Err(error) if status::is_outcome_unknown(error) => {
                        // RalioPay may have acted: calling it again could move money twice.
                        let unknown = status::idempotency_outcome_unknown(
                            "the first call with this idempotency key failed after reaching RalioPay",
                        );
                        store.complete(guard, Outcome::from_status(&unknown)).await
                    }
                    Err(error) if status::is_transient(error.code()) => store.release(guard).await,
                    Err(error) => store.complete(guard, Outcome::from_status(error)).await,
                };
                if let Err(err) = stored {
                    // The call happened; failing the RPC now would invite a retry that repeats
                    // it. Answer with the result and let operators know the record is missing.
                    tracing::error!(error = %err, "could not record an idempotent outcome");
                }
                return result;
            }
            Begin::Replay(outcome) => {
                tracing::debug!("replaying the stored outcome of an idempotency key");
                return outcome.replay();
            }
            Begin::Mismatch => {
                return Err(status::gateway_error(
                    Code::FailedPrecondition,
                    status::reason::IDEMPOTENCY_KEY_REUSED,
                    "this idempotency key was already used with a different request",
                ));
            }
            Begin::InFlight(wait) => wait.wait().await,
        }
    }
}
