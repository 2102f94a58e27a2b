//! IDV (KYC) sessions: creation, reads, every transition of the D10 state machine, webhooks
//! and expiry on the sandbox clock.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::Api;
use serde_json::{Value, json};

async fn new_session(api: &Api, uid: &str) -> Value {
    let reply = api
        .post(
            &format!("/api/v1/account/users/{uid}/identity-verifications"),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 201);
    reply.ok().clone()
}

async fn act(api: &Api, sid: &str, action: &str, body: Value) -> common::Reply {
    api.control(
        &format!("/sandbox/v1/identity-verifications/{sid}/{action}"),
        body,
    )
    .await
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn history(api: &Api, uid: &str, sid: &str) -> Vec<String> {
    let body = api
        .get(&format!(
            "/api/v1/account/users/{uid}/identity-verifications/{sid}/state-history"
        ))
        .await
        .ok()
        .clone();
    assert_eq!(body["session_id"], sid);
    body["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert!(l["id"].is_i64());
            assert!(l["created_at"].is_string());
            l["new_state"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn user_level(api: &Api, uid: &str) -> String {
    // The level is visible through account creation: only REGULAR users may create accounts.
    let reply = api
        .post(
            &format!("/api/v1/account/users/{uid}/accounts"),
            json!({"alias": format!("probe-{}", uuid::Uuid::new_v4()), "currency": "EUR"}),
        )
        .await;
    if reply.status == 201 {
        "REGULAR".into()
    } else {
        "LIGHT".into()
    }
}

#[tokio::test]
async fn session_is_created_not_started_for_seven_days() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let session = new_session(&api, &uid).await;
    assert_eq!(session["state"], "NOT_STARTED");
    assert!(
        session["hostedUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(
        time(&session["expiresAt"]) - time(&session["createdAt"]),
        Duration::days(7)
    );

    let list = api
        .get(&format!(
            "/api/v1/account/users/{uid}/identity-verifications"
        ))
        .await
        .ok()
        .clone();
    let item = &list["sessions"][0];
    assert_eq!(item["id"], session["id"]);
    assert!(item["created_at"].is_string() && item["updated_at"].is_string());
    assert!(item.get("createdAt").is_none());
    assert_eq!(list["pagination"]["total"], 1);
}

#[tokio::test]
async fn unknown_user_and_business_user_cannot_open_a_session() {
    let api = Api::start().await;
    let reply = api
        .post(
            &format!(
                "/api/v1/account/users/{}/identity-verifications",
                uuid::Uuid::new_v4()
            ),
            json!({}),
        )
        .await;
    reply.expect_error(404, "NOT_FOUND");
    let business = api
        .post(
            "/api/v1/account/business-user",
            json!({"businessActivity": {"businessNature": "n", "businessType": "LLC",
                   "industryType": "RETAIL", "revenueModel": "r"}}),
        )
        .await;
    let bid = business.ok()["id"].as_str().unwrap().to_owned();
    api.post(
        &format!("/api/v1/account/users/{bid}/identity-verifications"),
        json!({}),
    )
    .await
    .expect_error(422, "INVALID_STATE");
}

#[tokio::test]
async fn approval_verifies_the_session_and_raises_the_user() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        act(&api, &sid, "start", Value::Null).await.ok()["state"],
        "STARTED"
    );
    assert_eq!(
        act(&api, &sid, "approve", Value::Null).await.ok()["state"],
        "VERIFIED"
    );

    assert_eq!(
        history(&api, &uid, &sid).await,
        ["NOT_STARTED", "STARTED", "VERIFIED"]
    );
    let checks = api
        .get(&format!(
            "/api/v1/account/users/{uid}/identity-verifications/{sid}/checks"
        ))
        .await
        .ok()
        .clone();
    assert_eq!(checks["session_id"], sid.as_str());
    let checks = checks["checks"].as_array().unwrap();
    let kinds: Vec<_> = checks.iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["document-verification", "face-matching"]);
    assert!(checks.iter().all(|c| c["state"] == "Validated"));

    assert_eq!(
        api.event_names(),
        ["kyc_session_verified", "kyc_state_updated"]
    );
    let verified = &api.events_named("kyc_session_verified")[0];
    assert_eq!(verified["sessionId"], sid.as_str());
    assert_eq!(verified["userId"], uid.as_str());
    assert_eq!(verified["entityType"], "user");
    assert_eq!(verified["checks"][0]["state"], "Validated");
    let updated = &api.events_named("kyc_state_updated")[0];
    assert_eq!(updated["userId"], uid.as_str());
    assert_eq!(updated["state"], "REGULAR");
    assert_eq!(user_level(&api, &uid).await, "REGULAR");
}

#[tokio::test]
async fn review_then_reject_records_reasons() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&api, &sid, "start", Value::Null).await.ok();
    assert_eq!(
        act(&api, &sid, "review", json!({"reason": "blurry"}))
            .await
            .ok()["state"],
        "REVIEW"
    );
    let reply = act(
        &api,
        &sid,
        "reject",
        json!({"reason": "document is damaged"}),
    )
    .await;
    assert_eq!(reply.ok()["state"], "REJECTED");
    assert_eq!(
        history(&api, &uid, &sid).await,
        ["NOT_STARTED", "STARTED", "REVIEW", "REJECTED"]
    );

    assert_eq!(
        api.event_names(),
        ["kyc_session_manual_review", "kyc_session_failed"]
    );
    let failed = &api.events_named("kyc_session_failed")[0];
    let doc = &failed["checks"][0];
    assert_eq!(doc["type"], "document-verification");
    assert_eq!(doc["state"], "Refused");
    assert_eq!(doc["reasons"][0]["message"], "document is damaged");
    assert!(doc["reasons"][0]["code"].is_string());

    let checks = api
        .get(&format!(
            "/api/v1/account/users/{uid}/identity-verifications/{sid}/checks"
        ))
        .await
        .ok()
        .clone();
    let refused = &checks["checks"][0];
    assert_eq!(refused["state"], "Refused");
    assert_eq!(
        refused["refused_reasons"][0]["message"],
        "document is damaged"
    );
    assert_eq!(user_level(&api, &uid).await, "LIGHT");
}

