//! The `ralio-sandbox` binary as users run it: flags and environment variables, the listening
//! address it prints, credentials it accepts, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const API_KEY: &str = "binary-test-key-7f3a9c";

struct Running {
    child: Child,
    base: String,
    /// Output up to and including the "ready" line.
    startup: Vec<String>,
    logs: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `args` and `envs`, and waits for the line announcing its URL.
fn start(args: &[&str], envs: &[(&str, &str)]) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ralio-sandbox"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("spawn ralio-sandbox");
    let (lines, logs) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
    }
    // From here on the child is killed and reaped on every path, panics included.
    let mut running = Running {
        child,
        base: String::new(),
        startup: Vec::new(),
        logs,
    };
    loop {
        let line = running
            .logs
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no 'ready' line; output so far: {:#?}", running.startup));
        let url = line.find("http://127.0.0.1:").map(|at| {
            line[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.'))
                .collect::<String>()
        });
        running.startup.push(line);
        if let Some(url) = url {
            running.base = url.trim_end_matches('/').to_owned();
            return running;
        }
    }
}

fn login(base: &str, code: &str, key: &str) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"api_code": code, "api_key": key}))
            .send()
            .await
            .expect("login request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

#[test]
fn flags_choose_address_and_credentials_and_the_key_is_never_printed() {
    let mut sandbox = start(
        &[
            "--addr",
            "127.0.0.1:0",
            "--api-code",
            "binary-merchant",
            "--api-key",
            API_KEY,
        ],
        &[],
    );
    let (status, body) = login(&sandbox.base, "binary-merchant", API_KEY);
    assert_eq!(status, 200, "{body}");
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    let (status, body) = login(&sandbox.base, "sandbox-merchant", "sandbox-secret-key");
    assert_eq!(
        status, 401,
        "the dev defaults are off when flags are given: {body}"
    );

    // SIGTERM: a clean shutdown with exit status 0.
    let pid = sandbox.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let exit = sandbox.child.wait().expect("wait");
    assert!(exit.success(), "exit status {exit:?}");
    let mut output = sandbox.startup.clone();
    output.extend(sandbox.logs.try_iter());
    assert!(
        output
            .iter()
            .any(|line| line.contains("binary-merchant") || line.contains("ready")),
        "the sandbox printed nothing: the check below could not fail"
    );
    assert!(
        output.iter().all(|line| !line.contains(API_KEY)),
        "the api key was printed: {output:#?}"
    );
}

#[test]
fn environment_variables_work_and_dev_defaults_are_printed() {
    let sandbox = start(
        &[],
        &[
            ("RALIO_SANDBOX_ADDR", "127.0.0.1:0"),
            ("RALIO_SANDBOX_API_CODE", "env-merchant"),
        ],
    );
    // No key given: the dev default is used, and announced so the user can log in.
    let (status, body) = login(&sandbox.base, "env-merchant", "sandbox-secret-key");
    assert_eq!(status, 200, "{body}");
    assert!(
        sandbox
            .startup
            .iter()
            .any(|line| line.contains("sandbox-secret-key")),
        "the dev key should be printed at start: {:#?}",
        sandbox.startup
    );
}
