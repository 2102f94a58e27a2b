//! The bindings' own tokio runtime and the blocking entry point of the `*_blocking` methods.
//!
//! One multi-thread runtime (two workers, created on first use, alive as long as the process)
//! owns the gRPC channels' background tasks and the event subscriptions, and drives the I/O of
//! blocking calls. The async methods are polled by uniffi (its `tokio` async runtime support);
//! the blocking ones run the same future with [`block_on`] on the caller's own thread.

use std::future::Future;
use std::sync::OnceLock;

use crate::error::RalioFfiError;

/// The `code` of the error a blocking method returns when called on a thread that is already
/// running a tokio runtime (where blocking would stall or panic).
pub(crate) const BLOCKING_IN_ASYNC_CONTEXT: &str = "BLOCKING_CALL_IN_ASYNC_CONTEXT";

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ralio-ffi")
            .enable_all()
            .build()
            .expect("cannot start the bindings' tokio runtime")
    })
}

/// Runs `future` to completion on the calling thread, its I/O and timers driven by
/// [`runtime`]'s workers. Called from a thread that is inside a tokio runtime (an event
/// listener's callback, an async Rust caller), it does not block: it returns
/// `RalioFfiError::Unsupported` with code [`BLOCKING_IN_ASYNC_CONTEXT`] instead of tokio's
/// "cannot start a runtime from within a runtime" panic.
///
/// A future that itself returns `Result<T, RalioFfiError>` comes back nested: flatten it with
/// `block_on(future)?`.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output, RalioFfiError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(RalioFfiError::Unsupported {
            code: BLOCKING_IN_ASYNC_CONTEXT.to_owned(),
            reason: "a *_blocking method was called from a thread running an async runtime \
                     (e.g. an event listener callback); call the async method there instead"
                .to_owned(),
        });
    }
    Ok(runtime().block_on(future))
}

#[cfg(test)]
mod tests {
    use ralio_core::Secret;

    use super::*;
    use crate::RalioClient;

    #[test]
    fn a_blocking_call_runs_from_a_plain_thread_and_refuses_inside_a_runtime() {
        assert_eq!(block_on(async { 7 }), Ok(7));

        // A lazily connected client: the refusal comes before any I/O.
        let client = RalioClient::gateway(
            "http://127.0.0.1:9".to_owned(),
            Secret::from("t".to_owned()),
        )
        .unwrap();
        let accounts = client.accounts();
        let inside = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async { accounts.get_blocking("u".to_owned(), "a".to_owned()) });
        match inside {
            Err(RalioFfiError::Unsupported { code, .. }) => {
                assert_eq!(code, BLOCKING_IN_ASYNC_CONTEXT)
            }
            other => panic!("{other:?}"),
        }
        // From a runtime worker thread too (where an event listener runs).
        let from_worker = runtime()
            .block_on(runtime().spawn(async { block_on(async { 1 }) }))
            .unwrap();
        assert!(matches!(
            from_worker,
            Err(RalioFfiError::Unsupported { code, .. }) if code == BLOCKING_IN_ASYNC_CONTEXT
        ));
    }
}
