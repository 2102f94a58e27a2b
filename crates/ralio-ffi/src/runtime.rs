//! The bindings' own tokio runtime and the blocking entry point of the `*_blocking` methods.
//!
//! One multi-thread runtime (one worker by default, [`WORKER_THREADS_ENV`] to change it;
//! created on first use, alive as long as the process) owns the gRPC channels' background tasks
//! and the event subscriptions, and drives the I/O of blocking calls. The async methods poll
//! their call once on the caller's thread and then run it as a task of this runtime
//! ([`spawned`]), so the foreign side is woken once, when the call is done; the blocking ones
//! run the same future with [`block_on`] on the caller's own thread.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use crate::error::RalioFfiError;

/// The `code` of the error a blocking method returns when called on a thread that is already
/// running a tokio runtime (where blocking would stall or panic).
pub(crate) const BLOCKING_IN_ASYNC_CONTEXT: &str = "BLOCKING_CALL_IN_ASYNC_CONTEXT";

/// Environment variable that sets how many worker threads the bindings' runtime has (1 to
/// [`MAX_WORKER_THREADS`]; read once, when the runtime starts).
pub(crate) const WORKER_THREADS_ENV: &str = "RALIO_FFI_WORKER_THREADS";
/// Workers when [`WORKER_THREADS_ENV`] is unset. One: a call's tasks (the call itself, the HTTP/2
/// connection's, the stream's) then hand over to each other on one thread, where with two workers
/// they were spread over both and every hand-over woke the other thread (BENCHMARKS.md, Python,
/// third session, an A/B in one sitting: an awaited call through the gateway 406–407 µs p50
/// with one worker against 570–598 µs with two). More workers help only an app that keeps many
/// calls in flight at once and spends real CPU in them (decoding large pages, TLS to RalioPay).
pub(crate) const DEFAULT_WORKER_THREADS: usize = 1;
/// Upper bound of [`WORKER_THREADS_ENV`].
pub(crate) const MAX_WORKER_THREADS: usize = 64;

/// The worker count for the value of [`WORKER_THREADS_ENV`], or why that value is refused (the
/// runtime then starts with [`DEFAULT_WORKER_THREADS`]).
fn worker_threads(value: Option<&str>) -> Result<usize, String> {
    let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(DEFAULT_WORKER_THREADS);
    };
    match text.parse::<usize>() {
        Ok(count) if (1..=MAX_WORKER_THREADS).contains(&count) => Ok(count),
        _ => Err(format!(
            "{WORKER_THREADS_ENV} must be a whole number from 1 to {MAX_WORKER_THREADS}, not \
             {text:?}; using {DEFAULT_WORKER_THREADS}"
        )),
    }
}

pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let workers = worker_threads(std::env::var(WORKER_THREADS_ENV).ok().as_deref())
            .unwrap_or_else(|refused| {
                // Once per process, where the app's developer sees it (the bindings have no
                // logger of their own).
                eprintln!("ralio: {refused}");
                DEFAULT_WORKER_THREADS
            });
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
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

/// Runs `future` for an async FFI method: polled once right here, on the caller's thread (in
/// [`runtime`]'s context), then, if it has to wait, as a task of [`runtime`] whose result is
/// awaited. A call that ends without waiting (a refusal before any I/O) thus returns at once,
/// with no thread hand-over; one that waits has already sent its request by the time the task
/// starts. The foreign caller (a Python coroutine, a Kotlin coroutine) is then woken once, when
/// the task is done, instead of at every intermediate wake-up of the call (the channel, the
/// HTTP/2 stream, the response body): each of those would cost a round trip through the
/// foreign event loop. Dropping the returned future (the caller cancelled) drops the call, or
/// aborts its task, so nothing of it outlives its caller. A panic becomes
/// `RalioFfiError::Internal` with code `PANIC`, wherever it happens.
pub(crate) async fn spawned<T, F>(future: F) -> Result<T, RalioFfiError>
where
    F: Future<Output = Result<T, RalioFfiError>> + Send + 'static,
    T: Send + 'static,
{
    let mut future = Box::pin(future);
    // Polled with a waker that does nothing: if the call has to wait, the task below polls it
    // again at once and registers its own waker. Registering the caller's waker here would
    // leave it with whatever the call waits on, and an early wake-up through it would cost the
    // caller a poll that finds the task still running.
    let first = {
        let _context = runtime().enter();
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
        }))
    };
    match first {
        Ok(Poll::Ready(result)) => return result,
        Ok(Poll::Pending) => {}
        Err(_panic) => return Err(ended_without_result("PANIC")),
    }
    let task = tokio_util::task::AbortOnDropHandle::new(runtime().spawn(future));
    match task.await {
        Ok(result) => result,
        Err(failure) if failure.is_panic() => Err(ended_without_result("PANIC")),
        Err(_) => Err(ended_without_result("CANCELLED")),
    }
}

