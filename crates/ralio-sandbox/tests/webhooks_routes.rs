//! The webhook control routes over real HTTP.

mod webhooks_support;

use ralio_sandbox::webhooks::{self, EventType, WebhookDispatcher};
use serde_json::{Value, json};
use webhooks_support::{Receiver, Reply, SECRET, fast_settings, idle};

struct Control {
    base: String,
    http: reqwest::Client,
    dispatcher: WebhookDispatcher,
}

impl Control {
    async fn start() -> Control {
        let dispatcher = WebhookDispatcher::new(fast_settings(3));
        let app: axum::Router = webhooks::router(dispatcher.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!(
            "http://{}/sandbox/v1/webhook",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Control {
            base,
            http: reqwest::Client::new(),
            dispatcher,
        }
    }

    /// Status and raw body text (to check what the secret does not appear in).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn put(&self, body: Value) -> (u16, Value) {
        let (status, text) = self.send(reqwest::Method::PUT, "", Some(body)).await;
        (status, serde_json::from_str(&text).unwrap())
    }
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn configure_show_and_delete_without_revealing_the_secret() {
    let control = Control::start().await;
    let (status, text) = control
        .send(
            reqwest::Method::PUT,
            "",
            Some(json!({"url": "https://example.test/hook", "secret": SECRET,
                "events": ["payin_completed", "related_party.kyc_session_created"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(!text.contains(SECRET), "{text}");
    let expected = json!({"url": "https://example.test/hook", "secret": "***",
        "events": ["payin_completed", "related_party.kyc_session_created"]});
    assert_eq!(json_of(&text), expected);

    let (status, text) = control.send(reqwest::Method::GET, "", None).await;
    assert_eq!(status, 200);
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(json_of(&text), expected);
    assert_eq!(
        control.dispatcher.endpoint().unwrap().events,
        Some(vec![
            EventType::PayinCompleted,
            EventType::RelatedPartyKycSessionCreated
        ])
    );

    // Without `events`, every event is selected.
    let (_, body) = control
        .put(json!({"url": "http://localhost:1/hook", "secret": "x"}))
        .await;
    assert_eq!(body["events"], Value::Null);
    assert_eq!(control.dispatcher.endpoint().unwrap().events, None);

    let (status, _) = control.send(reqwest::Method::DELETE, "", None).await;
    assert_eq!(status, 204);
    let (status, text) = control.send(reqwest::Method::GET, "", None).await;
    assert_eq!(status, 404);
    assert_eq!(json_of(&text)["error"], "NOT_FOUND");
    assert!(control.dispatcher.endpoint().is_none());
}

#[tokio::test]
async fn invalid_configurations_are_rejected_naming_the_field() {
    let control = Control::start().await;
    for (body, field) in [
        (
            json!({"url": "ftp://example.test/hook", "secret": "s"}),
            "url",
        ),
        (json!({"url": "not a url", "secret": "s"}), "url"),
        (json!({"secret": "s"}), "url"),
        (
            json!({"url": "http://example.test", "secret": ""}),
            "secret",
        ),
        (json!({"url": "http://example.test", "secret": 7}), "secret"),
        (json!({"url": "http://example.test"}), "secret"),
        (
            json!({"url": "http://example.test", "secret": "s",
                "events": ["payin_completed", "payin.completed"]}),
            "events[1]",
        ),
        (
            json!({"url": "http://example.test", "secret": "s", "events": "all"}),
            "events",
        ),
    ] {
        let (status, response) = control.put(body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(response["error"], "VALIDATION_ERROR");
        assert_eq!(response["code"], 400);
        assert_eq!(
            response["violations"][0]["field"], field,
            "{body}: {response}"
        );
    }
    let (status, text) = control.send(reqwest::Method::PUT, "", None).await;
    assert_eq!(status, 400);
    assert_eq!(json_of(&text)["error"], "VALIDATION_ERROR");
    assert!(control.dispatcher.endpoint().is_none());
}

#[tokio::test]
async fn deliveries_are_listed_oldest_first() {
    let receiver = Receiver::start(vec![Reply::Status(500)], 200).await;
    let control = Control::start().await;
    control
        .put(json!({"url": receiver.url, "secret": SECRET}))
        .await;
    let id = control.dispatcher.emit(
        EventType::KybStateUpdated,
        json!({"state": "REGULAR"}),
        chrono::Utc::now(),
    );
    idle(&control.dispatcher).await;

    let (status, text) = control
        .send(reqwest::Method::GET, "/deliveries", None)
        .await;
    assert_eq!(status, 200);
    assert!(!text.contains(SECRET));
    let deliveries = json_of(&text)["deliveries"].as_array().unwrap().clone();
    assert_eq!(deliveries.len(), 2);
    for (i, delivery) in deliveries.iter().enumerate() {
        assert_eq!(delivery["eventId"], json!(id));
        assert_eq!(delivery["eventType"], "kyb_state_updated");
        assert_eq!(delivery["url"], json!(receiver.url));
        assert_eq!(delivery["attempt"], i + 1);
        assert!(delivery["at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(deliveries[0]["statusCode"], 500);
    assert_eq!(deliveries[0]["outcome"], "retrying");
    assert!(deliveries[0]["nextRetryAt"].is_string());
    assert_eq!(deliveries[1]["statusCode"], 200);
    assert_eq!(deliveries[1]["outcome"], "delivered");
}

#[tokio::test]
async fn redeliver_replays_the_same_bytes() {
    let receiver = Receiver::start(vec![], 200).await;
    let control = Control::start().await;
    control
        .put(json!({"url": receiver.url, "secret": SECRET, "events": ["payin_failed"]}))
        .await;
    let delivered = control.dispatcher.emit(
        EventType::PayinFailed,
        json!({"orderId": "o"}),
        chrono::Utc::now(),
    );
    // Not selected, so never sent; an explicit replay still delivers it.
    let unselected =
        control
            .dispatcher
            .emit(EventType::PayinCompleted, json!({}), chrono::Utc::now());
    idle(&control.dispatcher).await;
    assert_eq!(receiver.received().len(), 1);

    for id in [delivered, unselected] {
        let (status, text) = control
            .send(reqwest::Method::POST, &format!("/redeliver/{id}"), None)
            .await;
        assert_eq!(status, 202, "{text}");
        assert_eq!(json_of(&text)["eventId"], json!(id));
    }
    idle(&control.dispatcher).await;
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(received[2].json()["eventId"], json!(unselected));

    let unknown = uuid::Uuid::new_v4();
    let (status, _) = control
        .send(
            reqwest::Method::POST,
            &format!("/redeliver/{unknown}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, text) = control
        .send(reqwest::Method::POST, "/redeliver/not-a-uuid", None)
        .await;
    assert_eq!(status, 400);
    assert_eq!(json_of(&text)["violations"][0]["field"], "eventId");

    control.send(reqwest::Method::DELETE, "", None).await;
    let (status, text) = control
        .send(
            reqwest::Method::POST,
            &format!("/redeliver/{delivered}"),
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(json_of(&text)["error"], "INVALID_STATE");
}
