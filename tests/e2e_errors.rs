//! Every RalioPay error class mapped to its gRPC status, with `ErrorInfo` (RalioPay's code, the
//! `raliopay.com` domain, the request id), `BadRequest`, `PreconditionFailure` and `RetryInfo`
//! where they belong. Errors are produced by the sandbox's fault injection on one route, with
//! retries off so each case is one attempt.

mod common;

use std::time::{Duration, Instant};

use common::{EnvOptions, TestEnv, with_metadata};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;
use tonic_types::StatusExt;

const ROUTE: &str = "/api/v1/merchant/user";

async fn env_without_retries() -> TestEnv {
    TestEnv::start_with(EnvOptions {
        gateway: Box::new(|config| {
            config.ralio.max_retries = 0;
            config.ralio.timeout = Duration::from_millis(500);
        }),
        ..Default::default()
    })
    .await
}

/// Calls GetMerchantUser with `request_id` and checks code, reason and request id.
async fn expect(env: &TestEnv, request_id: &str, code: Code, reason: &str) -> tonic::Status {
    let result = env
        .grpc()
        .merchant()
        .get_merchant_user(with_metadata(
            pb::GetMerchantUserRequest {},
            &[("x-request-id", request_id)],
        ))
        .await;
    let status = result.expect_err("the fault fails the call");
    assert_eq!(status.code(), code, "{status:?}");
    let info = status.get_details_error_info().expect("ErrorInfo");
    assert_eq!(info.reason, reason, "{status:?}");
    assert_eq!(info.domain, "raliopay.com");
    assert_eq!(
        info.metadata.get("request_id").map(String::as_str),
        Some(request_id)
    );
    // The same id travels back in the response metadata.
    assert_eq!(
        status
            .metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some(request_id)
    );
    status
}

#[tokio::test]
async fn each_http_error_class_maps_to_its_grpc_code() {
    let env = env_without_retries().await;
    let cases: &[(u16, Code, &str)] = &[
        (400, Code::InvalidArgument, "VALIDATION_ERROR"),
        (403, Code::PermissionDenied, "FORBIDDEN"),
        (404, Code::NotFound, "NOT_FOUND"),
        (409, Code::AlreadyExists, "CONFLICT"),
        (422, Code::FailedPrecondition, "INVALID_STATE"),
        (500, Code::Unavailable, "INTERNAL"),
        (502, Code::Unavailable, "INTERNAL"),
        (503, Code::Unavailable, "UNAVAILABLE"),
    ];
    for &(http, code, reason) in cases {
        env.set_faults(json!({"route": ROUTE, "errorStatus": http}))
            .await;
        let status = expect(&env, &format!("req-{http}"), code, reason).await;
        let info = status.get_details_error_info().unwrap();
        assert_eq!(
            info.metadata.get("http_status"),
            Some(&http.to_string()),
            "{http}"
        );
        // The sandbox echoed our id (D3), so no different upstream id is reported.
        assert!(!info.metadata.contains_key("upstream_request_id"));
        if http == 422 {
            let precondition = status
                .get_details_precondition_failure()
                .expect("precondition");
            assert_eq!(precondition.violations[0].r#type, "INVALID_STATE");
        }
        if http == 400 {
            // An injected 400 carries an (empty) violation list; the code is what counts.
            assert_eq!(status.code(), Code::InvalidArgument);
        }
    }
}

#[tokio::test]
async fn rate_limiting_is_resource_exhausted_with_retry_info() {
    let env = env_without_retries().await;
    env.set_faults(json!({"route": ROUTE, "errorStatus": 429}))
        .await;
    let status = expect(&env, "req-429", Code::ResourceExhausted, "RATE_LIMITED").await;
    let retry = status.get_details_retry_info().expect("RetryInfo");
    // The sandbox sends `Retry-After: 1`.
    assert_eq!(retry.retry_delay, Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn rejected_credentials_after_relogin_are_permission_denied() {
    let env = env_without_retries().await;
    // Every call of the route answers 401: the client logs in again once, repeats, and gives up.
    env.set_faults(json!({"route": ROUTE, "errorStatus": 401}))
        .await;
    let logins = env.logins();
    let status = expect(
        &env,
        "req-401",
        Code::PermissionDenied,
        "UPSTREAM_CREDENTIALS",
    )
    .await;
    assert_eq!(
        status
            .get_details_error_info()
            .unwrap()
            .metadata
            .get("http_status")
            .map(String::as_str),
        Some("401")
    );
    assert!(env.logins() > logins, "a 401 triggers a fresh login first");
}

#[tokio::test]
async fn slow_and_vanishing_upstreams() {
    let env = env_without_retries().await;
    // Slower than the 500 ms attempt timeout.
    env.set_faults(json!({"route": ROUTE, "latencyMs": 3000}))
        .await;
    let started = Instant::now();
    expect(&env, "req-slow", Code::DeadlineExceeded, "UPSTREAM_TIMEOUT").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    env.set_faults(json!({"route": ROUTE, "dropConnection": true}))
        .await;
    expect(&env, "req-drop", Code::Unavailable, "UPSTREAM_UNREACHABLE").await;

    // And with the faults gone the same call works again.
    env.clear_faults().await;
    let user = env
        .grpc()
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .unwrap();
    assert!(user.into_inner().user.is_some());
}
