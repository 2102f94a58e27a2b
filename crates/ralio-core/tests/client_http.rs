//! The client's wire behaviour against a scripted server over real HTTP: authentication and
//! its single-flight refresh, re-login on 401, retries and back-off, timeouts, errors, request
//! shapes, and that secrets never show up in `Debug` output.

mod fixture;

use std::time::{Duration, Instant};

use fixture::{Fixture, error, json, jwt, script};
use ralio_core::model::{AccountRef, Currency, Money, TransferCreate};
use ralio_core::{CallOptions, FilterOp, ListQuery, RalioError, Secret, TimeoutKind};
use serde_json::json as j;

fn merchant_user() -> serde_json::Value {
    j!({"id": "m-1", "name": "Acme"})
}

fn transfer_body() -> TransferCreate {
    TransferCreate {
        code2fa: Secret::new("123456"),
        origin: Money::new(Currency::Eur, 5000),
        recipient: AccountRef::new("acc-2"),
        reference: "INV-1".into(),
        quote_id: None,
    }
}

fn transfer_order() -> serde_json::Value {
    j!({"id": "o-1", "state": "PENDING", "type": "TRANSFER", "origin": {"currency": "EUR", "amount": 5000}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_during_expiry_cause_exactly_one_login() {
    // Login 1 hands out a token with 10 s left (inside the 60 s refresh margin of a 1 h token);
    // later logins hand out fresh ones. The login is slow so that all 100 calls pile up on it.
    let tokens = std::sync::Arc::new(|generation: usize| {
        if generation == 1 {
            jwt(1, 10, 3590)
        } else {
            jwt(generation, 3600, 0)
        }
    });
    let fixture = Fixture::start_with(
        script(|_| async { json(200, merchant_user()) }),
        tokens,
        Duration::from_millis(100),
    )
    .await;
    let client = fixture.client();
    client.merchant().user().await.unwrap();
    assert_eq!(fixture.logins(), 1);

    let calls = (0..100).map(|_| {
        let client = client.clone();
        async move { client.merchant().user().await }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(
        fixture.logins(),
        2,
        "the expiring token must be refreshed exactly once"
    );
    let seen = fixture.seen();
    assert_eq!(seen.len(), 101);
    assert!(seen[1..].iter().all(|s| s.token_generation == Some(2)));
}

#[tokio::test]
async fn a_401_triggers_one_relogin_and_one_repeat() {
    // Tokens that are not JWTs are used until rejected; generation 1 is "revoked".
    let fixture = Fixture::start_with(
        script(|seen| async move {
            if seen.token_generation == Some(1) {
                error(401, "TOKEN_EXPIRED", "token expired")
            } else {
                json(200, merchant_user())
            }
        }),
        std::sync::Arc::new(|generation| format!("opaque-{generation}")),
        Duration::ZERO,
    )
    .await;
    let user = fixture.client().merchant().user().await.unwrap();
    assert_eq!(user.id, "m-1");
    assert_eq!(fixture.logins(), 2);
    assert_eq!(fixture.hits(), 2);
}

#[tokio::test]
async fn a_persistent_401_is_returned_after_a_single_relogin() {
    let fixture = Fixture::start(script(|_| async {
        error(401, "TOKEN_INVALID", "bad token")
    }))
    .await;
    let err = fixture.client().merchant().user().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("TOKEN_INVALID"));
    assert_eq!(
        fixture.logins(),
        2,
        "one initial login and one re-login, no loop"
    );
    assert_eq!(fixture.hits(), 2);
}

#[tokio::test]
async fn a_read_honours_retry_after() {
    let fixture = Fixture::start(script(|seen| async move {
        if seen.hit == 1 {
            let mut response = error(429, "RATE_LIMITED", "slow down");
            response
                .headers_mut()
                .insert("retry-after", "1".parse().unwrap());
            response
        } else {
            json(200, merchant_user())
        }
    }))
    .await;
    let started = Instant::now();
    fixture.client().merchant().user().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fixture.hits(), 2);
    let seen = fixture.seen();
    // The same request id on every attempt.
    assert_eq!(
        seen[0].header("x-request-id"),
        seen[1].header("x-request-id")
    );
}

#[tokio::test]
async fn reads_retry_5xx_up_to_max_retries() {
    let fixture = Fixture::start(script(|_| async { error(500, "INTERNAL", "boom") })).await;
    let client =
        ralio_core::RalioClient::new(fixture.config().max_retries(2).build().unwrap()).unwrap();
    let err = client.merchant().user().await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(fixture.hits(), 3);
}

#[tokio::test]
async fn a_write_without_idempotency_key_is_never_retried() {
    let fixture = Fixture::start(script(|_| async { error(503, "UNAVAILABLE", "down") })).await;
    let err = fixture
        .client()
        .transfers()
        .create("u-1", "a-1", &transfer_body())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(
        err.is_retryable(),
        "retryable in principle, but not without a key"
    );
    assert_eq!(fixture.hits(), 1);
}

#[tokio::test]
async fn a_write_with_idempotency_key_is_retried_with_the_same_key() {
    let fixture = Fixture::start(script(|seen| async move {
        if seen.hit == 1 {
            error(503, "UNAVAILABLE", "down")
        } else {
            json(201, transfer_order())
        }
    }))
    .await;
    let order = fixture
        .client()
        .transfers()
        .with_options(
            CallOptions::new()
                .idempotency_key("idem-1")
                .request_id("req-1"),
        )
        .create("u-1", "a-1", &transfer_body())
        .await
        .unwrap();
    assert_eq!(order.id, "o-1");
    let seen = fixture.seen();
    assert_eq!(seen.len(), 2);
    for attempt in &seen {
        assert_eq!(attempt.header("idempotency-key").as_deref(), Some("idem-1"));
        assert_eq!(attempt.header("x-request-id").as_deref(), Some("req-1"));
        let body: serde_json::Value = serde_json::from_slice(&attempt.body).unwrap();
        assert_eq!(
            body,
            j!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 5000},
                "recipient": {"accountId": "acc-2"}, "reference": "INV-1"})
        );
    }
}

