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
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = env
            .grpc()
            .events()
            .list_events(pb::ListEventsRequest {
                filter: None,
                after_cursor: after,
                page_size: 1000,
            })
            .await
            .expect("list events")
            .into_inner();
        events.extend(page.events);
        after = page.next_cursor;
        if !page.has_more {
            return events;
        }
    }
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

/// A token with `events:subscribe`, configured in every [`GatewayProcess`].
pub const PROCESS_TOKEN: &str = "events-process-token";

/// A free loopback port: bound on port 0, then released (the caller binds it again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local addr")
        .port()
}

/// A request hook that adds `authorization: Bearer <PROCESS_TOKEN>`.
pub type BearerHook = fn(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status>;

/// An `EventsService` client of a [`GatewayProcess`].
pub type ProcessEventsClient = pb::events_service_client::EventsServiceClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, BearerHook>,
>;

/// The `ralio-gateway serve --config <toml>` binary run as a child process on fixed ports and a
/// data directory that survive restarts. Dropping it kills the process.
pub struct GatewayProcess {
    pub grpc_addr: std::net::SocketAddr,
    pub http_addr: std::net::SocketAddr,
    pub data_dir: std::path::PathBuf,
    config: std::path::PathBuf,
    log: std::path::PathBuf,
    child: Option<tokio::process::Child>,
    /// Times started, for the log file names.
    starts: u32,
    _dir: tempfile::TempDir,
}

impl GatewayProcess {
    /// Writes the configuration (sandbox at `sandbox_url`, webhook secrets [`SECRET`] and
    /// [`OLD_SECRET`], a [`PROCESS_TOKEN`] with `events:subscribe`, `extra` TOML appended to
    /// the `[webhooks]` table) and starts the process; returns once `/healthz` answers 200.
    pub async fn start(sandbox_url: &str, webhooks_extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let grpc_addr = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
        let http_addr = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
        let token_hash = ralio_gateway::auth::TokenHash::of_token(PROCESS_TOKEN).to_hex();
        let config = format!(
            r#"grpc_addr = "{grpc_addr}"
http_addr = "{http_addr}"
data_dir = {data_dir:?}

[ralio]
base_url = "{sandbox_url}"
api_code = "{api_code}"
api_key = "{api_key}"
timeout_secs = 5

[webhooks]
secret = "{SECRET}"
previous_secret = "{OLD_SECRET}"
{webhooks_extra}

[shutdown]
grace_secs = 0
timeout_secs = 2

[[tokens]]
name = "events"
sha256 = "{token_hash}"
scopes = ["events:subscribe"]
"#,
            api_code = ralio_sandbox::config::DEV_API_CODE,
            api_key = ralio_sandbox::config::DEV_API_KEY,
        );
        let config_path = dir.path().join("gateway.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut process = Self {
            grpc_addr,
            http_addr,
            data_dir,
            config: config_path,
            log: dir.path().join("gateway"),
            child: None,
            starts: 0,
            _dir: dir,
        };
        process.spawn().await;
        process
    }

    /// `http://<http addr>/webhooks/ralio`.
    pub fn ingest_url(&self) -> String {
        format!("http://{}/webhooks/ralio", self.http_addr)
    }

    /// What the process wrote to stdout and stderr, every run so far.
    pub fn logs(&self) -> String {
        (1..=self.starts)
            .map(|run| {
                let text = std::fs::read_to_string(self.log_path(run)).unwrap_or_default();
                format!("--- gateway run {run} ---\n{text}")
            })
            .collect()
    }

    fn log_path(&self, run: u32) -> std::path::PathBuf {
        self.log.with_extension(format!("{run}.log"))
    }

    /// Starts the binary and waits (bounded) for `/healthz`. A port still held by the killed
    /// process's sockets makes the new one exit at once; it is started again then.
    async fn spawn(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            self.starts += 1;
            let log = std::fs::File::create(self.log_path(self.starts)).expect("log file");
            let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ralio-gateway"));
            command
                .arg("serve")
                .arg("--config")
                .arg(&self.config)
                .env("RUST_LOG", "info")
                .stdin(std::process::Stdio::null())
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .kill_on_drop(true);
            for (name, _) in std::env::vars() {
                if name.starts_with("RALIO_") {
                    command.env_remove(name);
                }
            }
            let mut child = command.spawn().expect("gateway binary starts");
            let http = reqwest::Client::new();
            let url = format!("http://{}/healthz", self.http_addr);
            let exited = loop {
                if let Some(status) = child.try_wait().expect("child status") {
                    break Some(status);
                }
                if let Ok(response) = http.get(&url).send().await
                    && response.status() == 200
                {
                    break None;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "gateway not ready in time\n{}",
                    self.logs()
                );
                tokio::time::sleep(Duration::from_millis(25)).await;
            };
            match exited {
                None => {
                    self.child = Some(child);
                    return;
                }
                Some(status) => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "gateway exited ({status}) and kept failing to start\n{}",
                        self.logs()
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// SIGKILL (`Child::kill` on unix): no shutdown code runs, nothing is flushed.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("SIGKILL the gateway");
        }
    }

    /// Starts the process again on the same ports, configuration and data directory.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "kill the gateway first");
        self.spawn().await;
    }

    /// An `EventsService` client presenting [`PROCESS_TOKEN`].
    pub fn events(&self) -> ProcessEventsClient {
        fn bearer(mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
            let value = format!("Bearer {PROCESS_TOKEN}")
                .parse()
                .map_err(|_| tonic::Status::internal("token"))?;
            request.metadata_mut().insert("authorization", value);
            Ok(request)
        }
        let channel = tonic::transport::Channel::from_shared(format!("http://{}", self.grpc_addr))
            .expect("uri")
            .connect_lazy();
        pb::events_service_client::EventsServiceClient::with_interceptor(
            channel,
            bearer as BearerHook,
        )
    }

    /// Every stored event through `ListEvents` (all pages).
    pub async fn all_events(&self) -> Vec<pb::Event> {
        let mut client = self.events();
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let page = client
                .list_events(pb::ListEventsRequest {
                    filter: None,
                    after_cursor: after,
                    page_size: 1000,
                })
                .await
                .expect("list events")
                .into_inner();
            events.extend(page.events);
            after = page.next_cursor;
            if !page.has_more {
                return events;
            }
        }
    }

    /// `GET /metrics`.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("http://{}/metrics", self.http_addr))
            .await
            .expect("metrics reachable")
            .text()
            .await
            .expect("metrics text")
    }
}
