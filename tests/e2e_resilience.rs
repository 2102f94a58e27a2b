//! The gateway under adverse upstream conditions, over real gRPC against the in-process
//! sandbox: tokens expiring mid-run (short lifetime, sandbox clock jumps), single-flight
//! re-login under 100 concurrent calls, retries through injected 5xx, writes never repeated
//! upstream, the caller's deadline bounding the REST call, and no secret in the logs.
//!
//! This binary installs one global TRACE subscriber (plus the `log` bridge, so reqwest's
//! records are captured too) writing into a buffer. Besides the secret check, the buffer is how
//! the tests count the requests that reached the sandbox: its `TraceLayer` writes one
//! `started processing request` line per HTTP request, in a span naming method and path.
//! Tests run in parallel and share the buffer, so each test that counts requests counts a
//! route (method + path) that no other test of this binary calls.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{
    EnvOptions, LogBuffer, MERCHANT_EUR, MERCHANT_FEES_EUR, MERCHANT_USD, TOKEN_ACCOUNTS,
    TOKEN_ALL, TOKEN_EVENTS, TOKEN_MONEY, TOKEN_READ, TOKEN_USERS, TestEnv, assert_status, metric,
    metrics_text, with_metadata, with_timeout,
};
use futures::future::join_all;
use ralio_core::Secret;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::SandboxConfig;
use ralio_sandbox::config::{ApiKey, DEV_API_CODE, DEV_API_KEY};
use ralio_sandbox::webhooks::{WebhookEndpoint, WebhookSecret};
use serde_json::{Value, json};
use tonic::{Code, Status};
use tonic_types::StatusExt;

/// Everything logged by this test binary. Every test calls it first, so the subscriber is in
/// place before any sandbox or gateway starts.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            // `try_init` (unlike `set_global_default`) also forwards `log` records.
            .try_init()
            .expect("the only subscriber of this binary");
        buffer
    })
}

/// HTTP requests `method path` that reached a sandbox of this binary so far (fault-injected
/// ones included: the fault layer sits inside the sandbox's trace layer).
fn sandbox_requests(method: &str, path: &str) -> usize {
    logs().count_lines(&[
        "started processing request",
        &format!("method={method} "),
        &format!("uri={path} "),
    ])
}

/// Retries of any upstream operation, summed over labels.
async fn upstream_retries(env: &TestEnv) -> f64 {
    metrics_text(env)
        .await
        .lines()
        .filter(|line| line.starts_with("ralio_gateway_upstream_retries_total"))
        .filter_map(|line| line.rsplit(' ').next())
        .map(|value| value.parse::<f64>().expect("a number"))
        .sum()
}

async fn merchant_user(env: &TestEnv) -> Result<pb::MerchantUser, tonic::Status> {
    env.grpc()
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .map(|r| r.into_inner().user.expect("user in response"))
}