#[tokio::test]
async fn review_can_still_be_approved() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&api, &sid, "start", Value::Null).await.ok();
    act(&api, &sid, "review", Value::Null).await.ok();
    assert_eq!(
        act(&api, &sid, "approve", Value::Null).await.ok()["state"],
        "VERIFIED"
    );
    assert_eq!(
        api.event_names(),
        [
            "kyc_session_manual_review",
            "kyc_session_verified",
            "kyc_state_updated"
        ]
    );
}

#[tokio::test]
async fn illegal_transitions_are_invalid_state() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for action in ["approve", "review", "reject"] {
        act(&api, &sid, action, Value::Null)
            .await
            .expect_error(422, "INVALID_STATE");
    }
    act(&api, &sid, "start", Value::Null).await.ok();
    act(&api, &sid, "start", Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    act(&api, &sid, "review", Value::Null).await.ok();
    act(&api, &sid, "review", Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    act(&api, &sid, "approve", Value::Null).await.ok();
    for action in ["start", "approve", "review", "reject"] {
        act(&api, &sid, action, Value::Null)
            .await
            .expect_error(422, "INVALID_STATE");
    }
    act(
        &api,
        &uuid::Uuid::new_v4().to_string(),
        "start",
        Value::Null,
    )
    .await
    .expect_error(404, "NOT_FOUND");
    let reply = act(&api, "nope", "start", Value::Null).await;
    assert_eq!(reply.violation_fields(), ["sessionId"]);
    let reply = act(&api, &sid, "reject", json!({"reason": 5})).await;
    assert_eq!(reply.violation_fields(), ["reason"]);
}

#[tokio::test]
async fn sessions_of_another_user_are_forbidden() {
    let api = Api::start().await;
    let owner = api.create_user().await["id"].as_str().unwrap().to_owned();
    let other = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &owner).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.get(&format!(
        "/api/v1/account/users/{other}/identity-verifications/{sid}/checks"
    ))
    .await
    .expect_error(403, "FORBIDDEN");
    api.get(&format!(
        "/api/v1/account/users/{owner}/identity-verifications/{}/state-history",
        uuid::Uuid::new_v4()
    ))
    .await
    .expect_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn sessions_expire_after_seven_days_once() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let waiting = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&api, &started, "start", Value::Null).await.ok();
    act(&api, &done, "start", Value::Null).await.ok();
    act(&api, &done, "approve", Value::Null).await.ok();

    api.control(
        "/sandbox/v1/clock/advance",
        json!({"seconds": 7 * 86_400 - 60}),
    )
    .await
    .ok();
    assert!(api.events_named("kyc_session_expired").is_empty());
    api.control("/sandbox/v1/clock/advance", json!({"seconds": 120}))
        .await
        .ok();
    let expired = api.events_named("kyc_session_expired");
    assert_eq!(expired.len(), 2, "{expired:?}");
    let ids: Vec<_> = expired
        .iter()
        .map(|e| e["sessionId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&waiting.as_str()) && ids.contains(&started.as_str()));
    assert_eq!(expired[0]["checks"], json!([]));

    // Later reads and clock moves do not fire again.
    api.control("/sandbox/v1/clock/advance", json!({"seconds": 86_400}))
        .await
        .ok();
    let list = api
        .send_raw(
            api.http
                .get(api.url(&format!(
                    "/api/v1/account/users/{uid}/identity-verifications?state=EXPIRED"
                )))
                .bearer_auth(api.login().await),
        )
        .await;
    assert_eq!(list.ok()["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(api.events_named("kyc_session_expired").len(), 2);
    let token = api.login().await;
    let history = api
        .send_raw(
            api.http
                .get(api.url(&format!(
                    "/api/v1/account/users/{uid}/identity-verifications/{started}/state-history"
                )))
                .bearer_auth(token),
        )
        .await;
    let states: Vec<_> = history.ok()["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["new_state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states, ["NOT_STARTED", "STARTED", "EXPIRED"]);
    act(&api, &started, "approve", Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
}

#[tokio::test]
async fn expiry_is_also_evaluated_lazily_on_read() {
    let mut api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let sid = new_session(&api, &uid).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Move the clock without the control route, so only a read can notice the expiry.
    api.sandbox.state().clock.advance(8 * 86_400);
    api.token = api.login().await;
    let list = api
        .get(&format!(
            "/api/v1/account/users/{uid}/identity-verifications"
        ))
        .await
        .ok()
        .clone();
    assert_eq!(list["sessions"][0]["state"], "EXPIRED");
    let expired = api.events_named("kyc_session_expired");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["sessionId"], sid.as_str());
    api.get(&format!(
        "/api/v1/account/users/{uid}/identity-verifications"
    ))
    .await
    .ok();
    assert_eq!(api.events_named("kyc_session_expired").len(), 1);
}
