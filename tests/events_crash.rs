//! Crash safety and storage failures, with the gateway as a separate `ralio-gateway serve`
//! process: SIGKILL during a burst of real sandbox deliveries, restart on the same data
//! directory and port, and every event present exactly once; 503 (nothing acknowledged lost)
//! while the SQLite log cannot commit; the default body limit of the binary.

mod common;
mod events_support;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use common::MERCHANT_EUR;
use events_support::*;
use ralio_gateway::events::ingest::DEFAULT_BODY_LIMIT;
use ralio_gateway::events::sqlite::EVENTS_DB;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::webhooks::DeliverySettings;
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};
use tonic::Code;

/// Retries every 50 ms, doubling to at most 250 ms, for minutes: the sandbox keeps trying
/// until the restarted gateway answers, however slowly the machine restarts it.
fn patient_delivery() -> DeliverySettings {
    DeliverySettings {
        base_delay: Duration::from_millis(50),
        factor: 2,
        max_attempts: 1_000,
        attempt_timeout: Duration::from_secs(10),
        max_delay: Duration::from_millis(250),
        max_in_flight: 16,
        event_history: 100_000,
        delivery_history: 1_000_000,
    }
}

async fn sandbox() -> SandboxHandle {
    Sandbox::start(SandboxConfig {
        webhooks: patient_delivery(),
        ..SandboxConfig::for_tests()
    })
    .await
    .expect("sandbox starts")
}

/// `PUT /sandbox/v1/webhook` (the control API) at the gateway's receiver, signed with
/// [`SECRET`].
async fn point_webhooks(sandbox: &SandboxHandle, url: &str) {
    let response = reqwest::Client::new()
        .put(format!("{}/sandbox/v1/webhook", sandbox.base_url()))
        .json(&json!({"url": url, "secret": SECRET}))
        .send()
        .await
        .expect("sandbox reachable");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "PUT webhook: {status} {body}");
    assert!(!body.contains(SECRET), "the secret is echoed: {body}");
}

/// `GET /sandbox/v1/webhook/deliveries`: every attempt so far.
async fn deliveries(sandbox: &SandboxHandle) -> Vec<Value> {
    let reply: Value = reqwest::get(format!(
        "{}/sandbox/v1/webhook/deliveries",
        sandbox.base_url()
    ))
    .await
    .expect("sandbox reachable")
    .json()
    .await
    .expect("deliveries JSON");
    reply["deliveries"]
        .as_array()
        .expect("deliveries array")
        .clone()
}

fn delivered(attempt: &Value) -> bool {
    attempt["outcome"] == "delivered"
        && attempt["statusCode"]
            .as_u64()
            .is_some_and(|status| (200..300).contains(&status))
}