/// The gateway is serving (its start-up probe, which logs in on its own, is done) and has a
/// cached token, so later logins are the ones a test causes.
async fn warm_up(env: &TestEnv) {
    let started = Instant::now();
    while !env.gateway.readiness().is_serving() {
        assert!(started.elapsed() < Duration::from_secs(20), "never serving");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    merchant_user(env).await.expect("first call succeeds");
    assert!(env.logins() >= 1);
}

fn business_user_request() -> pb::CreateBusinessUserRequest {
    let contact = json!({"email": format!("b-{}@example.com", uuid::Uuid::new_v4())});
    pb::CreateBusinessUserRequest {
        business_activity: Some(pb::BusinessActivity {
            business_nature: "Software".into(),
            business_type: "B2B".into(),
            industry_type: pb::IndustryType::CryptoFintech as i32,
            revenue_model: "Subscriptions".into(),
            ..Default::default()
        }),
        company: Some(pb::Company {
            contact: ralio_gateway::convert::common::json_to_struct(&contact),
            incorporation: Some(pb::CompanyIncorporation {
                constitution_type: pb::ConstitutionType::Llc as i32,
                constitution_type_other: String::new(),
                additional: ralio_gateway::convert::common::json_to_struct(
                    &json!({"legalName": "Resilient SL"}),
                ),
            }),
            addresses: None,
        }),
        additional: None,
    }
}

// --- 1. token expiry mid-run -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_tokens_are_renewed_while_calls_keep_succeeding() {
    logs();
    // Two-second tokens on the sandbox clock: the gateway must renew them again and again.
    let env = TestEnv::start_with(EnvOptions {
        sandbox: SandboxConfig {
            token_ttl: Duration::from_secs(2),
            ..SandboxConfig::for_tests()
        },
        ..EnvOptions::default()
    })
    .await;
    warm_up(&env).await;
    let first = env.logins();
    let grpc = env.grpc();
    let started = Instant::now();
    let mut calls = 0;
    // At least 5 s of calls (reads and writes), i.e. more than two token lifetimes.
    while started.elapsed() < Duration::from_secs(5) {
        merchant_user(&env).await.expect("read during expiry");
        grpc.merchant()
            .list_merchant_user_accounts(pb::ListMerchantUserAccountsRequest { query: None })
            .await
            .expect("list during expiry");
        env.individual_user().await;
        calls += 3;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Tokens live 2 s and 5 s passed: at least two renewals, whether proactive (before `exp`)
    // or after a 401 TOKEN_EXPIRED.
    let renewals = env.logins() - first;
    assert!(renewals >= 2, "{renewals} renewals in {calls} calls");
    let refreshes = metric(&env, "ralio_gateway_upstream_token_refreshes_total")
        .await
        .unwrap_or(0.0);
    assert!(refreshes >= 3.0, "token refreshes metric: {refreshes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_clock_jump_mid_flow_costs_exactly_one_login() {
    logs();
    let env = TestEnv::start().await;
    warm_up(&env).await;
    let grpc = env.grpc();

    let user = env.individual_user().await;
    let before = env.logins();
    // Two hours later on the sandbox clock the gateway's token has expired (1 h lifetime),
    // although the gateway's own clock says it is fresh: only the 401 path can notice.
    env.advance_clock(7_200).await;
    let session = grpc
        .identity()
        .create_idv_session(pb::CreateIdvSessionRequest {
            uid: user.id.clone(),
        })
        .await
        .expect("a write right after expiry succeeds")
        .into_inner()
        .session
        .expect("session");
    assert_eq!(
        env.logins(),
        before + 1,
        "one re-login for the expired token"
    );
    env.approve_idv(&session.id).await;
    let account = grpc
        .accounts()
        .create_user_account(pb::CreateUserAccountRequest {
            uid: user.id.clone(),
            alias: "after the jump".into(),
            currency: pb::AccountCurrency::Eur as i32,
        })
        .await
        .expect("create account")
        .into_inner()
        .account
        .expect("account");

    env.advance_clock(7_200).await;
    let fetched = grpc
        .accounts()
        .get_user_account(pb::GetUserAccountRequest {
            uid: user.id.clone(),
            aid: account.id.clone(),
        })
        .await
        .expect("a read right after the second expiry succeeds")
        .into_inner()
        .account
        .expect("account");
    assert_eq!(fetched.id, account.id);
    let listed = grpc
        .accounts()
        .list_user_accounts(pb::ListUserAccountsRequest {
            uid: user.id.clone(),
            query: None,
        })
        .await
        .expect("list")
        .into_inner()
        .accounts;
    assert!(listed.iter().any(|a| a.id == account.id));
    assert_eq!(env.logins(), before + 2, "one re-login per expiry, no more");
}

// --- 2. single-flight re-login ----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_after_expiry_cause_one_login() {
    logs();
    let env = TestEnv::start().await;
    warm_up(&env).await;
    let before = env.logins();
    env.advance_clock(3_601).await;

    let calls = (0..100).map(|i| {
        let grpc = env.grpc();
        async move {
            let mut merchant = grpc.merchant();
            match i % 3 {
                0 => merchant
                    .get_merchant_user(pb::GetMerchantUserRequest {})
                    .await
                    .map(|_| ()),
                1 => merchant
                    .list_merchant_user_accounts(pb::ListMerchantUserAccountsRequest {
                        query: None,
                    })
                    .await
                    .map(|_| ()),
                _ => merchant
                    .get_merchant_user_account(pb::GetMerchantUserAccountRequest {
                        aid: MERCHANT_FEES_EUR.into(),
                    })
                    .await
                    .map(|_| ()),
            }
        }
    });
    let results = join_all(calls).await;
    let failures: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
    assert_eq!(
        env.logins(),
        before + 1,
        "100 calls that all met an expired token share one login"
    );
}

// --- 3. retries under fault injection -----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_succeed_through_twenty_percent_503s() {
    logs();
    // With 10 retries a read fails only if 11 attempts in a row fail: 0.2^11 ≈ 2e-8.
    let env = TestEnv::start_with(EnvOptions {
        gateway: Box::new(|config| config.ralio.max_retries = 10),
        ..EnvOptions::default()
    })
    .await;
    warm_up(&env).await;
    // Every RalioPay route (login included) fails one time in five.
    env.set_faults(json!({"errorRate": 0.2, "errorStatus": 503}))
        .await;
    let reads = (0..50).map(|i| {
        let grpc = env.grpc();
        async move {
            match i % 2 {
                0 => grpc
                    .merchant()
                    .get_merchant_user(pb::GetMerchantUserRequest {})
                    .await
                    .map(|r| assert!(r.into_inner().user.is_some())),
                _ => grpc
                    .merchant()
                    .list_merchant_user_accounts(pb::ListMerchantUserAccountsRequest {
                        query: None,
                    })
                    .await
                    .map(|r| assert_eq!(r.into_inner().accounts.len(), 4)),
            }
        }
    });
    let results = join_all(reads).await;
    let failures: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert!(
        failures.is_empty(),
        "{} failed: {failures:?}",
        failures.len()
    );
    // The faults were real: some attempts failed and were retried (all 50 passing at the first
    // attempt has probability 0.8^50 ≈ 1e-5).
    let retries = upstream_retries(&env).await;
    assert!(retries >= 1.0, "no retry recorded");
    env.clear_faults().await;
}

