//! Webhook delivery over real HTTP: signature, envelopes, selection, retries, concurrency.

mod webhooks_support;

use chrono::{DateTime, Utc};
use ralio_sandbox::webhooks::{
    DeliverySettings, EventType, Outcome, TransportError, WebhookDispatcher, WebhookEndpoint,
    signature,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use webhooks_support::{Receiver, Reply, SECRET, endpoint, eventually, fast_settings, idle};

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-02-26T17:02:28.123Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn outcomes(dispatcher: &WebhookDispatcher) -> Vec<(u32, Option<u16>, Outcome)> {
    dispatcher
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.status_code, d.outcome))
        .collect()
}

#[tokio::test]
async fn signed_raw_body_with_headers() {
    let receiver = Receiver::start(vec![], 200).await;
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(endpoint(&receiver.url));

    let id = dispatcher.emit(EventType::PayinCompleted, json!({"orderId": "o-1"}), at());
    idle(&dispatcher).await;

    let [request] = receiver.received().try_into().unwrap();
    assert_eq!(request.header("content-type"), "application/json");
    assert_eq!(request.header("user-agent"), "ralio-sandbox");
    let header = request.header("x-signature");
    assert_eq!(header, signature::sign(SECRET, &request.body));
    assert!(
        header
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    assert!(signature::verify(SECRET, &request.body, header));

    let mut tampered = request.body.to_vec();
    let last = tampered.len() - 2;
    tampered[last] ^= 1;
    assert!(!signature::verify(SECRET, &tampered, header));
    assert!(!signature::verify("wrong-secret", &request.body, header));

    // The kept event is byte for byte what was sent.
    let [stored] = dispatcher.events().try_into().unwrap();
    assert_eq!(stored.id, id);
    assert_eq!(stored.body, request.body);
}

#[tokio::test]
async fn envelopes_follow_the_catalogue() {
    let receiver = Receiver::start(vec![], 200).await;
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(endpoint(&receiver.url));

    let v1_id = dispatcher.emit(EventType::AccountActivated, json!({"accountId": "a"}), at());
    idle(&dispatcher).await;
    let v2_id = dispatcher.emit(
        EventType::KycSessionManualReview,
        json!({"sessionId": "s"}),
        at(),
    );
    idle(&dispatcher).await;
    let related = dispatcher.emit(EventType::RelatedPartyKycSessionCreated, json!({}), at());
    idle(&dispatcher).await;

    let received = receiver.received();
    assert_eq!(
        received[0].json(),
        json!({"id": v1_id, "event": "account_activated",
            "timestamp": "2026-02-26T17:02:28.123Z", "data": {"accountId": "a"}})
    );
    assert_eq!(
        received[1].json(),
        json!({"eventId": v2_id, "eventType": "kyc_session_manual_review",
            "timestamp": "2026-02-26T17:02:28.123Z", "data": {"sessionId": "s"}})
    );
    assert_eq!(
        received[2].json()["eventType"],
        "related_party.kyc_session_created"
    );
    assert_eq!(received[2].json()["eventId"], json!(related));
    assert_eq!(v1_id.get_version_num(), 4);
}

#[tokio::test]
async fn only_selected_events_are_delivered() {
    let receiver = Receiver::start(vec![], 200).await;
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(WebhookEndpoint {
        events: Some(vec![EventType::PayinCompleted, EventType::FundError]),
        ..endpoint(&receiver.url)
    });

    dispatcher.emit(EventType::PayinFailed, json!({}), at());
    let wanted = dispatcher.emit(EventType::PayinCompleted, json!({}), at());
    dispatcher.emit(EventType::AccountActivated, json!({}), at());
    idle(&dispatcher).await;

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].json()["eventId"], json!(wanted));
    // Unselected events are still kept (for redelivery and inspection).
    assert_eq!(dispatcher.events().len(), 3);
}

