//! Helpers of the `events_*` tests: a gateway with webhook secrets, the sandbox pointed at its
//! receiver with a fast retry schedule, signed deliveries, and stream readers.
#![allow(dead_code)]

use std::time::Duration;

use ralio_core::Secret;
use ralio_gateway::events::EventsSettings;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::SandboxConfig;
use ralio_sandbox::webhooks::{DeliverySettings, WebhookEndpoint, WebhookSecret};
use serde_json::{Value, json};
use tonic::Streaming;

use crate::common::{EnvOptions, TestEnv};

/// The gateway's current webhook secret, and the previous one (still accepted: rotation).
pub const SECRET: &str = "whsec-events-current";
pub const OLD_SECRET: &str = "whsec-events-previous";

/// Retries every 50 ms (doubling, capped at 400 ms), many attempts: a restarted receiver
/// gets everything quickly.
pub fn fast_delivery() -> DeliverySettings {
    DeliverySettings {
        base_delay: Duration::from_millis(50),
        factor: 2,
        max_attempts: 30,
        attempt_timeout: Duration::from_secs(5),
        max_delay: Duration::from_millis(400),
        ..DeliverySettings::default()
    }
}

/// Sandbox (fast retries) + gateway with both secrets; `tune` adjusts the event settings.
pub async fn start_env(tune: impl FnOnce(&mut EventsSettings) + Send + 'static) -> TestEnv {
    TestEnv::start_with(EnvOptions {
        sandbox: SandboxConfig {
            webhooks: fast_delivery(),
            ..SandboxConfig::for_tests()
        },
        gateway: Box::new(move |config| {
            config.webhook_secret = Some(Secret::new(SECRET));
            config.events.previous_webhook_secret = Some(Secret::new(OLD_SECRET));
            tune(&mut config.events);
        }),
        ..EnvOptions::default()
    })
    .await
}

pub fn ingest_url(env: &TestEnv) -> String {
    format!("http://{}/webhooks/ralio", env.gateway.http_addr())
}

/// Points the sandbox's webhooks at the gateway, signed with [`SECRET`].
pub fn point_sandbox_at_gateway(env: &TestEnv) {
    env.sandbox.state().webhooks.configure(WebhookEndpoint {
        url: ingest_url(env),
        secret: WebhookSecret::new(SECRET),
        events: None,
    });
}

pub fn sign(secret: &str, body: &[u8]) -> String {
    ralio_core::webhook::sign(&Secret::new(secret), body)
}

/// A v2 envelope body.
pub fn v2(id: &str, event_type: &str, data: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "eventId": id, "eventType": event_type,
        "timestamp": "2026-02-26T17:02:28.123Z", "data": data
    }))
    .unwrap()
}

/// The `i`-th test event: `evt-<i>`, a `viban_activated` for account `acc-<i % 3>`.
pub fn account_event(i: usize) -> Vec<u8> {
    v2(
        &format!("evt-{i}"),
        "viban_activated",
        json!({"vibanId": format!("v{i}"), "accountId": format!("acc-{}", i % 3)}),
    )
}

/// Delivers [`account_event`]s `range`, one after the other.
pub async fn ingest(url: &str, range: std::ops::Range<usize>) {
    for i in range {
        deliver_ok(url, &account_event(i)).await;
    }
}

/// POSTs `body` to the receiver with an optional `X-Signature`; returns status and JSON.
pub async fn deliver(url: &str, body: &[u8], signature: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-signature", signature);
    }
    let response = request.send().await.expect("gateway reachable");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A correctly signed delivery; panics unless 200.
pub async fn deliver_ok(url: &str, body: &[u8]) -> Value {
    let (status, reply) = deliver(url, body, Some(&sign(SECRET, body))).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

/// Every stored event, through ListEvents (all pages).
pub async fn all_events(env: &TestEnv) -> Vec<pb::Event> {
    process_support::list_all(env.grpc().events()).await
}

pub async fn subscribe(
    env: &TestEnv,
    request: pb::SubscribeRequest,
) -> Streaming<pb::SubscribeResponse> {
    env.grpc()
        .events()
        .subscribe(request)
        .await
        .expect("subscribe")
        .into_inner()
}

/// The next event of a stream (heartbeats skipped); panics after `within`.
pub async fn next_event(
    stream: &mut Streaming<pb::SubscribeResponse>,
    within: Duration,
) -> pb::Event {
    tokio::time::timeout(within, async {
        loop {
            let message = stream
                .message()
                .await
                .expect("stream healthy")
                .expect("stream open");
            if let Some(pb::subscribe_response::Kind::Event(event)) = message.kind {
                return event;
            }
        }
    })
    .await
    .expect("an event in time")
}

/// Asserts that no event arrives within `quiet` (heartbeats are fine).
pub async fn assert_no_event(stream: &mut Streaming<pb::SubscribeResponse>, quiet: Duration) {
    let result = tokio::time::timeout(quiet, next_event(stream, quiet * 2)).await;
    if let Ok(event) = result {
        panic!("unexpected event {} ({})", event.cursor, event.r#type);
    }
}

pub fn earliest() -> Option<pb::subscribe_request::Start> {
    Some(pb::subscribe_request::Start::Earliest(true))
}

pub fn after(cursor: u64) -> Option<pb::subscribe_request::Start> {
    Some(pb::subscribe_request::Start::AfterCursor(cursor))
}

pub fn filter(types: &[&str], user: &str, account: &str) -> Option<pb::EventFilter> {
    Some(pb::EventFilter {
        types: types.iter().map(|t| (*t).to_owned()).collect(),
        user_id: user.to_owned(),
        account_id: account.to_owned(),
    })
}

/// Polls `check` every 20 ms until it holds; panics after `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// --- the gateway as a separate process (crash tests) ------------------------------------------

// A test that uses both helpers (nats_events) compiles it twice, harmlessly.
#[allow(clippy::duplicate_mod)]
#[path = "../process_support/mod.rs"]
mod process_support;

#[allow(unused_imports)]
pub use process_support::{EventsClient as ProcessEventsClient, GatewayProcess, free_port};

/// A token with `events:subscribe`, configured in every [`GatewayProcess`].
pub const PROCESS_TOKEN: &str = "events-process-token";

impl GatewayProcess {
    /// Writes the configuration (sandbox at `sandbox_url`, webhook secrets [`SECRET`] and
    /// [`OLD_SECRET`], a [`PROCESS_TOKEN`] with `events:subscribe`, `extra` TOML appended to
    /// the `[webhooks]` table) and starts the process; returns once `/healthz` answers 200.
    pub async fn start(sandbox_url: &str, webhooks_extra: &str) -> Self {
        let tables = format!(
            "[webhooks]\nsecret = \"{SECRET}\"\nprevious_secret = \"{OLD_SECRET}\"\n{webhooks_extra}\n"
        );
        Self::launch(process_support::ProcessConfig {
            sandbox_url,
            token: PROCESS_TOKEN,
            scopes: "\"events:subscribe\"",
            tables: &tables,
        })
        .await
    }
}