/// Writes are never repeated upstream by the gateway, keyed or not (spec/NOTES.md D24: RalioPay
/// has no idempotency of its own, so the gateway does not pass the key on and its core client
/// treats every write as unrepeatable). A keyed write is retried by its caller, with the same
/// key: a failure RalioPay certainly did not act on (429) frees the key, one it may have acted
/// on (5xx) keeps it as `IDEMPOTENCY_OUTCOME_UNKNOWN`, a success is replayed. Reads, for
/// contrast, are retried on the same fault, which shows that the count sees retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_reach_the_sandbox_once_and_keyed_ones_are_retried_by_the_caller() {
    logs();
    let env = TestEnv::start().await; // 3 retries
    warm_up(&env).await;
    let create = "/api/v1/account/business-user";
    let read = format!("/api/v1/merchant/user/accounts/{MERCHANT_USD}");
    let users = || env.grpc().users();

    // A read that always meets a 503 is tried 1 + 3 times.
    env.set_faults(json!({"route": read, "method": "GET", "errorStatus": 503}))
        .await;
    let before = sandbox_requests("GET", &read);
    let status = env
        .grpc()
        .merchant()
        .get_merchant_user_account(pb::GetMerchantUserAccountRequest {
            aid: MERCHANT_USD.into(),
        })
        .await
        .expect_err("every attempt fails");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(
        sandbox_requests("GET", &read) - before,
        4,
        "read: 1 + 3 retries"
    );
    assert!(upstream_retries(&env).await >= 3.0, "retries are counted");

    // A write without a key, same fault: one attempt, no retry; the caller is told RalioPay
    // may have acted.
    env.set_faults(
        json!({"route": create, "method": "POST", "errorRate": 1.0, "errorStatus": 503}),
    )
    .await;
    let before = sandbox_requests("POST", create);
    let status = assert_status(
        users().create_business_user(business_user_request()).await,
        Code::Unavailable,
        "UNAVAILABLE",
    );
    assert_eq!(
        status.get_details_error_info().unwrap().metadata["http_status"],
        "503"
    );
    assert_eq!(
        status
            .metadata()
            .get("ralio-outcome")
            .and_then(|v| v.to_str().ok()),
        Some("unknown")
    );
    assert_eq!(
        sandbox_requests("POST", create) - before,
        1,
        "unkeyed write"
    );

    // A keyed write, same fault: one attempt too. Its repeat does not reach the sandbox: the
    // outcome of the first is unknown, so the key stays taken.
    let request = business_user_request();
    let key = format!("resilience-{}", uuid::Uuid::new_v4());
    let keyed = || with_metadata(request.clone(), &[("idempotency-key", key.as_str())]);
    let before = sandbox_requests("POST", create);
    assert_status(
        users().create_business_user(keyed()).await,
        Code::Unavailable,
        "UNAVAILABLE",
    );
    assert_eq!(sandbox_requests("POST", create) - before, 1, "keyed write");
    assert_status(
        users().create_business_user(keyed()).await,
        Code::Aborted,
        "IDEMPOTENCY_OUTCOME_UNKNOWN",
    );
    assert_eq!(sandbox_requests("POST", create) - before, 1, "kept key");

    // Rate limited (RalioPay refused it, so it did not act): one attempt, and the key is free.
    env.set_faults(json!({"route": create, "method": "POST", "errorStatus": 429}))
        .await;
    let request = business_user_request();
    let key = format!("resilience-{}", uuid::Uuid::new_v4());
    let keyed = || with_metadata(request.clone(), &[("idempotency-key", key.as_str())]);
    let before = sandbox_requests("POST", create);
    assert_status(
        users().create_business_user(keyed()).await,
        Code::ResourceExhausted,
        "RATE_LIMITED",
    );
    assert_eq!(
        sandbox_requests("POST", create) - before,
        1,
        "429 not retried"
    );

    // The upstream recovers; the caller retries with the same key and the write happens once.
    env.clear_faults().await;
    let first = users()
        .create_business_user(keyed())
        .await
        .expect("the caller's retry succeeds")
        .into_inner()
        .user
        .expect("user");
    assert_eq!(sandbox_requests("POST", create) - before, 2);
    // Any further repeat is answered from the gateway's store without reaching the sandbox.
    let again = users()
        .create_business_user(keyed())
        .await
        .expect("replayed")
        .into_inner()
        .user
        .expect("user");
    assert_eq!(again.id, first.id);
    assert_eq!(sandbox_requests("POST", create) - before, 2, "replay");
    assert!(metric(&env, "ralio_gateway_idempotent_replays_total").await >= Some(1.0));
}

