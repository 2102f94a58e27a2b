//! The gateway binary as a child process, shared by the `events_*` and `nats_*` helpers:
//! `events_support` and `nats_support` include this file with `#[path]` and each adds a
//! `GatewayProcess::start` writing its own configuration (a test that uses both gets two
//! separate copies, so the two `start`s never meet).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use ralio_gateway::proto::ralio::v1 as pb;

/// A free loopback port: bound on port 0, then released (the caller binds it again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind port 0")
        .local_addr()
        .expect("local addr")
        .port()
}

/// Adds `authorization: Bearer <token>` to every request.
#[derive(Clone)]
pub struct Bearer(&'static str);

impl tonic::service::Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        let value = format!("Bearer {}", self.0)
            .parse()
            .map_err(|_| tonic::Status::internal("token"))?;
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    }
}

/// An `EventsService` client presenting a token.
pub type EventsClient = pb::events_service_client::EventsServiceClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, Bearer>,
>;

/// A lazily connected gRPC channel to `addr`.
pub fn channel_to(addr: SocketAddr) -> tonic::transport::Channel {
    tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect_lazy()
}

/// An `EventsService` client on `channel` presenting `token`.
pub fn events_client(channel: tonic::transport::Channel, token: &'static str) -> EventsClient {
    pb::events_service_client::EventsServiceClient::with_interceptor(channel, Bearer(token))
}

/// Every stored event through `ListEvents` (all pages), with any token interceptor.
pub async fn list_all<I: tonic::service::Interceptor>(
    mut client: pb::events_service_client::EventsServiceClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, I>,
    >,
) -> Vec<pb::Event> {
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

/// What goes into a [`GatewayProcess`]'s configuration file.
pub struct ProcessConfig<'a> {
    /// The RalioPay API (the sandbox's base URL).
    pub sandbox_url: &'a str,
    /// A bearer token configured with `scopes` (TOML array body, e.g. `"admin"`).
    pub token: &'static str,
    pub scopes: &'a str,
    /// TOML tables placed after `[ralio]` (`[webhooks]`, `[events]`, ...).
    pub tables: &'a str,
}

/// The `ralio-gateway serve --config <toml>` binary run as a child process on fixed ports and a
/// data directory that survive restarts. Dropping it kills the process.
pub struct GatewayProcess {
    pub grpc_addr: SocketAddr,
    pub http_addr: SocketAddr,
    pub data_dir: PathBuf,
    token: &'static str,
    config: PathBuf,
    log: PathBuf,
    child: Option<tokio::process::Child>,
    /// Times started, for the log file names.
    starts: u32,
    _dir: tempfile::TempDir,
}

impl GatewayProcess {
    /// Writes the configuration and starts the process; returns once `/healthz` answers 200.
    pub async fn launch(settings: ProcessConfig<'_>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("data");
        let grpc_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let http_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let token_hash = ralio_gateway::auth::TokenHash::of_token(settings.token).to_hex();
        let config = format!(
            r#"grpc_addr = "{grpc_addr}"
http_addr = "{http_addr}"
data_dir = {data_dir:?}

[ralio]
base_url = "{sandbox_url}"
api_code = "{api_code}"
api_key = "{api_key}"
timeout_secs = 5

{tables}

[shutdown]
grace_secs = 0
timeout_secs = 2

[[tokens]]
name = "tests"
sha256 = "{token_hash}"
scopes = [{scopes}]
"#,
            sandbox_url = settings.sandbox_url,
            tables = settings.tables,
            scopes = settings.scopes,
            api_code = ralio_sandbox::config::DEV_API_CODE,
            api_key = ralio_sandbox::config::DEV_API_KEY,
        );
        let config_path = dir.path().join("gateway.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut process = Self {
            grpc_addr,
            http_addr,
            data_dir,
            token: settings.token,
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

    fn log_path(&self, run: u32) -> PathBuf {
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

    /// A gRPC channel to the process.
    pub fn channel(&self) -> tonic::transport::Channel {
        channel_to(self.grpc_addr)
    }

    /// An `EventsService` client presenting the configured token.
    pub fn events(&self) -> EventsClient {
        events_client(self.channel(), self.token)
    }

    /// Every stored event through `ListEvents` (all pages).
    pub async fn all_events(&self) -> Vec<pb::Event> {
        list_all(self.events()).await
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
