//! Input validation shared by every route (D3, D12): malformed JSON, wrong types, missing
//! fields, bad enums, oversized bodies, bad UUIDs, unknown routes.

mod common;

use common::Api;
use serde_json::json;

const ACCOUNTS: &str = "/api/v1/account/users";

async fn raw_post(api: &Api, path: &str, body: impl Into<reqwest::Body>) -> common::Reply {
    api.send_raw(
        api.http
            .post(api.url(path))
            .bearer_auth(&api.token)
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

#[tokio::test]
async fn malformed_json_names_the_body() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let path = format!("{ACCOUNTS}/{uid}/accounts");
    for body in [
        "{\"alias\": ",
        "not json",
        "[1,2]",
        "",
        "{\"alias\":\"a\",\"currency\":\"EUR\"} trailing",
    ] {
        let reply = raw_post(&api, &path, body).await;
        assert_eq!(reply.violation_fields(), ["body"], "{body:?}");
    }
}

#[tokio::test]
async fn wrong_types_missing_fields_and_bad_enums_are_named() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let path = format!("{ACCOUNTS}/{uid}/accounts");
    let reply = api
        .post(&path, json!({"alias": ["x"], "currency": 978}))
        .await;
    assert_eq!(reply.violation_fields(), ["alias", "currency"]);
    let reply = api.post(&path, json!({"currency": "EUR"})).await;
    assert_eq!(reply.violation_fields(), ["alias"]);
    assert_eq!(reply.body["violations"][0]["description"], "is required");
    let reply = api
        .post(&path, json!({"alias": "a", "currency": "eur"}))
        .await;
    assert_eq!(reply.violation_fields(), ["currency"]);
    // Unknown fields are ignored (D12).
    let reply = api
        .post(
            &path,
            json!({"alias": "a", "currency": "EUR", "colour": "red"}),
        )
        .await;
    assert_eq!(reply.status, 201);
}

#[tokio::test]
async fn typed_bodies_name_the_field_path() {
    let api = Api::start().await;
    let reply = api
        .control("/sandbox/v1/clock/advance", json!({"seconds": "soon"}))
        .await;
    assert_eq!(reply.violation_fields(), ["seconds"]);
    let reply = api.control("/sandbox/v1/clock/advance", json!({})).await;
    assert_eq!(reply.violation_fields(), ["seconds"]);
    let reply = api
        .control("/sandbox/v1/clock/advance", json!({"seconds": -5}))
        .await;
    assert_eq!(reply.violation_fields(), ["seconds"]);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_too_large() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let big = format!(
        "{{\"alias\":\"{}\",\"currency\":\"EUR\"}}",
        "a".repeat(1024 * 1024 + 1)
    );
    let reply = raw_post(&api, &format!("{ACCOUNTS}/{uid}/accounts"), big).await;
    reply.expect_error(413, "PAYLOAD_TOO_LARGE");
    // Just under the limit is read (and then rejected for its alias length, not its size).
    let under = format!(
        "{{\"alias\":\"{}\",\"currency\":\"EUR\"}}",
        "a".repeat(1024 * 1000)
    );
    let reply = raw_post(&api, &format!("{ACCOUNTS}/{uid}/accounts"), under).await;
    assert_eq!(reply.violation_fields(), ["alias"]);
}

#[tokio::test]
async fn malformed_uuids_name_the_parameter() {
    let api = Api::start().await;
    let reply = api.get(&format!("{ACCOUNTS}/123/accounts")).await;
    assert_eq!(reply.violation_fields(), ["uid"]);
    let reply = api.get(&format!("{ACCOUNTS}/123/accounts/456")).await;
    assert_eq!(reply.violation_fields(), ["uid", "aid"]);
    let reply = api
        .get(&format!("{ACCOUNTS}/{}/accounts", uuid::Uuid::new_v4()))
        .await;
    reply.expect_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let api = Api::start().await;
    api.get("/api/v1/nothing-here")
        .await
        .expect_error(404, "NOT_FOUND");
    api.get("/elsewhere").await.expect_error(404, "NOT_FOUND");
    let reply = api
        .call(reqwest::Method::DELETE, "/api/v1/merchant/user", None)
        .await;
    reply.expect_error(405, "METHOD_NOT_ALLOWED");
}
