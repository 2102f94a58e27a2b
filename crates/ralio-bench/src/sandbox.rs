//! How many simple authenticated reads per second the sandbox serves: the sandbox must never be
//! the bottleneck of the gateway benchmarks (target ≥ 20,000/s on 2 cores).

use crate::{load, machine, sandbox_api};
use ralio_sandbox::{Sandbox, SandboxConfig};
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent clients (each one request at a time, over pooled keep-alive connections).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Seconds of measurement per run (after a 2 s warm-up).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(SandboxConfig::for_tests()).await?;
    let base = sandbox.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let bearer = sandbox_api::bearer(&http, &base).await?;
    let account = sandbox_api::first_merchant_account(&http, &base, &bearer).await?;
    let call = sandbox_api::get_call(
        http,
        format!("{base}/api/v1/merchant/user/accounts/{account}"),
        bearer,
    );

    println!(
        "sandbox reads: GET /api/v1/merchant/user/accounts/{{aid}} with a bearer token, {} clients, in-process client and server on {} cores",
        args.clients,
        machine::cores()
    );
    load::run(args.clients, Duration::from_secs(2), call.clone()).await?;
    let report = load::run(args.clients, Duration::from_secs(args.seconds), call).await?;
    report.print("sandbox authenticated reads");
    if let Some(kib) = machine::current_kib() {
        println!("process RSS after the run: {} MiB", kib / 1024);
    }
    let target = 20_000.0;
    println!(
        "target ≥ {target:.0} req/s: {}",
        if report.throughput() >= target {
            "met"
        } else {
            "MISSED"
        }
    );
    sandbox.shutdown().await?;
    Ok(())
}
