//! Fault injection over real HTTP: a tiny API behind `faults::layer`, configured through the
//! `/sandbox/v1/faults` control routes.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use ralio_sandbox::faults::{self, Faults};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct App {
    base: String,
    http: reqwest::Client,
}

impl App {
    /// Serves `/api/v1/{ping,account/{id},orders}` behind the fault layer, plus the control
    /// routes. With `layer_everything`, the layer also wraps the control routes.
    async fn start(layer_everything: bool) -> App {
        let faults = Faults::new();
        let api = Router::new()
            .route("/api/v1/ping", get(|| async { "pong" }))
            .route("/api/v1/account/{id}", get(|| async { "account" }))
            .route("/api/v1/orders", post(|| async { "created" }));
        let app = if layer_everything {
            api.merge(faults::router(faults.clone()))
                .layer(from_fn_with_state(faults, faults::layer))
        } else {
            api.layer(from_fn_with_state(faults.clone(), faults::layer))
                .merge(faults::router(faults))
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        App {
            base,
            http: reqwest::Client::new(),
        }
    }

    async fn put_faults(&self, rules: Value) -> (u16, Value) {
        let response = self
            .http
            .put(format!("{}/sandbox/v1/faults", self.base))
            .json(&rules)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    async fn status_of(&self, path: &str) -> u16 {
        self.get(path).await.status().as_u16()
    }
}

#[tokio::test]
async fn latency_is_added_before_the_handler() {
    let app = App::start(false).await;
    assert_eq!(app.put_faults(json!({"latencyMs": 150})).await.0, 200);
    let started = Instant::now();
    let response = app.get("/api/v1/ping").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "pong");
}

#[tokio::test]
async fn error_rate_one_always_fails_with_a_d3_body() {
    let app = App::start(false).await;
    app.put_faults(json!({"errorRate": 1.0, "errorStatus": 503}))
        .await;
    for _ in 0..5 {
        let response = app.get("/api/v1/ping").await;
        assert_eq!(response.status(), 503);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "SERVICE_UNAVAILABLE");
        assert_eq!(body["code"], 503);
        assert_eq!(body["error"], "UNAVAILABLE");
        assert!(body["message"].as_str().unwrap().contains("fault"));
    }

    // Without errorStatus the injected error is a 500 INTERNAL.
    app.put_faults(json!({"errorRate": 1.0})).await;
    let response = app.get("/api/v1/ping").await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "INTERNAL");
}

#[tokio::test]
async fn error_rate_zero_never_fails() {
    let app = App::start(false).await;
    app.put_faults(json!({"errorRate": 0.0, "errorStatus": 500}))
        .await;
    for _ in 0..50 {
        assert_eq!(app.status_of("/api/v1/ping").await, 200);
    }
}

#[tokio::test]
async fn error_rate_half_fails_about_half_the_time() {
    let app = App::start(false).await;
    app.put_faults(json!({"errorRate": 0.5})).await;
    let mut failures = 0;
    for _ in 0..400 {
        match app.status_of("/api/v1/ping").await {
            200 => {}
            500 => failures += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    // Binomial(400, 0.5): mean 200, sd 10; these bounds are 8 sd wide.
    assert!((120..=280).contains(&failures), "{failures} failures");
}

#[tokio::test]
async fn route_glob_and_method_select_requests() {
    let app = App::start(false).await;
    app.put_faults(json!({"route": "/api/v1/account/*", "errorStatus": 500}))
        .await;
    assert_eq!(app.status_of("/api/v1/account/abc").await, 500);
    assert_eq!(app.status_of("/api/v1/ping").await, 200);

    app.put_faults(json!([{"route": "/api/v1/**", "method": "post", "errorStatus": 409}]))
        .await;
    assert_eq!(app.status_of("/api/v1/account/abc").await, 200);
    let posted = app
        .http
        .post(format!("{}/api/v1/orders", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 409);
    assert_eq!(posted.json::<Value>().await.unwrap()["error"], "CONFLICT");
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let app = App::start(false).await;
    app.put_faults(json!({"errorStatus": 429})).await;
    let response = app.get("/api/v1/ping").await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "RATE_LIMITED");
    assert_eq!(body["status"], "TOO_MANY_REQUESTS");
}

#[tokio::test]
async fn drop_connection_gives_no_http_response() {
    let app = App::start(false).await;
    app.put_faults(json!({"dropConnection": true})).await;
    for _ in 0..3 {
        let err = app
            .http
            .get(format!("{}/api/v1/ping", app.base))
            .send()
            .await
            .expect_err("the connection must be closed without a response");
        assert!(err.status().is_none(), "{err:?}");
        assert!(
            err.is_request() || err.is_connect() || err.is_body(),
            "{err:?}"
        );
    }
    // On the wire: the server closes the socket without writing a single byte.
    let addr = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET /api/v1/ping HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    // A reset instead of a clean close is just as good: either way, no response.
    let _ = socket.read_to_end(&mut received).await;
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );

    // Other connections are unaffected once the rule is gone.
    app.http
        .delete(format!("{}/sandbox/v1/faults", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(app.status_of("/api/v1/ping").await, 200);
}

#[tokio::test]
async fn delete_clears_and_get_shows_the_rules() {
    let app = App::start(false).await;
    let (status, body) = app
        .put_faults(json!({"route": "/api/v1/ping", "errorStatus": 500, "latencyMs": 5}))
        .await;
    assert_eq!(status, 200);
    let expected = json!({"rules": [{"route": "/api/v1/ping", "method": null, "latencyMs": 5,
        "errorRate": 1.0, "errorStatus": 500, "dropConnection": false}]});
    assert_eq!(body, expected);
    assert_eq!(
        app.get("/sandbox/v1/faults")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        expected
    );
    assert_eq!(app.status_of("/api/v1/ping").await, 500);

    let deleted = app
        .http
        .delete(format!("{}/sandbox/v1/faults", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.get("/sandbox/v1/faults")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        json!({"rules": []})
    );
    assert_eq!(app.status_of("/api/v1/ping").await, 200);
}

#[tokio::test]
async fn invalid_rules_are_rejected_naming_the_field() {
    let app = App::start(false).await;
    app.put_faults(json!({"errorStatus": 500})).await;
    for (rules, field) in [
        (json!({"errorRate": 1.5}), "errorRate"),
        (json!({"errorRate": "half"}), "errorRate"),
        (json!({"route": "/api/v1/{x"}), "route"),
        (json!({"errorStatus": 200}), "errorStatus"),
        (json!({"errorStatus": 302}), "errorStatus"),
        (json!({"latencyMs": -5}), "latencyMs"),
        (json!({"dropConnection": "yes"}), "dropConnection"),
        (json!([{}, {"errorRate": -0.1}]), "[1].errorRate"),
    ] {
        let (status, body) = app.put_faults(rules.clone()).await;
        assert_eq!(status, 400, "{rules}");
        assert_eq!(body["error"], "VALIDATION_ERROR");
        assert_eq!(body["violations"][0]["field"], field, "{rules}: {body}");
    }
    // A rejected PUT leaves the previous rules in place.
    assert_eq!(app.status_of("/api/v1/ping").await, 500);
}

#[tokio::test]
async fn control_routes_are_never_faulted() {
    let app = App::start(true).await;
    app.put_faults(json!({"route": "/**", "errorStatus": 503}))
        .await;
    assert_eq!(app.status_of("/api/v1/ping").await, 503);
    assert_eq!(app.status_of("/sandbox/v1/faults").await, 200);
}
