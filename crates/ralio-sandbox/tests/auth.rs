//! Login, bearer tokens and request ids (spec/NOTES.md D2, D3).

mod common;

use common::Api;
use serde_json::json;

const PROTECTED: &str = "/api/v1/merchant/user";

#[tokio::test]
async fn login_issues_a_token_that_opens_the_api() {
    let api = Api::start().await;
    assert_eq!(api.token.split('.').count(), 3, "a JWT has three parts");
    api.get(PROTECTED).await.ok();
}

#[tokio::test]
async fn wrong_credentials_are_rejected() {
    let api = Api::start().await;
    for body in [
        json!({"api_code": "sandbox-merchant", "api_key": "wrong"}),
        json!({"api_code": "someone-else", "api_key": "sandbox-secret-key"}),
    ] {
        let reply = api
            .send_raw(api.http.post(api.url("/api/v1/auth/login")).json(&body))
            .await;
        reply.expect_error(401, "INVALID_CREDENTIALS");
        assert!(!reply.body.to_string().contains("sandbox-secret-key"));
    }
}

#[tokio::test]
async fn login_names_missing_fields() {
    let api = Api::start().await;
    let reply = api
        .send_raw(
            api.http
                .post(api.url("/api/v1/auth/login"))
                .json(&json!({})),
        )
        .await;
    assert_eq!(reply.violation_fields(), ["api_code", "api_key"]);
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_unauthorized() {
    let api = Api::start().await;
    let reply = api.send_raw(api.http.get(api.url(PROTECTED))).await;
    reply.expect_error(401, "UNAUTHORIZED");
    let reply = api
        .send_raw(api.http.get(api.url(PROTECTED)).basic_auth("a", Some("b")))
        .await;
    reply.expect_error(401, "UNAUTHORIZED");
}

#[tokio::test]
async fn forged_token_is_invalid() {
    let api = Api::start().await;
    // Same claims, signature of another key: take the token of a second sandbox.
    let other = Api::start().await;
    let reply = api
        .send_raw(api.http.get(api.url(PROTECTED)).bearer_auth(&other.token))
        .await;
    reply.expect_error(401, "TOKEN_INVALID");
    let reply = api
        .send_raw(api.http.get(api.url(PROTECTED)).bearer_auth("not.a.jwt"))
        .await;
    reply.expect_error(401, "TOKEN_INVALID");
    // Tampered payload, original signature.
    let mut parts: Vec<String> = api.token.split('.').map(str::to_owned).collect();
    parts[1] = format!("{}A", parts[1]);
    let reply = api
        .send_raw(
            api.http
                .get(api.url(PROTECTED))
                .bearer_auth(parts.join(".")),
        )
        .await;
    reply.expect_error(401, "TOKEN_INVALID");
}

#[tokio::test]
async fn token_expires_on_the_sandbox_clock() {
    let api = Api::start().await;
    let reply = api
        .control("/sandbox/v1/clock/advance", json!({"seconds": 3_599}))
        .await;
    reply.ok();
    api.get(PROTECTED).await.ok();
    api.control("/sandbox/v1/clock/advance", json!({"seconds": 2}))
        .await
        .ok();
    api.get(PROTECTED).await.expect_error(401, "TOKEN_EXPIRED");
    // Logging in again works at any time.
    let fresh = api.login().await;
    let reply = api
        .send_raw(api.http.get(api.url(PROTECTED)).bearer_auth(fresh))
        .await;
    reply.ok();
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let api = Api::start().await;
    let reply = api
        .send_raw(
            api.http
                .get(api.url(PROTECTED))
                .header("X-Request-Id", "trace-123"),
        )
        .await;
    assert_eq!(reply.headers["x-request-id"], "trace-123");
    assert_eq!(reply.body["requestId"], "trace-123");

    let reply = api.get(PROTECTED).await;
    let generated = reply.headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok());

    let reply = api.get("/api/v1/no/such/route").await;
    reply.expect_error(404, "NOT_FOUND");
    assert_eq!(
        reply.body["requestId"],
        reply.headers["x-request-id"].to_str().unwrap()
    );
}
