//! `ralio-bench`: benchmark commands that print figures (never timed tests).
//!
//! * `sandbox` — authenticated reads per second served by the in-process sandbox.

mod load;
mod rss;
mod sandbox;

use clap::{Parser, Subcommand};

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Sandbox(args) => sandbox::run(args).await,
        }
    })
}