#[tokio::test]
async fn no_endpoint_means_no_delivery() {
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.emit(EventType::PayinFailed, json!({}), at());
    assert_eq!(dispatcher.in_flight(), 0);
    assert!(dispatcher.deliveries().is_empty());
    assert_eq!(dispatcher.events().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let receiver = Receiver::start(vec![Reply::Status(500), Reply::Status(503)], 200).await;
    let dispatcher = WebhookDispatcher::new(DeliverySettings {
        base_delay: Duration::from_millis(50),
        ..fast_settings(5)
    });
    dispatcher.configure(endpoint(&receiver.url));

    let id = dispatcher.emit(
        EventType::TransferStateUpdated,
        json!({"state": "COMPLETED"}),
        at(),
    );
    idle(&dispatcher).await;

    assert_eq!(
        outcomes(&dispatcher),
        [
            (1, Some(500), Outcome::Retrying),
            (2, Some(503), Outcome::Retrying),
            (3, Some(200), Outcome::Delivered),
        ]
    );
    let deliveries = dispatcher.deliveries();
    assert!(
        deliveries
            .iter()
            .all(|d| d.event_id == id && d.url == receiver.url)
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.event_type == EventType::TransferStateUpdated)
    );
    // Exponential backoff: 50 ms then 100 ms (lower bounds; jitter only adds).
    let gap = |i: usize| (deliveries[i + 1].at - deliveries[i].at).to_std().unwrap();
    assert!(gap(0) >= Duration::from_millis(50), "{:?}", gap(0));
    assert!(gap(1) >= Duration::from_millis(100), "{:?}", gap(1));
    assert!(deliveries[0].next_retry_at.is_some() && deliveries[2].next_retry_at.is_none());

    // Every attempt sent the same bytes with the same signature.
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert!(
        received
            .iter()
            .all(|r| r.header("x-signature") == received[0].header("x-signature"))
    );
}

#[tokio::test]
async fn client_errors_are_final() {
    for status in [400, 404, 410] {
        let receiver = Receiver::start(vec![Reply::Status(status)], 200).await;
        let dispatcher = WebhookDispatcher::new(fast_settings(5));
        dispatcher.configure(endpoint(&receiver.url));
        dispatcher.emit(EventType::PayoutCompleted, json!({}), at());
        idle(&dispatcher).await;
        assert_eq!(
            outcomes(&dispatcher),
            [(1, Some(status), Outcome::Rejected)]
        );
        assert_eq!(receiver.received().len(), 1);
    }
}

#[tokio::test]
async fn redirects_are_retried_not_followed() {
    let receiver = Receiver::start(vec![Reply::Redirect], 200).await;
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(endpoint(&receiver.url));
    dispatcher.emit(EventType::VibanActivated, json!({}), at());
    idle(&dispatcher).await;
    assert_eq!(
        outcomes(&dispatcher),
        [
            (1, Some(302), Outcome::Retrying),
            (2, Some(200), Outcome::Delivered)
        ]
    );
    assert!(receiver.received().iter().all(|r| r.path == "/hook"));
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let receiver = Receiver::start(vec![], 500).await;
    let dispatcher = WebhookDispatcher::new(fast_settings(4));
    dispatcher.configure(endpoint(&receiver.url));
    dispatcher.emit(EventType::FundReceived, json!({}), at());
    idle(&dispatcher).await;
    assert_eq!(
        outcomes(&dispatcher),
        [
            (1, Some(500), Outcome::Retrying),
            (2, Some(500), Outcome::Retrying),
            (3, Some(500), Outcome::Retrying),
            (4, Some(500), Outcome::GaveUp),
        ]
    );
    assert_eq!(receiver.received().len(), 4);
}

#[tokio::test]
async fn connection_refused_is_retried() {
    // A port that was just free: nothing listens there any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);

    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(endpoint(&url));
    dispatcher.emit(EventType::KycStateUpdated, json!({}), at());
    idle(&dispatcher).await;

    let deliveries = dispatcher.deliveries();
    assert_eq!(deliveries.len(), 3);
    assert!(
        deliveries
            .iter()
            .all(|d| d.error == Some(TransportError::Connect))
    );
    assert!(deliveries.iter().all(|d| d.status_code.is_none()));
    assert_eq!(deliveries[2].outcome, Outcome::GaveUp);
}

#[tokio::test]
async fn timeouts_are_retried() {
    let receiver = Receiver::start(vec![Reply::Hang], 200).await;
    let dispatcher = WebhookDispatcher::new(DeliverySettings {
        attempt_timeout: Duration::from_millis(200),
        ..fast_settings(3)
    });
    dispatcher.configure(endpoint(&receiver.url));
    dispatcher.emit(EventType::VibanFailed, json!({}), at());
    idle(&dispatcher).await;

    let deliveries = dispatcher.deliveries();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!(deliveries[0].error, Some(TransportError::Timeout));
    assert_eq!(deliveries[0].outcome, Outcome::Retrying);
    assert_eq!(deliveries[1].status_code, Some(200));
    assert_eq!(deliveries[1].outcome, Outcome::Delivered);
}