#[tokio::test]
async fn a_keyed_write_is_not_retried_after_a_500() {
    let fixture = Fixture::start(script(|_| async {
        error(500, "INTERNAL", "maybe committed")
    }))
    .await;
    let err = fixture
        .client()
        .transfers()
        .with_options(CallOptions::new().idempotency_key("idem-2"))
        .create("u-1", "a-1", &transfer_body())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(fixture.hits(), 1);
}

#[tokio::test]
async fn a_slow_answer_becomes_an_attempt_timeout() {
    let fixture = Fixture::start(script(|_| async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        json(200, merchant_user())
    }))
    .await;
    let client = ralio_core::RalioClient::new(
        fixture
            .config()
            .timeout(Duration::from_millis(200))
            .max_retries(0)
            .build()
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let err = client.merchant().user().await.unwrap_err();
    assert!(
        matches!(
            err,
            RalioError::Timeout {
                kind: TimeoutKind::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn the_overall_deadline_bounds_all_retries() {
    let fixture = Fixture::start(script(|_| async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        json(200, merchant_user())
    }))
    .await;
    let client = ralio_core::RalioClient::new(
        fixture
            .config()
            .timeout(Duration::from_millis(150))
            .max_retries(10)
            .build()
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let err = client
        .merchant()
        .with_options(CallOptions::new().deadline(Duration::from_millis(500)))
        .user()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            err,
            RalioError::Timeout {
                kind: TimeoutKind::Deadline,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(
        elapsed >= Duration::from_millis(450) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(
        fixture.hits() >= 2,
        "attempts were retried until the deadline"
    );
}

#[tokio::test]
async fn an_error_body_becomes_a_typed_error_with_violations() {
    let fixture = Fixture::start(script(|_| async {
        json(
            400,
            j!({"status": "BAD_REQUEST", "code": 400, "error": "VALIDATION_ERROR",
                "message": "origin.amount: must be greater than zero", "requestId": "req-77",
                "violations": [{"field": "origin.amount", "description": "must be greater than zero"}]}),
        )
    }))
    .await;
    let err = fixture
        .client()
        .transfers()
        .create("u-1", "a-1", &transfer_body())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("VALIDATION_ERROR"));
    assert_eq!(err.request_id(), Some("req-77"));
    assert_eq!(err.violations().len(), 1);
    assert_eq!(err.violations()[0].field, "origin.amount");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn connection_errors_are_transport_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = ralio_core::RalioClient::new(
        ralio_core::ClientConfig::builder(format!("http://{addr}"), "c", "k")
            .max_retries(1)
            .initial_backoff(Duration::from_millis(5))
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.merchant().user().await.unwrap_err();
    assert!(
        matches!(
            err,
            RalioError::Transport {
                request_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        !err.outcome_unknown(),
        "nothing reached the server, so nothing can have happened"
    );
}

/// Counts what a [`ralio_core::ClientObserver`] is told.
#[derive(Default)]
struct Counting {
    logins: std::sync::Mutex<Vec<bool>>,
    retries: std::sync::Mutex<Vec<(String, u32, Option<u16>)>>,
}

impl ralio_core::ClientObserver for Counting {
    fn on_login(&self, success: bool) {
        self.logins.lock().unwrap().push(success);
    }

    fn on_retry(&self, operation: &str, attempt: u32, reason: &RalioError) {
        self.retries
            .lock()
            .unwrap()
            .push((operation.to_owned(), attempt, reason.status()));
    }
}

#[tokio::test]
async fn the_observer_is_told_about_logins_and_retries() {
    // Generation 1 is rejected (re-login), then the first two reads fail with a 500.
    let fixture = Fixture::start_with(
        script(|seen| async move {
            match (seen.token_generation, seen.hit) {
                (Some(1), _) => error(401, "TOKEN_EXPIRED", "token expired"),
                (_, 2 | 3) => error(500, "INTERNAL", "boom"),
                _ => json(200, merchant_user()),
            }
        }),
        std::sync::Arc::new(|generation| format!("opaque-{generation}")),
        Duration::ZERO,
    )
    .await;
    let observer = std::sync::Arc::new(Counting::default());
    let client = ralio_core::RalioClient::new(
        fixture
            .config()
            .initial_backoff(Duration::from_millis(1))
            .observer(observer.clone())
            .build()
            .unwrap(),
    )
    .unwrap();
    client.merchant().user().await.unwrap();
    assert_eq!(*observer.logins.lock().unwrap(), vec![true, true]);
    assert_eq!(
        *observer.retries.lock().unwrap(),
        vec![
            ("GET /api/v1/merchant/user".to_owned(), 2, Some(500)),
            ("GET /api/v1/merchant/user".to_owned(), 3, Some(500)),
        ]
    );
}

#[tokio::test]
async fn requests_carry_bearer_request_id_query_and_encoded_path_ids() {
    let fixture = Fixture::start(script(|_| async {
        json(
            200,
            j!({"orders": [], "pagination": {
        "next": null, "previous": null, "numPages": 1, "page": 2, "pageSize": 10, "total": 0}}),
        )
    }))
    .await;
    let client = fixture.client();
    let query = ListQuery::new()
        .page(2)
        .page_size(10)
        .sort("-createdAt")
        .filter("state", FilterOp::Eq, "SETTLED")
        .filter("origin.amount", FilterOp::Gte, "1000");
    let list = client
        .orders()
        .list_account("u/1", "../a 1", &query)
        .await
        .unwrap();
    assert_eq!(list.pagination.unwrap().page, 2);

    let seen = &fixture.seen()[0];
    assert_eq!(
        seen.path,
        "/api/v1/account/users/u%2F1/accounts/..%2Fa%201/orders"
    );
    assert_eq!(
        seen.query.as_deref(),
        Some("page=2&pageSize=10&sort=-createdAt&state_eq=SETTLED&origin.amount_gte=1000")
    );
    assert_eq!(seen.token_generation, Some(1));
    let request_id = seen.header("x-request-id").unwrap();
    assert_eq!(request_id.len(), 36, "a UUID is generated: {request_id}");
    let login: serde_json::Value =
        serde_json::from_slice(&fixture.state.login_bodies.lock()[0]).unwrap();
    assert_eq!(
        login,
        j!({"api_code": "merchant-code", "api_key": "super-secret-api-key"})
    );
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output_or_errors() {
    let fixture = Fixture::start(script(|_| async {
        error(422, "INVALID_OTP", "wrong code")
    }))
    .await;
    let client = fixture.client();
    let err = client
        .payouts()
        .validate_bank_otp("o-1", Secret::new("654321"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INVALID_OTP"));
    let token = fixture.issued_tokens().pop().unwrap();
    for dump in [
        format!("{client:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{:?}", transfer_body()),
    ] {
        assert!(!dump.contains("super-secret-api-key"), "{dump}");
        assert!(!dump.contains(&token), "{dump}");
        assert!(!dump.contains("654321"), "{dump}");
        assert!(!dump.contains("123456"), "{dump}");
    }
    // The OTP did go on the wire.
    let body: serde_json::Value = serde_json::from_slice(&fixture.seen()[0].body).unwrap();
    assert_eq!(body, j!({"code": "654321"}));
}

#[tokio::test]
async fn a_refused_login_fails_the_call_without_retrying() {
    // Under a path prefix the fixture's own login route does not match, so the script answers
    // the login too, and refuses it. This also checks that a base URL path prefix is kept.
    let refusing = Fixture::start(script(|_| async {
        error(401, "INVALID_CREDENTIALS", "no")
    }))
    .await;
    let client = ralio_core::RalioClient::new(
        ralio_core::ClientConfig::builder(format!("{}/proxy-prefix/", refusing.url()), "c", "k")
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.merchant().user().await.unwrap_err();
    assert_eq!(err.code(), Some("INVALID_CREDENTIALS"));
    assert_eq!(refusing.seen()[0].path, "/proxy-prefix/api/v1/auth/login");
    assert_eq!(refusing.hits(), 1, "a 401 from login itself is final");
}