/// `count` settled bank payins into the merchant's EUR account through the control API, `lanes`
/// at a time; each makes the sandbox emit its webhooks.
async fn payins(sandbox_url: String, count: usize, lanes: usize, tag: &'static str) {
    let http = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..lanes {
        let (http, next, url) = (http.clone(), Arc::clone(&next), sandbox_url.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= count {
                    return;
                }
                let response = http
                    .post(format!("{url}/sandbox/v1/accounts/{MERCHANT_EUR}/payins"))
                    .json(
                        &json!({"method": "BANK", "amount": 100 + i, "currency": "EUR",
                                  "ownReference": format!("{tag}-{i}")}),
                    )
                    .send()
                    .await
                    .expect("sandbox reachable");
                let status = response.status();
                assert!(
                    status.is_success(),
                    "payin {tag}-{i}: {status} {}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for task in tasks {
        task.await.expect("payin lane");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_loses_nothing_and_stores_nothing_twice() {
    const BEFORE: usize = 150;
    const DURING: usize = 50;
    let sandbox = sandbox().await;
    let mut gateway = GatewayProcess::start(&sandbox.base_url(), "").await;
    point_webhooks(&sandbox, &gateway.ingest_url()).await;
    let dispatcher = sandbox.state().webhooks.clone();

    // The burst; the gateway is killed once some of it is stored, while more is in flight.
    let burst = tokio::spawn(payins(sandbox.base_url(), BEFORE, 8, "before"));
    eventually(
        Duration::from_secs(120),
        "deliveries before the kill",
        || {
            let dispatcher = dispatcher.clone();
            async move {
                dispatcher
                    .deliveries()
                    .iter()
                    .filter(|attempt| attempt.status_code == Some(200))
                    .count()
                    >= 30
                    && dispatcher.in_flight() > 0
            }
        },
    )
    .await;
    let emitted_before_kill: HashSet<uuid::Uuid> =
        dispatcher.events().iter().map(|event| event.id).collect();
    gateway.kill().await;
    let attempts_at_kill = dispatcher.deliveries().len();
    // More events while the gateway is down: their deliveries cannot connect.
    payins(sandbox.base_url(), DURING, 4, "during").await;
    burst.await.expect("burst");
    eventually(Duration::from_secs(60), "a failed delivery", || {
        let dispatcher = dispatcher.clone();
        async move {
            dispatcher.deliveries()[attempts_at_kill..]
                .iter()
                .any(|attempt| attempt.status_code.is_none())
        }
    })
    .await;

    gateway.restart().await;
    assert!(
        dispatcher.wait_idle(Duration::from_secs(300)).await,
        "the sandbox's retries did not finish; {} deliveries still under way\n{}",
        dispatcher.in_flight(),
        gateway.logs()
    );

    // The sandbox's view: every event it emitted was eventually delivered with a 2xx.
    let emitted: Vec<(String, String)> = dispatcher
        .events()
        .iter()
        .map(|event| (event.id.to_string(), event.event_type.to_string()))
        .collect();
    assert!(
        emitted.len() >= BEFORE + DURING,
        "{} events emitted",
        emitted.len()
    );
    let attempts = deliveries(&sandbox).await;
    let mut ok: BTreeMap<String, usize> = BTreeMap::new();
    for attempt in attempts.iter().filter(|attempt| delivered(attempt)) {
        *ok.entry(attempt["eventId"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let failed = attempts
        .iter()
        .filter(|attempt| attempt["outcome"] == "retrying")
        .count();
    let unreachable = attempts
        .iter()
        .filter(|attempt| attempt["statusCode"].is_null())
        .count();
    for (id, _) in &emitted {
        assert_eq!(
            ok.get(id),
            Some(&1),
            "event {id}: not delivered exactly once"
        );
    }
    assert!(
        attempts
            .iter()
            .all(|attempt| attempt["outcome"] != "gave_up" && attempt["outcome"] != "rejected"),
        "a delivery was given up or rejected"
    );
    assert!(
        unreachable >= 1,
        "no delivery failed: the crash was not exercised"
    );
    // Some of the events already under way when the process died were retried: the kill
    // landed mid-burst, not between two bursts.
    let interrupted: HashSet<uuid::Uuid> = dispatcher.deliveries()[attempts_at_kill..]
        .iter()
        .filter(|attempt| {
            attempt.status_code.is_none() && emitted_before_kill.contains(&attempt.event_id)
        })
        .map(|attempt| attempt.event_id)
        .collect();
    assert!(
        !interrupted.is_empty(),
        "no event emitted before the kill was retried after it"
    );

    // The gateway's view: every emitted event exactly once, in strictly increasing cursors.
    let stored = gateway.all_events().await;
    let mut seen = HashSet::new();
    for event in &stored {
        assert!(
            seen.insert(event.id.clone()),
            "event {} stored twice",
            event.id
        );
    }
    let expected: BTreeSet<&str> = emitted.iter().map(|(id, _)| id.as_str()).collect();
    let got: BTreeSet<&str> = stored.iter().map(|event| event.id.as_str()).collect();
    assert_eq!(
        expected.difference(&got).count(),
        0,
        "missing events: {:?}",
        expected.difference(&got).collect::<Vec<_>>()
    );
    assert_eq!(got, expected, "events the sandbox never emitted");
    assert!(
        stored
            .windows(2)
            .all(|pair| pair[0].cursor < pair[1].cursor),
        "cursors not increasing"
    );
    let types: BTreeMap<&str, &str> = emitted
        .iter()
        .map(|(id, kind)| (id.as_str(), kind.as_str()))
        .collect();
    for event in &stored {
        assert_eq!(types[event.id.as_str()], event.r#type, "event {}", event.id);
    }

    // A subscriber from the start of the log gets all of them, in order, from the restarted
    // process.
    let mut stream = gateway
        .events()
        .subscribe(pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        })
        .await
        .expect("subscribe")
        .into_inner();
    for want in &stored {
        let event = next_event(&mut stream, Duration::from_secs(60)).await;
        assert_eq!((event.cursor, &event.id), (want.cursor, &want.id));
    }

    let duplicates = gateway
        .metrics()
        .await
        .lines()
        .find(|line| line.starts_with(r#"ralio_gateway_webhooks_total{outcome="duplicate"}"#))
        .map(str::to_owned)
        .unwrap_or_default();
    eprintln!(
        "crash test: {} events, {} attempts, {} failed attempts ({} without a response), \
         {} events interrupted by the kill, after restart: {duplicates:?}",
        emitted.len(),
        attempts.len(),
        failed,
        unreachable,
        interrupted.len()
    );
}

/// Holds SQLite's write lock on the gateway's event log from another connection, like a
/// stuck process would: the gateway's commits fail once its busy timeout passes.
struct WriteLock(rusqlite::Connection);

impl WriteLock {
    fn take(gateway: &GatewayProcess) -> Self {
        let connection =
            rusqlite::Connection::open(gateway.data_dir.join(EVENTS_DB)).expect("open event log");
        connection
            .busy_timeout(Duration::from_secs(30))
            .expect("busy timeout");
        connection
            .execute_batch("BEGIN IMMEDIATE")
            .expect("take the write lock");
        Self(connection)
    }

    fn release(self) {
        self.0.execute_batch("ROLLBACK").expect("release the lock");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn storage_failure_answers_503_and_loses_nothing_acknowledged() {
    let sandbox = sandbox().await;
    let mut gateway = GatewayProcess::start(&sandbox.base_url(), "").await;
    let url = gateway.ingest_url();
    let body = |id: &str| {
        v2(
            id,
            "account_activated",
            json!({"accountId": format!("acc-{id}")}),
        )
    };

    deliver_ok(&url, &body("stored-before")).await;

    // A lock held briefly elsewhere (a backup, a maintenance tool) is waited for, not refused.
    let lock = WriteLock::take(&gateway);
    let brief = tokio::spawn({
        let (url, body) = (url.clone(), body("after-brief-lock"));
        async move { deliver(&url, &body, Some(&sign(SECRET, &body))).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    lock.release();
    let (status, reply) = brief.await.expect("delivery");
    assert_eq!(status, 200, "{reply}");

    // While the log cannot commit: 503 for every new event (RalioPay retries), nothing stored,
    // and reads keep working.
    let lock = WriteLock::take(&gateway);
    let refused = futures::future::join_all(["refused-1", "refused-2"].map(|id| {
        let url = url.clone();
        let body = body(id);
        async move { deliver(&url, &body, Some(&sign(SECRET, &body))).await }
    }))
    .await;
    for (status, reply) in &refused {
        assert_eq!(*status, 503, "{reply}");
        assert!(
            !reply.to_string().contains(SECRET),
            "the secret leaked: {reply}"
        );
    }
    let stored = gateway.all_events().await;
    assert_eq!(
        stored.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["stored-before", "after-brief-lock"]
    );
    let missing = gateway
        .events()
        .get_event(pb::GetEventRequest {
            key: Some(pb::get_event_request::Key::Id("refused-1".into())),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let metrics = gateway.metrics().await;
    assert!(
        metrics.contains(r#"ralio_gateway_webhooks_total{outcome="unavailable"} 2"#),
        "{metrics}"
    );

    // The storage recovers: the retries are stored once, with no hole in the cursors.
    lock.release();
    for id in ["refused-1", "refused-2"] {
        let reply = deliver_ok(&url, &body(id)).await;
        assert_eq!(reply["duplicate"], false, "{reply}");
    }
    let reply = deliver_ok(&url, &body("refused-2")).await;
    assert_eq!(reply["duplicate"], true);

    // Whatever was acknowledged survives a SIGKILL.
    gateway.kill().await;
    gateway.restart().await;
    let stored = gateway.all_events().await;
    assert_eq!(
        stored
            .iter()
            .map(|e| (e.cursor, e.id.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, "stored-before"),
            (2, "after-brief-lock"),
            (3, "refused-1"),
            (4, "refused-2")
        ]
    );
}

#[tokio::test]
async fn the_binary_refuses_bodies_over_its_default_limit() {
    let sandbox = sandbox().await;
    let gateway = GatewayProcess::start(&sandbox.base_url(), "").await;
    let url = gateway.ingest_url();
    // A valid envelope padded to exactly `size` bytes.
    let padded = |id: &str, size: usize| {
        let empty = v2(id, "account_activated", json!({"pad": ""}));
        let body = v2(
            id,
            "account_activated",
            json!({"pad": "x".repeat(size - empty.len())}),
        );
        assert_eq!(body.len(), size);
        body
    };
    let at_limit = padded("at-limit", DEFAULT_BODY_LIMIT);
    let (status, reply) = deliver(&url, &at_limit, Some(&sign(SECRET, &at_limit))).await;
    assert_eq!(status, 200, "{reply}");
    let over = padded("over-limit", DEFAULT_BODY_LIMIT + 1);
    let (status, _) = deliver(&url, &over, Some(&sign(SECRET, &over))).await;
    assert_eq!(status, 413);
    let stored = gateway.all_events().await;
    assert_eq!(
        stored.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["at-limit"]
    );
    let data: Value = serde_json::from_str(&stored[0].raw_json).unwrap();
    let pad = data["pad"].as_str().unwrap().len();
    assert_eq!(
        serde_json::to_vec(&json!({"pad": "x".repeat(pad)}))
            .unwrap()
            .len(),
        stored[0].raw_json.len(),
        "the body was stored whole"
    );
}