// --- 4. the caller's deadline -------------------------------------------------------------

/// `GetMerchantUserAccount(aid)` sent as raw HTTP/2 with `grpc-timeout: <timeout_ms>m`, by a
/// client that does not enforce the deadline itself (tonic's does, and would give up on its
/// own), so what comes back is the gateway's answer. Returns the status and when it came.
async fn raw_call_with_deadline(env: &TestEnv, aid: &str, timeout_ms: u64) -> (Status, Duration) {
    use prost::Message;
    let message = pb::GetMerchantUserAccountRequest { aid: aid.into() }.encode_to_vec();
    let mut body = vec![0u8];
    body.extend_from_slice(&u32::try_from(message.len()).unwrap().to_be_bytes());
    body.extend_from_slice(&message);
    let http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .expect("HTTP/2 client");
    let started = Instant::now();
    let response = http
        .post(format!(
            "http://{}/ralio.v1.MerchantService/GetMerchantUserAccount",
            env.gateway.grpc_addr()
        ))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {TOKEN_ALL}"))
        .header("grpc-timeout", format!("{timeout_ms}m"))
        .body(body)
        .send()
        .await
        .expect("gateway answers");
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    // An error is a trailers-only response: the status is in the headers.
    let status = Status::from_header_map(response.headers()).expect("grpc-status in headers");
    (status, elapsed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_deadline_bounds_the_rest_call_and_its_retries() {
    logs();
    // Attempt timeout 5 s, 10 retries: without the caller's deadline a slow read would take
    // 5 s, a failing one more than 10 s.
    let env = TestEnv::start_with(EnvOptions {
        gateway: Box::new(|config| config.ralio.max_retries = 10),
        ..EnvOptions::default()
    })
    .await;
    warm_up(&env).await;
    let route = format!("/api/v1/merchant/user/accounts/{MERCHANT_EUR}");
    let call = |timeout: Duration| {
        let grpc = env.grpc();
        async move {
            let started = Instant::now();
            let result = grpc
                .merchant()
                .get_merchant_user_account(with_timeout(
                    pb::GetMerchantUserAccountRequest {
                        aid: MERCHANT_EUR.into(),
                    },
                    timeout,
                ))
                .await;
            (result, started.elapsed())
        }
    };

    // The sandbox takes 10 s; a tonic caller gives 300 ms and stops waiting on its own
    // (tonic reports its own expiry as CANCELLED "Timeout expired").
    env.set_faults(json!({"route": route, "latencyMs": 10_000}))
        .await;
    let (result, elapsed) = call(Duration::from_millis(300)).await;
    let status = result.expect_err("too slow");
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");

    // A caller that does not enforce its deadline gets the gateway's own answer, at the
    // deadline: DEADLINE_EXCEEDED with UPSTREAM_TIMEOUT, i.e. the REST call was cut short by the
    // deadline, not by the 5 s attempt timeout nor by the 10 s latency.
    let (status, elapsed) = raw_call_with_deadline(&env, MERCHANT_EUR, 1_000).await;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    let info = status.get_details_error_info().expect("ErrorInfo");
    assert_eq!(info.reason, "UPSTREAM_TIMEOUT");
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );

    // Every attempt fails with 503 + Retry-After: 1. Waiting a second would overrun a 500 ms
    // deadline, so the gateway answers with the failure at once after one attempt.
    env.set_faults(json!({"route": route, "errorStatus": 503}))
        .await;
    let before = sandbox_requests("GET", &route);
    let (result, elapsed) = call(Duration::from_millis(500)).await;
    assert_status(result, Code::Unavailable, "UNAVAILABLE");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_eq!(sandbox_requests("GET", &route) - before, 1);

    // With a deadline long enough for some retries, the retries stop before the deadline
    // (10 retries would take 10 s).
    let before = sandbox_requests("GET", &route);
    let (status, elapsed) = raw_call_with_deadline(&env, MERCHANT_EUR, 2_500).await;
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");
    let attempts = sandbox_requests("GET", &route) - before;
    assert!((2..=3).contains(&attempts), "{attempts} attempts in 2.5 s");

    // And without faults the same call with a deadline is fine.
    env.clear_faults().await;
    let (result, _) = call(Duration::from_secs(10)).await;
    result.expect("no faults");
}

// --- 5. no secret in the logs -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_appears_in_captured_logs() {
    let logs = logs();
    let api_key = format!("resilience-api-key-{}", uuid::Uuid::new_v4().simple());
    let wrong_key = format!("resilience-wrong-key-{}", uuid::Uuid::new_v4().simple());
    let webhook_secret = format!("whsec-resilience-{}", uuid::Uuid::new_v4().simple());
    let unknown_token = format!("resilience-unknown-token-{}", uuid::Uuid::new_v4().simple());
    let request_id = format!("resilience-logs-{}", uuid::Uuid::new_v4().simple());

    let secret = webhook_secret.clone();
    let key = api_key.clone();
    let env = TestEnv::start_with(EnvOptions {
        sandbox: SandboxConfig {
            api_key: ApiKey::new(api_key.clone()),
            ..SandboxConfig::for_tests()
        },
        gateway: Box::new(move |config| {
            config.ralio.api_key = Secret::new(key);
            config.webhook_secret = Some(Secret::new(secret));
            config.ralio.max_retries = 1;
        }),
        ..EnvOptions::default()
    })
    .await;
    env.sandbox.state().webhooks.configure(WebhookEndpoint {
        url: format!("http://{}/webhooks/ralio", env.gateway.http_addr()),
        secret: WebhookSecret::new(webhook_secret.clone()),
        events: None,
    });

    // A token of the same sandbox, to know what its JWTs look like.
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", env.sandbox_url()))
        .json(&json!({"api_code": DEV_API_CODE, "api_key": api_key}))
        .send()
        .await
        .expect("sandbox reachable")
        .json()
        .await
        .expect("login JSON");
    let jwt = login["token"].as_str().expect("token").to_owned();
    let jwt_header = jwt.split('.').next().expect("JWT header").to_owned();

    // A flow: user, IDV (approved, so webhooks flow), a clock jump that forces a re-login,
    // account, reads with every token, refused calls, an unknown token, a retried upstream
    // failure, a forged webhook; then a gateway whose login is refused.
    let grpc = env.grpc();
    let user = grpc
        .users()
        .create_individual_user(with_metadata(
            common::individual_user_request(),
            &[("x-request-id", request_id.as_str())],
        ))
        .await
        .expect("create user")
        .into_inner()
        .user
        .expect("user");
    let session = grpc
        .identity()
        .create_idv_session(pb::CreateIdvSessionRequest {
            uid: user.id.clone(),
        })
        .await
        .expect("IDV session")
        .into_inner()
        .session
        .expect("session");
    env.approve_idv(&session.id).await;
    env.advance_clock(7_200).await;
    let account = grpc
        .accounts()
        .create_user_account(with_metadata(
            pb::CreateUserAccountRequest {
                uid: user.id.clone(),
                alias: "logged".into(),
                currency: pb::AccountCurrency::Eur as i32,
            },
            &[("idempotency-key", "resilience-log-account")],
        ))
        .await
        .expect("account")
        .into_inner()
        .account
        .expect("account");
    for token in [
        TOKEN_ALL,
        TOKEN_READ,
        TOKEN_USERS,
        TOKEN_ACCOUNTS,
        TOKEN_MONEY,
    ] {
        env.grpc_as(token)
            .accounts()
            .get_user_account(pb::GetUserAccountRequest {
                uid: user.id.clone(),
                aid: account.id.clone(),
            })
            .await
            .expect("read with a read-scoped token");
    }
    let denied = env
        .grpc_as(TOKEN_READ)
        .users()
        .create_individual_user(common::individual_user_request())
        .await
        .expect_err("read-only token");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let denied = env
        .grpc_as(TOKEN_EVENTS)
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .expect_err("events-only token");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let unknown = env
        .grpc_as(&unknown_token)
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .expect_err("unknown token");
    assert_eq!(unknown.code(), Code::Unauthenticated);
    // An upstream failure, retried once (Retry-After: 1) and then reported.
    env.set_faults(json!({"route": "/api/v1/merchant/user", "errorStatus": 503}))
        .await;
    let failed = env
        .grpc()
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .expect_err("injected 503");
    assert_eq!(failed.code(), Code::Unavailable);
    env.clear_faults().await;
    let forged = reqwest::Client::new()
        .post(format!("http://{}/webhooks/ralio", env.gateway.http_addr()))
        .header("content-type", "application/json")
        .header("x-signature", "0".repeat(64))
        .body(r#"{"eventId":"x","eventType":"account_activated","data":{}}"#)
        .send()
        .await
        .expect("gateway reachable");
    assert!(forged.status().is_client_error(), "{}", forged.status());

    // The sandbox's webhooks (user created, KYC, account activated) reach the gateway, signed.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let events = env
            .grpc_as(TOKEN_EVENTS)
            .events()
            .list_events(pb::ListEventsRequest {
                filter: None,
                after_cursor: 0,
                page_size: 100,
            })
            .await
            .expect("list events")
            .into_inner()
            .events;
        if events.len() >= 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {} events arrived",
            events.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A gateway with a wrong api key: its logins fail, and so do calls through it.
    let wrong = wrong_key.clone();
    let refused = TestEnv::start_with(EnvOptions {
        gateway: Box::new(move |config| {
            config.ralio.api_key = Secret::new(wrong);
            config.login_retry = Duration::from_millis(200);
        }),
        ..EnvOptions::default()
    })
    .await;
    let status = refused
        .grpc()
        .merchant()
        .get_merchant_user(pb::GetMerchantUserRequest {})
        .await
        .expect_err("wrong api key");
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    drop(refused);

    let text = logs.text();
    // Something was logged, including the parts whose secrets we look for.
    assert!(
        text.contains(&request_id),
        "the flow's request id is logged"
    );
    assert!(
        text.contains("started processing request"),
        "sandbox requests"
    );
    assert!(text.contains("RalioPay login failed"), "the refused login");
    assert!(text.contains("ralio login: new token cached"), "logins");
    assert!(text.contains("/webhooks/ralio"), "webhook deliveries");
    assert!(text.contains("retrying"), "the retried read");

    let mut secrets: Vec<(&str, String)> = vec![
        ("api key", api_key.clone()),
        ("wrong api key", wrong_key.clone()),
        ("dev api key", DEV_API_KEY.to_owned()),
        ("webhook secret", webhook_secret.clone()),
        ("unknown client token", unknown_token.clone()),
        ("sandbox JWT", jwt.clone()),
        // Every sandbox JWT starts with this segment, whoever it was issued to.
        ("sandbox JWT header", jwt_header.clone()),
    ];
    for token in [
        TOKEN_ALL,
        TOKEN_READ,
        TOKEN_USERS,
        TOKEN_ACCOUNTS,
        TOKEN_MONEY,
        TOKEN_EVENTS,
    ] {
        secrets.push(("client token", token.to_owned()));
    }
    for (what, secret) in &secrets {
        if let Some(at) = text.find(secret.as_str()) {
            let line = text[..at].rsplit('\n').next().unwrap_or_default();
            panic!("{what} logged: ...{line}<secret>...");
        }
    }
    assert!(env.logins() >= 2, "the clock jump forced a re-login");
}
