//! `ralio-bench`: benchmark commands that print figures (never timed tests).
//!
//! * `sandbox` — authenticated reads per second served by the in-process sandbox.
//! * `overhead` — the gateway's cost over a bare tonic forwarder and over direct REST.
//! * `events` — webhook ingest, live fan-out, catch-up, a bare-stream floor and idle memory.

mod events;
mod load;
mod machine;
mod overhead;
mod sandbox;
mod sandbox_api;

use clap::{Parser, Subcommand};

/// The allocator of the `ralio-gateway` binary (its `src/main.rs`), so that the gateway, the
/// floor and the events server run here as they run in production.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(about = "Benchmarks of the Ralio sandbox and gateway")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simple authenticated reads (GET one account) against the in-process sandbox.
    Sandbox(sandbox::Args),
    /// One read three ways (direct REST, a bare tonic forwarder, the gateway), 1 and N clients.
    Overhead(overhead::Args),
    /// The event pipeline: ingest, live fan-out latency, catch-up vs a floor, idle memory.
    Events(events::Args),
    /// A server under test of `events`, run as a child process (internal).
    #[command(hide = true)]
    EventsServer(events::ServerArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The servers measured here log as the `ralio-gateway` binary does. Without a global
    // subscriber every disabled `tracing` span inside h2 still records its fields for the `log`
    // crate (tracing's `log` feature, switched on by axum's default `tower-log`), a cost the
    // binary never pays.
    ralio_gateway::logging::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Sandbox(args) => sandbox::run(args).await,
            Command::Overhead(args) => overhead::run(args).await,
            Command::Events(args) => events::run(args).await,
            Command::EventsServer(args) => events::serve(args).await,
        }
    })
}