#[tokio::test]
async fn a_slow_receiver_does_not_hold_up_other_events() {
    let gate = Arc::new(Notify::new());
    let receiver = Receiver::start(vec![Reply::WaitFor(Arc::clone(&gate))], 200).await;
    let dispatcher = WebhookDispatcher::new(DeliverySettings {
        attempt_timeout: Duration::from_secs(30),
        ..fast_settings(3)
    });
    dispatcher.configure(endpoint(&receiver.url));

    let slow = dispatcher.emit(EventType::PayinProcessing, json!({}), at());
    receiver.wait_for(1).await;
    // The first delivery is now stuck in the receiver; later events still go through.
    let fast: Vec<_> = (0..5)
        .map(|_| dispatcher.emit(EventType::PayinCompleted, json!({}), at()))
        .collect();
    receiver.wait_for(6).await;
    // The receiver answered the fast ones; their results are recorded right after.
    eventually(|| dispatcher.deliveries().len() == 5).await;
    assert!(
        dispatcher
            .deliveries()
            .iter()
            .all(|d| d.outcome == Outcome::Delivered && d.event_id != slow)
    );
    assert_eq!(dispatcher.in_flight(), 1, "only the slow delivery is left");
    assert!(!dispatcher.wait_idle(Duration::from_millis(20)).await);

    gate.notify_one();
    idle(&dispatcher).await;
    let deliveries = dispatcher.deliveries();
    assert_eq!(deliveries.len(), 6);
    assert!(deliveries.iter().all(|d| d.outcome == Outcome::Delivered));
    // The slow event finished last although it was emitted first.
    assert_eq!(deliveries.last().unwrap().event_id, slow);
    assert!(
        fast.iter()
            .all(|id| deliveries[..5].iter().any(|d| d.event_id == *id))
    );
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let gate = Arc::new(Notify::new());
    let held = || Reply::WaitFor(Arc::clone(&gate));
    let receiver = Receiver::start(vec![held(), held(), held()], 200).await;
    let dispatcher = WebhookDispatcher::new(DeliverySettings {
        max_in_flight: 2,
        attempt_timeout: Duration::from_secs(30),
        ..fast_settings(3)
    });
    dispatcher.configure(endpoint(&receiver.url));
    for _ in 0..3 {
        dispatcher.emit(EventType::PayinCompleted, json!({}), at());
    }
    receiver.wait_for(2).await;
    // Both slots are held by the receiver: the third request must wait for one of them.
    // (Proving that something does not happen needs a window; 200 ms is ample on loopback.)
    assert!(!receiver.arrived_within(3, Duration::from_millis(200)).await);
    gate.notify_one();
    receiver.wait_for(3).await;
    gate.notify_one();
    gate.notify_one();
    idle(&dispatcher).await;
    assert_eq!(dispatcher.deliveries().len(), 3);
}

#[tokio::test]
async fn reset_abandons_pending_retries() {
    let receiver = Receiver::start(vec![], 500).await;
    let dispatcher = WebhookDispatcher::new(DeliverySettings {
        base_delay: Duration::from_secs(3_600),
        ..fast_settings(5)
    });
    dispatcher.configure(endpoint(&receiver.url));
    dispatcher.emit(EventType::FundPending, json!({}), at());
    receiver.wait_for(1).await;
    // The first attempt failed and a retry is an hour away; reset must not wait for it.
    dispatcher.reset();
    idle(&dispatcher).await;
    assert!(dispatcher.deliveries().is_empty());
    assert!(dispatcher.events().is_empty());
    assert!(dispatcher.endpoint().is_none());
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn the_secret_never_shows_in_debug_output() {
    let dispatcher = WebhookDispatcher::new(fast_settings(3));
    dispatcher.configure(endpoint("http://127.0.0.1:9/hook"));
    let printed = format!(
        "{dispatcher:?} {:?} {:#?}",
        dispatcher.endpoint(),
        dispatcher.endpoint()
    );
    assert!(!printed.contains(SECRET), "{printed}");
    assert!(printed.contains("***"));
}
