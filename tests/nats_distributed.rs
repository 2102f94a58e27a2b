//! Two gateway processes on one NATS JetStream (`events.backend = "nats"`): webhooks POSTed
//! into A are streamed in order to a subscriber on B; A is SIGKILLed mid-burst, the deliveries
//! it did not acknowledge are retried against B, and the subscriber gets every event exactly
//! once. The idempotency records are shared too: one key used on both gateways moves money
//! once.

mod nats_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::join_all;
use nats_support::{GatewayProcess, NatsServer, all_events, authed, post, signed_event};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use tokio::sync::mpsc;

/// Bounds hangs only; a healthy run takes a fraction of it.
const WAIT: Duration = Duration::from_secs(60);
const FIRST: usize = 40;
const BURST: usize = 300;
/// A is killed once this many burst deliveries were acknowledged.
const KILL_AFTER: usize = 100;
const POSTERS: usize = 6;

fn event(i: usize) -> (Vec<u8>, String) {
    signed_event(
        &format!("dist-{i:04}"),
        "viban_activated",
        json!({"vibanId": format!("v{i}"), "accountId": format!("acc-{}", i % 5)}),
    )
}

/// Streams every event of a subscription on `gateway` (from the earliest) into a channel.
fn subscribe(gateway: &GatewayProcess) -> mpsc::UnboundedReceiver<pb::Event> {
    let channel = gateway.channel();
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut client = pb::events_service_client::EventsServiceClient::new(channel);
        let mut stream = client
            .subscribe(authed(pb::SubscribeRequest {
                start: Some(pb::subscribe_request::Start::Earliest(true)),
                ..Default::default()
            }))
            .await
            .expect("subscribe on B")
            .into_inner();
        while let Some(message) = stream.message().await.expect("B's stream stays healthy") {
            if let Some(pb::subscribe_response::Kind::Event(event)) = message.kind
                && sender.send(event).is_err()
            {
                return;
            }
        }
    });
    receiver
}

async fn receive(events: &mut mpsc::UnboundedReceiver<pb::Event>, n: usize) -> Vec<pb::Event> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events reached B", got.len()))
            .expect("subscription open");
        got.push(event);
    }
    got
}