fn ended_without_result(code: &str) -> RalioFfiError {
    RalioFfiError::Internal {
        code: code.to_owned(),
        reason: "the call's task ended without a result".to_owned(),
        status: None,
        request_id: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use ralio_core::Secret;

    use super::*;
    use crate::RalioClient;

    #[test]
    fn the_worker_count_comes_from_the_environment_within_bounds() {
        assert_eq!(worker_threads(None), Ok(DEFAULT_WORKER_THREADS));
        assert_eq!(worker_threads(Some("")), Ok(DEFAULT_WORKER_THREADS));
        assert_eq!(worker_threads(Some(" 3 ")), Ok(3));
        assert_eq!(worker_threads(Some("1")), Ok(1));
        assert_eq!(worker_threads(Some("64")), Ok(MAX_WORKER_THREADS));
        for refused in ["0", "65", "-1", "two", "1.5"] {
            let message = worker_threads(Some(refused)).expect_err(refused);
            assert!(message.contains(WORKER_THREADS_ENV), "{message}");
            assert!(message.contains(&format!("{refused:?}")), "{message}");
        }
    }

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

    /// Sets its flag when dropped: tells whether a task's future was freed.
    struct DropFlag(Arc<AtomicBool>);

    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_spawned_call_returns_its_result_and_a_panic_becomes_an_error() {
        let ok = block_on(spawned(async { Ok::<_, RalioFfiError>(41 + 1) })).unwrap();
        assert_eq!(ok, Ok(42));
        // A panic in the first poll (on the caller's thread) and one in the runtime's task.
        for wait_first in [false, true] {
            let panicked = block_on(spawned(async move {
                if wait_first {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                if true {
                    panic!("boom");
                }
                Ok::<u8, RalioFfiError>(0)
            }))
            .unwrap();
            assert!(
                matches!(&panicked, Err(RalioFfiError::Internal { code, .. }) if code == "PANIC"),
                "wait first {wait_first}: {panicked:?}"
            );
        }
    }

    #[test]
    fn a_call_that_does_not_wait_ends_on_the_callers_thread_and_one_that_waits_on_the_runtime() {
        let caller = std::thread::current().id();
        let waker = Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        // Polled once by the foreign side: a call with nothing to wait for is done at once.
        let mut at_once = Box::pin(spawned(async {
            Ok::<_, RalioFfiError>(std::thread::current().id())
        }));
        assert_eq!(at_once.as_mut().poll(&mut context), Poll::Ready(Ok(caller)));
        // One that waits (a runtime timer: the first poll ran inside the runtime's context)
        // finishes in the runtime's task, on one of its workers.
        let waiting = block_on(spawned(async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok::<_, RalioFfiError>(std::thread::current().name().map(str::to_owned))
        }))
        .unwrap();
        assert_eq!(waiting, Ok(Some("ralio-ffi".to_owned())));
    }

    #[test]
    fn dropping_a_spawned_call_aborts_its_task() {
        let freed = Arc::new(AtomicBool::new(false));
        let guard = DropFlag(freed.clone());
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        // The caller (a foreign coroutine) polls the call once, then is cancelled: its future
        // is dropped while the task waits forever.
        let mut call = Box::pin(spawned(async move {
            let _guard = guard;
            started_tx.send(()).unwrap();
            std::future::pending::<()>().await;
            Ok::<(), RalioFfiError>(())
        }));
        let waker = Waker::noop();
        let polled = call
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker));
        assert!(polled.is_pending());
        started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(!freed.load(Ordering::SeqCst));
        drop(call);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !freed.load(Ordering::SeqCst) {
            assert!(
                std::time::Instant::now() < deadline,
                "the task was not aborted"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Counts its wake-ups and notes one that came before `done` was set.
    struct CountingWaker {
        wakes: std::sync::atomic::AtomicUsize,
        early: AtomicBool,
        done: Arc<AtomicBool>,
    }

    impl std::task::Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            if !self.done.load(Ordering::SeqCst) {
                self.early.store(true, Ordering::SeqCst);
            }
            self.wakes.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_caller_is_woken_once_when_the_call_is_done_not_through_what_the_call_waits_on() {
        // A call waiting on something that wakes every waker it was ever polled with (as a
        // channel's waiter list may): the caller's waker must not be among them.
        let wakers = Arc::new(std::sync::Mutex::new(Vec::<Waker>::new()));
        let done = Arc::new(AtomicBool::new(false));
        let call = {
            let (wakers, done) = (wakers.clone(), done.clone());
            spawned(std::future::poll_fn(move |cx| {
                if done.load(Ordering::SeqCst) {
                    return Poll::Ready(Ok::<_, RalioFfiError>(7));
                }
                wakers.lock().unwrap().push(cx.waker().clone());
                Poll::Pending
            }))
        };
        let caller = Arc::new(CountingWaker {
            wakes: Default::default(),
            early: AtomicBool::new(false),
            done: done.clone(),
        });
        let waker = Waker::from(caller.clone());
        let mut call = Box::pin(call);
        assert!(
            call.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let wait_for_polls = |polls: usize| {
            while wakers.lock().unwrap().len() < polls {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the task did not poll the call"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        let wake_all = || {
            let woken: Vec<Waker> = wakers.lock().unwrap().clone();
            woken.into_iter().for_each(Waker::wake);
        };
        // Polled inline, then by the task.
        wait_for_polls(2);
        // A wake-up that does not finish the call: the task polls it again; the caller hears
        // nothing.
        wake_all();
        wait_for_polls(3);
        done.store(true, Ordering::SeqCst);
        wake_all();
        while caller.wakes.load(Ordering::SeqCst) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the caller was not woken"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            call.as_mut().poll(&mut Context::from_waker(&waker)),
            Poll::Ready(Ok(7))
        );
        assert_eq!(caller.wakes.load(Ordering::SeqCst), 1);
        assert!(!caller.early.load(Ordering::SeqCst));
    }
}
