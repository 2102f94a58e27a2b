//! The `ralio-gateway` binary: `serve` (production), `dev` (embedded sandbox) and `hash-token`.

use std::io::Read;
use std::process::ExitCode;

use clap::Parser;
use ralio_gateway::auth::TokenHash;
use ralio_gateway::cli::{Cli, Command, ServeArgs};
use ralio_gateway::config::{self, FileConfig};
use ralio_gateway::dev;
use ralio_gateway::server::Gateway;

/// jemalloc rather than glibc's malloc: with 64 concurrent calls glibc spent a large share of
/// the gateway's CPU in arena locking and consolidation; jemalloc nearly doubled the requests
/// per second of the overhead benchmark at the same idle memory (BENCHMARKS.md, 2026-12-02
/// third session).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    ralio_gateway::logging::init();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Dev(args) => run_dev(args.into()).await,
        Command::HashToken => hash_token(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let config = config::resolve(file, |name| std::env::var(name).ok(), &args.overrides())?;
    if config.tokens.is_empty() {
        anyhow::bail!("no [[tokens]] configured: every call would be refused");
    }
    let gateway = Gateway::start(config).await?;
    gateway.run_until(shutdown_signal()).await?;
    Ok(())
}

async fn run_dev(options: dev::DevOptions) -> anyhow::Result<()> {
    let handle = dev::start(options).await?;
    println!("{}", handle.banner());
    handle.run_until(shutdown_signal()).await?;
    Ok(())
}

fn hash_token() -> anyhow::Result<()> {
    let mut token = String::new();
    std::io::stdin().read_to_string(&mut token)?;
    let token = token.trim();
    if token.is_empty() {
        anyhow::bail!("expected the token on stdin");
    }
    println!("{}", TokenHash::of_token(token).to_hex());
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
