//! Competing members of one durable consumer on two gateway processes sharing one NATS
//! JetStream (`events.backend = "nats"`): the work is split across the replicas (each event to
//! exactly one member while every member acknowledges), the position advances once all is
//! acknowledged, and the events leased to a member that disconnects, or whose gateway is
//! killed, go to the other member after the ack-wait (at-least-once).

mod nats_support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use futures::future::join_all;
use nats_support::{GatewayProcess, NatsServer, all_events, authed, post, signed_event};
use ralio_gateway::events::jetstream::{DEFAULT_CONSUMERS_BUCKET, leases_bucket};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Bounds hangs only; a healthy run takes a fraction of it.
const WAIT: Duration = Duration::from_secs(90);
const CONSUMER: &str = "billing";
/// `events.max_in_flight_per_member` of both gateways.
const IN_FLIGHT: usize = 10;
/// Both gateways: at most [`IN_FLIGHT`] unacknowledged events per member, and an ack-wait long
/// enough that a healthy member on a loaded machine always acks in time (phase 1 allows no
/// redelivery at all).
const EVENTS_TOML: &str = "ack_wait_secs = 5\nmax_in_flight_per_member = 10";

/// One delivery to a member.
#[derive(Debug, Clone)]
struct Delivery {
    member: &'static str,
    id: String,
    cursor: u64,
}

/// A member of [`CONSUMER`] (every event) on `gateway`, forwarding every event it receives to
/// `sink` and, when `acking`, acknowledging it on the same gateway once forwarded. Aborting the
/// task disconnects the member.
fn member(
    gateway: &GatewayProcess,
    name: &'static str,
    acking: bool,
    sink: mpsc::UnboundedSender<Delivery>,
) -> JoinHandle<()> {
    let acks = acking.then(|| gateway.channel());
    member_with(gateway, name, CONSUMER, None, acks, sink)
}

/// A member of `consumer` (with `filter`) streaming from `gateway`; it acknowledges what it
/// receives through `acks` (any gateway), if given.
fn member_with(
    gateway: &GatewayProcess,
    name: &'static str,
    consumer: &'static str,
    filter: Option<pb::EventFilter>,
    acks: Option<tonic::transport::Channel>,
    sink: mpsc::UnboundedSender<Delivery>,
) -> JoinHandle<()> {
    let channel = gateway.channel();
    tokio::spawn(async move {
        let mut stream = pb::events_service_client::EventsServiceClient::new(channel)
            .subscribe(authed(pb::SubscribeRequest {
                consumer: consumer.into(),
                filter,
                start: Some(pb::subscribe_request::Start::Earliest(true)),
                ..Default::default()
            }))
            .await
            .expect("subscribe")
            .into_inner();
        let mut acks = acks.map(pb::events_service_client::EventsServiceClient::new);
        // Ends when the gateway goes away (phase 3 kills one).
        while let Ok(Some(message)) = stream.message().await {
            let Some(pb::subscribe_response::Kind::Event(event)) = message.kind else {
                continue;
            };
            let cursor = event.cursor;
            if sink
                .send(Delivery {
                    member: name,
                    id: event.id,
                    cursor,
                })
                .is_err()
            {
                return;
            }
            if let Some(acks) = acks.as_mut() {
                let _ = acks
                    .ack(authed(pb::AckRequest {
                        consumer: consumer.into(),
                        cursor,
                    }))
                    .await;
            }
        }
    })
}

/// The consumer's stored position, as `gateway` reports it (an ack of cursor 0 changes
/// nothing and answers the position).
async fn position(gateway: &GatewayProcess, consumer: &str) -> u64 {
    pb::events_service_client::EventsServiceClient::new(gateway.channel())
        .ack(authed(pb::AckRequest {
            consumer: consumer.into(),
            cursor: 0,
        }))
        .await
        .expect("ack 0")
        .into_inner()
        .cursor
}