#[tokio::test]
async fn a_subscriber_on_b_gets_every_event_posted_to_a_even_when_a_is_killed() {
    let nats = NatsServer::start().await;
    let sandbox = Sandbox::start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let mut a = GatewayProcess::start(&sandbox.base_url(), &nats.url()).await;
    let b = GatewayProcess::start(&sandbox.base_url(), &nats.url()).await;
    let mut on_b = subscribe(&b);
    let http = reqwest::Client::new();

    // In order: posted one by one into A, seen in the same order on B.
    for i in 0..FIRST {
        let (body, signature) = event(i);
        assert_eq!(
            post(&http, &a.ingest_url(), &body, &signature).await,
            Some(200)
        );
    }
    let first = receive(&mut on_b, FIRST).await;
    assert_eq!(
        first.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        (0..FIRST)
            .map(|i| format!("dist-{i:04}"))
            .collect::<Vec<_>>()
    );
    assert!(first.windows(2).all(|pair| pair[0].cursor < pair[1].cursor));

    // A burst from several posters into A; A is SIGKILLed mid-burst. Whatever A did not
    // acknowledge goes to B, like RalioPay's retries through a load balancer.
    let next = Arc::new(AtomicUsize::new(FIRST));
    let acked_by_a = Arc::new(AtomicUsize::new(0));
    let retried_on_b = Arc::new(AtomicUsize::new(0));
    let posters = (0..POSTERS).map(|_| {
        let (next, acked_by_a, retried_on_b) = (
            Arc::clone(&next),
            Arc::clone(&acked_by_a),
            Arc::clone(&retried_on_b),
        );
        let (a_url, b_url, http) = (a.ingest_url(), b.ingest_url(), http.clone());
        async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= FIRST + BURST {
                    return;
                }
                let (body, signature) = event(i);
                if post(&http, &a_url, &body, &signature).await == Some(200) {
                    acked_by_a.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                retried_on_b.fetch_add(1, Ordering::SeqCst);
                let deadline = tokio::time::Instant::now() + WAIT;
                while post(&http, &b_url, &body, &signature).await != Some(200) {
                    assert!(tokio::time::Instant::now() < deadline, "B never took {i}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });
    let burst = tokio::spawn(join_all(posters));
    let deadline = tokio::time::Instant::now() + WAIT;
    while acked_by_a.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(
            tokio::time::Instant::now() < deadline,
            "A too slow\n{}",
            a.logs()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill().await;
    tokio::time::timeout(WAIT, burst)
        .await
        .expect("burst finishes")
        .expect("posters did not panic");
    let (on_a, on_b_only) = (
        acked_by_a.load(Ordering::SeqCst),
        retried_on_b.load(Ordering::SeqCst),
    );
    eprintln!("burst: {on_a} acknowledged by A before it died, {on_b_only} retried on B");
    assert!(
        (KILL_AFTER..BURST).contains(&on_a),
        "A acked {on_a} of {BURST}"
    );
    assert_eq!(on_a + on_b_only, BURST);

    // The subscriber on B: every event exactly once, in cursor order, nothing more.
    let rest = receive(&mut on_b, BURST).await;
    let ids: Vec<String> = rest.iter().map(|e| e.id.clone()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), BURST, "a duplicate reached the subscriber");
    let expected: HashSet<String> = (FIRST..FIRST + BURST)
        .map(|i| format!("dist-{i:04}"))
        .collect();
    assert_eq!(unique, expected.iter().collect::<HashSet<_>>());
    assert!(rest.windows(2).all(|pair| pair[0].cursor < pair[1].cursor));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), on_b.recv())
            .await
            .is_err(),
        "an extra event reached the subscriber"
    );

    // A restarted A serves the same log.
    a.restart().await;
    let from_a = all_events(a.channel()).await;
    let from_b = all_events(b.channel()).await;
    assert_eq!(from_a.len(), FIRST + BURST);
    assert_eq!(from_a, from_b);
}

const MERCHANT_USER: &str = "00000000-0000-4000-8000-000000000001";
const MERCHANT_EUR: &str = "00000000-0000-4000-8000-000000000101";

fn payout() -> pb::CreateBankPayoutRequest {
    pb::CreateBankPayoutRequest {
        uid: MERCHANT_USER.into(),
        aid: MERCHANT_EUR.into(),
        amounts: Some(pb::PayoutAmounts {
            debited_amount: Some(pb::Money {
                currency: "EUR".into(),
                amount: 2_500,
            }),
            received_amount: None,
        }),
        description: "one payout across replicas".into(),
        own_reference: "NATS-IDEM-1".into(),
        recipient: Some(pb::BankPayoutRecipient {
            beneficiary_type: pb::BeneficiaryType::Person as i32,
            account_number: "ES9121000418450200051332".into(),
            routing_type: pb::RoutingType::Iban as i32,
            name: "Ana".into(),
            surname: "Ruiz".into(),
            relation: "FRIEND".into(),
            document: Some(pb::PayoutDocument {
                document_type: pb::PayoutDocumentType::NationalId as i32,
                number: "12345678Z".into(),
            }),
            address: Some(pb::PostalAddress {
                line1: "Calle Mayor 1".into(),
                city: "Madrid".into(),
                country: "ES".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        quote_id: String::new(),
    }
}

async fn bank_payouts(gateway: &GatewayProcess) -> Vec<pb::Order> {
    pb::orders_service_client::OrdersServiceClient::new(gateway.channel())
        .list_account_orders(authed(pb::ListAccountOrdersRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            page: Some(pb::PageRequest {
                page: 1,
                page_size: 100,
            }),
            query: None,
            filter: Some(pb::OrderListFilter {
                r#type: pb::OrderType::BankPayOut as i32,
                ..Default::default()
            }),
        }))
        .await
        .expect("list orders")
        .into_inner()
        .orders
}

#[tokio::test]
async fn one_idempotency_key_on_two_gateways_moves_money_once() {
    let nats = NatsServer::start().await;
    let sandbox = Sandbox::start(SandboxConfig::for_tests())
        .await
        .expect("sandbox starts");
    let funded = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/v1/accounts/{MERCHANT_EUR}/payins",
            sandbox.base_url()
        ))
        .json(&json!({"method": "BANK", "amount": 1_000_000, "currency": "EUR"}))
        .send()
        .await
        .expect("sandbox reachable");
    assert!(funded.status().is_success(), "{}", funded.status());
    let a = GatewayProcess::start(&sandbox.base_url(), &nats.url()).await;
    let b = GatewayProcess::start(&sandbox.base_url(), &nats.url()).await;
    let key = format!("nats-payout-{}", uuid::Uuid::new_v4());

    // Ten concurrent repeats on each gateway.
    let calls = [&a, &b].into_iter().flat_map(|gateway| {
        let channel = gateway.channel();
        let key = key.clone();
        (0..10).map(move |_| {
            let mut client = pb::payouts_service_client::PayoutsServiceClient::new(channel.clone());
            let mut request = authed(payout());
            request
                .metadata_mut()
                .insert("idempotency-key", key.parse().expect("header value"));
            async move { client.create_bank_payout(request).await }
        })
    });
    // The waiters on the in-flight claim are woken by the KV watch when it completes, not by
    // the claim timeout (minutes): the deadline only bounds that.
    let responses: Vec<pb::CreateBankPayoutResponse> = tokio::time::timeout(WAIT, join_all(calls))
        .await
        .expect("repeats answered without waiting for the claim timeout")
        .into_iter()
        .map(|result| result.expect("every repeat succeeds").into_inner())
        .collect();
    assert_eq!(responses.len(), 20);
    assert!(responses.iter().all(|response| *response == responses[0]));
    let order_id = responses[0]
        .payout
        .as_ref()
        .and_then(|payout| payout.order.as_ref())
        .map(|order| order.id.clone())
        .expect("order in response");
    let orders = bank_payouts(&b).await;
    assert_eq!(
        orders.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [order_id.as_str()],
        "exactly one payout in the sandbox"
    );

    // The record is in JetStream KV, not in either gateway's data directory.
    let kv = async_nats::jetstream::new(nats.client().await)
        .get_key_value("RALIO_IDEMPOTENCY")
        .await
        .expect("idempotency bucket");
    let mut keys = kv.keys().await.expect("keys");
    let mut count = 0;
    while let Some(key) = futures::StreamExt::next(&mut keys).await {
        key.expect("key");
        count += 1;
    }
    assert_eq!(count, 1);
}
