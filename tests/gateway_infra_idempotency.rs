//! The SQLite idempotency store and the `idempotent` helper, on real database files.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ralio_gateway::auth::{Caller, Scope, Scopes};
use ralio_gateway::idempotency::{
    Begin, IdempotencyStore, Outcome, RecordKey, RequestHash, SqliteStore, idempotent,
};
use ralio_gateway::status;
use tonic::{Code, Status};
use tonic_types::StatusExt;

const METHOD: &str = "/ralio.v1.PayoutsService/CreateBankPayout";

fn caller(id: &str) -> Caller {
    Caller {
        id: id.into(),
        scopes: Scopes::new([Scope::MoneyMove]),
    }
}

fn open(dir: &tempfile::TempDir) -> Arc<SqliteStore> {
    Arc::new(SqliteStore::open(&dir.path().join("data/idempotency.sqlite3")).unwrap())
}

/// Runs one idempotent call whose body counts its executions and answers `answer`.
async fn call(
    store: &SqliteStore,
    who: &Caller,
    key: Option<&str>,
    request: &str,
    runs: &AtomicUsize,
    answer: Result<String, Status>,
) -> Result<String, Status> {
    idempotent(
        store,
        who,
        key.map(str::to_owned),
        METHOD,
        &request.to_owned(),
        || async {
            runs.fetch_add(1, Ordering::SeqCst);
            answer
        },
    )
    .await
}

#[tokio::test]
async fn a_repeat_replays_the_first_response_without_calling_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = AtomicUsize::new(0);
    let who = caller("svc");

    let first = call(
        &store,
        &who,
        Some("k1"),
        "payout 10 EUR",
        &runs,
        Ok("order-1".into()),
    )
    .await;
    let second = call(
        &store,
        &who,
        Some("k1"),
        "payout 10 EUR",
        &runs,
        Ok("order-2".into()),
    )
    .await;
    assert_eq!(first.unwrap(), "order-1");
    assert_eq!(second.unwrap(), "order-1");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Without a key nothing is recorded: both run.
    call(&store, &who, None, "payout 10 EUR", &runs, Ok("a".into()))
        .await
        .unwrap();
    call(&store, &who, None, "payout 10 EUR", &runs, Ok("b".into()))
        .await
        .unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn same_key_different_request_is_failed_precondition() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = AtomicUsize::new(0);
    let who = caller("svc");
    call(
        &store,
        &who,
        Some("k"),
        "payout 10 EUR",
        &runs,
        Ok("o".into()),
    )
    .await
    .unwrap();
    let err = call(
        &store,
        &who,
        Some("k"),
        "payout 99 EUR",
        &runs,
        Ok("o".into()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(
        err.get_details_error_info().unwrap().reason,
        status::reason::IDEMPOTENCY_KEY_REUSED
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn keys_are_scoped_per_caller() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = AtomicUsize::new(0);
    let a = call(
        &store,
        &caller("a"),
        Some("k"),
        "r",
        &runs,
        Ok("from-a".into()),
    )
    .await;
    let b = call(
        &store,
        &caller("b"),
        Some("k"),
        "r",
        &runs,
        Ok("from-b".into()),
    )
    .await;
    assert_eq!(a.unwrap(), "from-a");
    assert_eq!(b.unwrap(), "from-b");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_repeats_run_the_call_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = Arc::new(AtomicUsize::new(0));
    let (release_tx, release_rx) = tokio::sync::watch::channel(false);

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let store = store.clone();
        let runs = runs.clone();
        let mut release_rx = release_rx.clone();
        tasks.push(tokio::spawn(async move {
            idempotent(
                store.as_ref(),
                &caller("svc"),
                Some("payout-once".into()),
                METHOD,
                &"payout 10 EUR".to_owned(),
                || async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    // Hold the claim until the test lets go, so the other 99 find it in flight.
                    let _ = release_rx.wait_for(|released| *released).await;
                    Ok::<_, Status>("order-1".to_owned())
                },
            )
            .await
        }));
    }
    // Wait until the one winner is running, then let it finish.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while runs.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nobody ran the call"
        );
        tokio::task::yield_now().await;
    }
    release_tx.send(true).unwrap();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "order-1");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn records_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let runs = AtomicUsize::new(0);
    let who = caller("svc");
    {
        let store = open(&dir);
        call(&store, &who, Some("k"), "r", &runs, Ok("order-1".into()))
            .await
            .unwrap();
        let err = status::invalid_argument([("amount", "too large")]);
        call(&store, &who, Some("k-err"), "r", &runs, Err(err))
            .await
            .unwrap_err();
    }
    let store = open(&dir);
    let replay = call(&store, &who, Some("k"), "r", &runs, Ok("order-2".into())).await;
    assert_eq!(replay.unwrap(), "order-1");
    let replay = call(&store, &who, Some("k-err"), "r", &runs, Ok("x".into())).await;
    let err = replay.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(
        err.get_details_bad_request().unwrap().field_violations[0].field,
        "amount"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn transient_failures_release_the_key_and_final_ones_are_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = AtomicUsize::new(0);
    let who = caller("svc");

    let err = call(
        &store,
        &who,
        Some("t"),
        "r",
        &runs,
        Err(Status::unavailable("down")),
    )
    .await;
    assert_eq!(err.unwrap_err().code(), Code::Unavailable);
    let ok = call(&store, &who, Some("t"), "r", &runs, Ok("order".into())).await;
    assert_eq!(ok.unwrap(), "order");
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let final_err = Status::failed_precondition("INSUFFICIENT_FUNDS");
    call(&store, &who, Some("f"), "r", &runs, Err(final_err))
        .await
        .unwrap_err();
    let replay = call(&store, &who, Some("f"), "r", &runs, Ok("order".into())).await;
    assert_eq!(replay.unwrap_err().code(), Code::FailedPrecondition);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_call_cancelled_in_flight_leaves_its_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let started = Arc::new(tokio::sync::Notify::new());
    let task = {
        let store = store.clone();
        let started = started.clone();
        tokio::spawn(async move {
            idempotent(
                store.as_ref(),
                &caller("svc"),
                Some("k".into()),
                METHOD,
                &"r".to_owned(),
                || async move {
                    started.notify_one();
                    std::future::pending::<Result<String, Status>>().await
                },
            )
            .await
        })
    };
    started.notified().await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());

    // The call may have reached RalioPay before it was dropped: the repeat is not run.
    let runs = AtomicUsize::new(0);
    let retry = call(
        &store,
        &caller("svc"),
        Some("k"),
        "r",
        &runs,
        Ok("order".into()),
    )
    .await;
    let status = retry.expect_err("a repeat of an unknown outcome is refused");
    assert_eq!(status.code(), Code::Aborted);
    assert_eq!(
        status.get_details_error_info().map(|info| info.reason),
        Some("IDEMPOTENCY_OUTCOME_UNKNOWN".to_owned())
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_claim_left_by_a_dead_process_becomes_outcome_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let key = RecordKey {
        caller: "svc".into(),
        key: "k".into(),
    };
    let hash = RequestHash::of(METHOD, &"r".to_owned());
    {
        let store = open(&dir);
        let Begin::New(guard) = store.begin(key.clone(), hash).await.unwrap() else {
            panic!("expected a new claim");
        };
        // The process "dies" holding the claim: the guard never completes or releases.
        std::mem::forget(guard);
    }
    let store = open(&dir);
    match store.begin(key, hash).await.unwrap() {
        Begin::Replay(Outcome::Error { code, .. }) => assert_eq!(code, Code::Aborted as i32),
        other => panic!("expected a replayed unknown outcome, got {other:?}"),
    }
}