async fn wait_for_position(gateway: &GatewayProcess, consumer: &str, cursor: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let at = position(gateway, consumer).await;
        if at == cursor {
            return;
        }
        assert!(
            at < cursor && tokio::time::Instant::now() < deadline,
            "position {at}, expected {cursor}\n{}",
            gateway.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Posts `ids` as `payin_completed` events (signed), spread over the ingest URLs, four at a
/// time; every one answered 200.
async fn ingest(urls: &[String], ids: &[String]) {
    ingest_typed(urls, ids, |_| "payin_completed").await;
}

/// [`ingest`] with the type of each event chosen by its index.
async fn ingest_typed(urls: &[String], ids: &[String], kind: impl Fn(usize) -> &'static str) {
    let http = reqwest::Client::new();
    for (round, chunk) in ids.chunks(4).enumerate() {
        join_all(chunk.iter().enumerate().map(|(i, id)| {
            let (body, signature) = signed_event(
                id,
                kind(round * 4 + i),
                json!({"payinId": id, "accountId": "acc-1", "amount": "10.00"}),
            );
            let (http, url) = (http.clone(), urls[i % urls.len()].clone());
            async move {
                assert_eq!(
                    post(&http, &url, &body, &signature).await,
                    Some(200),
                    "{id}"
                );
            }
        }))
        .await;
    }
}

/// Receives deliveries until every id of `want` was seen at least once.
async fn until_all(
    deliveries: &mut mpsc::UnboundedReceiver<Delivery>,
    want: &HashSet<String>,
    got: &mut Vec<Delivery>,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let seen: HashSet<&String> = got.iter().map(|d| &d.id).collect();
        if want.iter().all(|id| seen.contains(id)) {
            return;
        }
        let missing = want.len() - want.iter().filter(|id| seen.contains(id)).count();
        let delivery = tokio::time::timeout_at(deadline, deliveries.recv())
            .await
            .unwrap_or_else(|_| panic!("{missing} events never delivered"))
            .expect("members alive");
        got.push(delivery);
    }
}

/// Waits (bounded) until the leases bucket holds nothing: every lease was acknowledged and
/// purged once the position passed it.
async fn wait_for_no_leases(nats: &NatsServer) {
    let jetstream = async_nats::jetstream::new(nats.client().await);
    let bucket = leases_bucket(DEFAULT_CONSUMERS_BUCKET);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut stream = jetstream
            .get_stream(format!("KV_{bucket}"))
            .await
            .expect("the leases bucket exists");
        let left = stream.info().await.expect("stream info").state.messages;
        if left == 0 {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!(
                "{left} lease keys left behind: {}",
                lease_entries(&jetstream, &bucket).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The keys and values still in the leases bucket, for a failure message.
async fn lease_entries(jetstream: &async_nats::jetstream::Context, bucket: &str) -> String {
    let Ok(bucket) = jetstream.get_key_value(bucket).await else {
        return "(bucket not readable)".to_owned();
    };
    let Ok(keys) = bucket.keys().await else {
        return "(keys not readable)".to_owned();
    };
    let keys: Vec<String> = keys.filter_map(|key| async { key.ok() }).collect().await;
    let mut entries = Vec::new();
    for key in keys {
        let value = bucket.get(&key).await.ok().flatten();
        let value = value.map_or_else(
            || "-".to_owned(),
            |bytes| String::from_utf8_lossy(&bytes).into_owned(),
        );
        entries.push(format!("{key}={value}"));
    }
    entries.join(", ")
}

/// The first [`IN_FLIGHT`] deliveries: all a member that does not ack can hold.
async fn fill(deliveries: &mut mpsc::UnboundedReceiver<Delivery>) -> Vec<Delivery> {
    let mut held = Vec::new();
    while held.len() < IN_FLIGHT {
        let delivery = tokio::time::timeout(WAIT, deliveries.recv())
            .await
            .expect("the member gets its fill")
            .expect("member alive");
        held.push(delivery);
    }
    held
}

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:04}")).collect()
}

fn counts(deliveries: &[Delivery]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for delivery in deliveries {
        *counts.entry(delivery.id.as_str()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn members_on_two_gateways_share_a_consumer_and_take_over_each_others_leases() {
    let nats = NatsServer::start().await;
    let sandbox = Sandbox::start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let a = GatewayProcess::start_with(&sandbox.base_url(), &nats.url(), EVENTS_TOML).await;
    let mut b = GatewayProcess::start_with(&sandbox.base_url(), &nats.url(), EVENTS_TOML).await;
    let urls = [a.ingest_url(), b.ingest_url()];

    // 1. Both members healthy: 200 events posted into both gateways while they consume.
    let (sink, mut deliveries) = mpsc::unbounded_channel();
    let on_a = member(&a, "a1", true, sink.clone());
    let on_b = member(&b, "b1", true, sink);
    let first = ids("share", 200);
    let started = std::time::Instant::now();
    ingest(&urls, &first).await;
    let mut got = Vec::new();
    until_all(&mut deliveries, &first.iter().cloned().collect(), &mut got).await;
    let head = all_events(a.channel()).await.last().expect("events").cursor;
    assert_eq!(head, 200);
    wait_for_position(&a, CONSUMER, head).await;
    eprintln!(
        "healthy: 200 events ingested, delivered and acked in {:?}",
        started.elapsed()
    );
    assert_eq!(position(&b, CONSUMER).await, head);
    // Everything is acknowledged: nothing can be delivered again. Disconnect both members and
    // take everything they received.
    on_a.abort();
    on_b.abort();
    while let Some(delivery) = deliveries.recv().await {
        got.push(delivery);
    }
    let per_id = counts(&got);
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(per_id.len(), 200);
    let by_a = got.iter().filter(|d| d.member == "a1").count();
    let by_b = got.iter().filter(|d| d.member == "b1").count();
    eprintln!("healthy: {by_a} events to the member on A, {by_b} to the member on B");
    assert!(
        by_a > 0 && by_b > 0,
        "the work was not shared: A {by_a}, B {by_b}"
    );
    assert_eq!(by_a + by_b, 200);
    wait_for_no_leases(&nats).await;

    // 2. A member on B takes its fill and disconnects without acknowledging; a member on A
    //    gets those events after the ack-wait, and everything else at once.
    let (sink, mut deliveries) = mpsc::unbounded_channel();
    let quitter = member(&b, "b2", false, sink.clone());
    let second = ids("quit", 50);
    ingest(&urls, &second).await;
    let held = fill(&mut deliveries).await;
    quitter.abort();
    let on_a = member(&a, "a2", true, sink);
    let mut got = Vec::new();
    until_all(&mut deliveries, &second.iter().cloned().collect(), &mut got).await;
    wait_for_position(&b, CONSUMER, 250).await;
    on_a.abort();
    while let Some(delivery) = deliveries.recv().await {
        got.push(delivery);
    }
    let to_a: Vec<&Delivery> = got.iter().filter(|d| d.member == "a2").collect();
    let to_a_ids: HashSet<&str> = to_a.iter().map(|d| d.id.as_str()).collect();
    eprintln!(
        "after a disconnect: {} deliveries to the member on A",
        to_a.len()
    );
    assert_eq!(to_a_ids.len(), 50);
    for delivery in &held {
        assert!(
            to_a_ids.contains(delivery.id.as_str()),
            "{} (held by the quitter) was not redelivered",
            delivery.id
        );
        assert!(delivery.cursor > 200);
    }

    // 3. The gateway serving a member dies (SIGKILL) while the member holds leases: the
    //    member on A gets them after the ack-wait.
    let (sink, mut deliveries) = mpsc::unbounded_channel();
    let doomed = member(&b, "b3", false, sink.clone());
    let third = ids("kill", 30);
    ingest(&[a.ingest_url()], &third).await;
    let held = fill(&mut deliveries).await;
    b.kill().await;
    doomed.abort();
    let on_a = member(&a, "a3", true, sink);
    let mut got = Vec::new();
    until_all(&mut deliveries, &third.iter().cloned().collect(), &mut got).await;
    wait_for_position(&a, CONSUMER, 280).await;
    on_a.abort();
    while let Some(delivery) = deliveries.recv().await {
        got.push(delivery);
    }
    let to_a: HashSet<&str> = got
        .iter()
        .filter(|d| d.member == "a3")
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(to_a.len(), 30);
    assert!(held.iter().all(|d| to_a.contains(d.id.as_str())));
    wait_for_no_leases(&nats).await;
}

#[tokio::test]
async fn acks_through_a_gateway_without_members_move_a_filtered_consumer() {
    const AUDIT: &str = "audit";
    let nats = NatsServer::start().await;
    let sandbox = Sandbox::start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let a = GatewayProcess::start_with(&sandbox.base_url(), &nats.url(), EVENTS_TOML).await;
    let b = GatewayProcess::start_with(&sandbox.base_url(), &nats.url(), EVENTS_TOML).await;

    // The member streams from A and acknowledges through B (no member there: B neither knows
    // the filter nor hears of A's leases), with payins only; every third event is a viban one.
    let (sink, mut deliveries) = mpsc::unbounded_channel();
    let filter = Some(pb::EventFilter {
        types: vec!["payin.*".into()],
        ..Default::default()
    });
    let on_a = member_with(&a, "a", AUDIT, filter, Some(b.channel()), sink);
    let all = ids("audit", 60);
    let kind = |i: usize| {
        if i % 3 == 2 {
            "viban_activated"
        } else {
            "payin_completed"
        }
    };
    ingest_typed(&[a.ingest_url(), b.ingest_url()], &all, kind).await;
    let payins: HashSet<String> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| kind(*i) == "payin_completed")
        .map(|(_, id)| id.clone())
        .collect();
    let mut got = Vec::new();
    until_all(&mut deliveries, &payins, &mut got).await;
    // More than `IN_FLIGHT` payins went through one member: A learnt of the acks made on B.
    assert_eq!(payins.len(), 40);
    let head = all_events(a.channel()).await.last().expect("events").cursor;
    wait_for_position(&b, AUDIT, head).await;
    on_a.abort();
    while let Some(delivery) = deliveries.recv().await {
        got.push(delivery);
    }
    let per_id = counts(&got);
    assert!(
        per_id.keys().all(|id| payins.contains(*id)),
        "an event outside the filter was delivered"
    );
    assert_eq!(per_id.len(), payins.len());
    assert!(per_id.values().all(|n| *n == 1), "redelivered: {per_id:?}");
    wait_for_no_leases(&nats).await;
}
