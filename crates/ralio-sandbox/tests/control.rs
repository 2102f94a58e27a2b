//! The control API's clock and reset (D13, D14).

mod common;

use chrono::{DateTime, Duration, Utc};
use common::Api;
use serde_json::{Value, json};

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn clock_advances_and_reports_the_new_time() {
    let api = Api::start().await;
    let before = time(
        &api.send_raw(api.http.get(api.url("/sandbox/v1/clock")))
            .await
            .ok()["now"],
    );
    let reply = api
        .control("/sandbox/v1/clock/advance", json!({"seconds": 86_400}))
        .await;
    let after = time(&reply.ok()["now"]);
    let moved = after - before;
    assert!(
        moved >= Duration::seconds(86_400) && moved < Duration::seconds(86_460),
        "{moved}"
    );
    let now = time(
        &api.send_raw(api.http.get(api.url("/sandbox/v1/clock")))
            .await
            .ok()["now"],
    );
    assert!(now >= after);
    // Entities are stamped with the sandbox time.
    let user = api
        .send_raw(
            api.http
                .post(api.url("/api/v1/account/individual-users"))
                .bearer_auth(api.login().await)
                .json(&common::individual_user_body("late@example.com")),
        )
        .await;
    assert!(time(&user.ok()["createdAt"]) >= after);
}

#[tokio::test]
async fn reset_clears_everything_but_the_merchant() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    api.create_account(&uid, "Main", "EUR").await;
    api.control("/sandbox/v1/clock/advance", json!({"seconds": 600}))
        .await
        .ok();
    let faults = api
        .send_raw(api.http.put(api.url("/sandbox/v1/faults")).json(
            &json!([{"route": "/api/v1/reference/**", "errorRate": 1.0, "errorStatus": 503}]),
        ))
        .await;
    faults.ok();
    api.get("/api/v1/reference/activities")
        .await
        .expect_error(503, "UNAVAILABLE");
    assert!(!api.event_names().is_empty());

    let reply = api.control("/sandbox/v1/reset", json!({})).await;
    let now = time(&reply.ok()["now"]);
    assert!(
        (now - Utc::now()).num_seconds().abs() < 60,
        "clock is back to real time"
    );
    assert!(api.event_names().is_empty());
    api.get(&format!("/api/v1/account/users/{uid}/accounts"))
        .await
        .expect_error(404, "NOT_FOUND");
    api.get("/api/v1/reference/activities").await.ok();
    let merchant_accounts = api.get("/api/v1/merchant/user/accounts").await.ok().clone();
    assert_eq!(merchant_accounts.as_array().unwrap().len(), 4);
    let rules = api
        .send_raw(api.http.get(api.url("/sandbox/v1/faults")))
        .await;
    assert_eq!(rules.ok()["rules"], json!([]));
    // The same e-mail can be used again.
    api.post(
        "/api/v1/account/individual-users",
        common::individual_user_body("again@example.com"),
    )
    .await
    .ok();
    api.post(
        "/api/v1/account/individual-users",
        common::individual_user_body("again@example.com"),
    )
    .await
    .expect_error(409, "CONFLICT");
}

#[tokio::test]
async fn control_routes_need_no_token() {
    let api = Api::start().await;
    let reply = api
        .send_raw(
            api.http
                .post(api.url("/sandbox/v1/clock/advance"))
                .json(&json!({"seconds": 1})),
        )
        .await;
    reply.ok();
}

#[tokio::test]
async fn emitted_events_reach_the_webhook_dispatcher_with_their_envelope() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let account = api.create_account(&uid, "Main", "EUR").await;
    let stored = api.sandbox.state().webhooks.events();
    let names: Vec<_> = stored.iter().map(|e| e.event_type.wire_name()).collect();
    assert_eq!(
        names,
        [
            "kyc_session_verified",
            "kyc_state_updated",
            "account_activated"
        ]
    );
    let body: Value = serde_json::from_slice(&stored[2].body).unwrap();
    // account_activated is a v1 envelope (D11).
    assert_eq!(body["event"], "account_activated");
    assert_eq!(body["id"], stored[2].id.to_string());
    assert_eq!(body["data"], json!({"accountId": account["id"]}));
}
