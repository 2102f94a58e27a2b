//! The JetStream KV idempotency store on a real nats-server, through two store instances (two
//! replicas): one claim wins, the other side waits and is woken by the completion, replays the
//! outcome, refuses another request under the same key; a released key can be claimed again;
//! an abandoned claim is answered as "outcome unknown" after the claim timeout.

mod nats_support;

use std::time::Duration;

use nats_support::NatsServer;
use ralio_gateway::idempotency::{
    Begin, IdempotencyStore, JetStreamStore, Outcome, RecordKey, RequestHash,
};

/// Bounds hangs only.
const WAIT: Duration = Duration::from_secs(30);

fn key(name: &str) -> RecordKey {
    RecordKey {
        caller: "payments".into(),
        key: name.into(),
    }
}

async fn stores(nats: &NatsServer, claim_timeout: Duration) -> (JetStreamStore, JetStreamStore) {
    let ttl = Duration::from_secs(3600);
    let a = JetStreamStore::open_with(nats.client().await, "IDEM_TEST", ttl, claim_timeout)
        .await
        .expect("store A");
    let b = JetStreamStore::open_with(nats.client().await, "IDEM_TEST", ttl, claim_timeout)
        .await
        .expect("store B");
    (a, b)
}

#[tokio::test]
async fn one_claim_wins_across_replicas_and_the_others_replay_it() {
    let nats = NatsServer::start().await;
    // A claim timeout far beyond WAIT: a waiter woken in time was woken by the completion.
    let (a, b) = stores(&nats, Duration::from_secs(600)).await;
    let hash = RequestHash([7; 32]);

    let Begin::New(guard) = a.begin(key("k1"), hash).await.unwrap() else {
        panic!("the first begin claims the key");
    };
    let Begin::InFlight(waiting) = b.begin(key("k1"), hash).await.unwrap() else {
        panic!("the other replica sees the claim in flight");
    };
    assert!(matches!(
        b.begin(key("k1"), RequestHash([8; 32])).await.unwrap(),
        Begin::Mismatch
    ));
    let outcome = Outcome::Response(b"payout-1".to_vec());
    a.complete(guard, outcome.clone()).await.unwrap();
    tokio::time::timeout(WAIT, waiting.wait())
        .await
        .expect("the waiter is woken by the completion");
    match b.begin(key("k1"), hash).await.unwrap() {
        Begin::Replay(replayed) => assert_eq!(replayed, outcome),
        _ => panic!("the completed record replays"),
    }
    assert!(matches!(
        a.begin(key("k1"), RequestHash([8; 32])).await.unwrap(),
        Begin::Mismatch
    ));

    // Released: the key is free again, on either replica; the waiter is woken too.
    let Begin::New(guard) = b.begin(key("k2"), hash).await.unwrap() else {
        panic!("fresh key");
    };
    let Begin::InFlight(waiting) = a.begin(key("k2"), hash).await.unwrap() else {
        panic!("in flight");
    };
    b.release(guard).await.unwrap();
    tokio::time::timeout(WAIT, waiting.wait())
        .await
        .expect("the waiter is woken by the release");
    assert!(matches!(
        a.begin(key("k2"), hash).await.unwrap(),
        Begin::New(_)
    ));
}

#[tokio::test]
async fn a_claim_abandoned_by_a_dead_replica_is_answered_as_unknown() {
    let nats = NatsServer::start().await;
    let (a, b) = stores(&nats, Duration::from_millis(500)).await;
    let hash = RequestHash([1; 32]);
    let Begin::New(guard) = a.begin(key("k"), hash).await.unwrap() else {
        panic!("claims");
    };
    // The replica "dies": its guard is never completed nor released.
    std::mem::forget(guard);
    drop(a);
    let Begin::InFlight(waiting) = b.begin(key("k"), hash).await.unwrap() else {
        panic!("in flight");
    };
    tokio::time::timeout(WAIT, waiting.wait())
        .await
        .expect("the wait ends at the claim timeout");
    match b.begin(key("k"), hash).await.unwrap() {
        Begin::Replay(Outcome::Error { message, .. }) => {
            assert!(message.contains("may or may not"), "{message}");
        }
        _ => panic!("an abandoned claim answers outcome unknown"),
    }
}