#[tokio::test]
async fn purge_deletes_old_completed_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let runs = AtomicUsize::new(0);
    call(
        &store,
        &caller("svc"),
        Some("k"),
        "r",
        &runs,
        Ok("o".into()),
    )
    .await
    .unwrap();
    assert_eq!(store.purge(Duration::from_secs(3600)).await.unwrap(), 0);
    // completed_at has one-second resolution: a zero age still keeps this second's records.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if store.purge(Duration::ZERO).await.unwrap() == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "record never purged"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    call(
        &store,
        &caller("svc"),
        Some("k"),
        "r",
        &runs,
        Ok("o".into()),
    )
    .await
    .unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn service_context_counts_replays_but_not_refusals() {
    use ralio_gateway::metrics::Metrics;
    use ralio_gateway::services::ServiceContext;

    let dir = tempfile::tempdir().unwrap();
    let client = ralio_core::RalioClient::new(
        ralio_core::ClientConfig::builder("http://127.0.0.1:9", "code", "key")
            .build()
            .unwrap(),
    )
    .unwrap();
    let context = ServiceContext {
        client,
        idempotency: open(&dir),
        metrics: Metrics::new().unwrap(),
    };
    let who = caller("svc");
    let run = |request: &'static str| {
        let context = context.clone();
        let who = who.clone();
        async move {
            context
                .idempotent(
                    &who,
                    Some("k".into()),
                    METHOD,
                    &request.to_owned(),
                    || async { Ok::<_, Status>("order".to_owned()) },
                )
                .await
        }
    };
    run("r").await.unwrap();
    run("r").await.unwrap();
    run("other").await.unwrap_err();
    assert!(
        context
            .metrics
            .render()
            .contains("ralio_gateway_idempotent_replays_total 1")
    );
}
