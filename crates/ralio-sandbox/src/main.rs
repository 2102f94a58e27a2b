//! `ralio-sandbox`: the local RalioPay sandbox as a server. Every flag can also come from the
//! environment (`RALIO_SANDBOX_*`).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use ralio_sandbox::Sandbox;
use ralio_sandbox::config::{
    ApiKey, AutoActivate, AutoSettle, DEV_API_CODE, DEV_API_KEY, SandboxConfig,
};
use ralio_sandbox::webhooks::DeliverySettings;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "ralio-sandbox",
    version,
    about = "A local, stateful RalioPay sandbox"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "RALIO_SANDBOX_ADDR", default_value = "127.0.0.1:8090")]
    addr: SocketAddr,
    /// Merchant identifier accepted by POST /api/v1/auth/login (dev default if absent).
    #[arg(long, env = "RALIO_SANDBOX_API_CODE")]
    api_code: Option<String>,
    /// Merchant secret accepted by login (dev default if absent).
    #[arg(long, env = "RALIO_SANDBOX_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Token lifetime in seconds, on the sandbox clock.
    #[arg(long, env = "RALIO_SANDBOX_TOKEN_TTL_SECS", default_value_t = 3_600)]
    token_ttl_secs: u64,
    /// Activate new accounts at once (otherwise: control API).
    #[arg(long, env = "RALIO_SANDBOX_AUTO_ACTIVATE_ACCOUNTS", default_value_t = true, action = clap::ArgAction::Set)]
    auto_activate_accounts: bool,
    /// Activate new vIBANs at once (otherwise: control API).
    #[arg(long, env = "RALIO_SANDBOX_AUTO_ACTIVATE_VIBANS", default_value_t = true, action = clap::ArgAction::Set)]
    auto_activate_vibans: bool,
    /// Settle pending transfers and payouts at once (otherwise: control API).
    #[arg(long, env = "RALIO_SANDBOX_AUTO_SETTLE", default_value_t = true, action = clap::ArgAction::Set)]
    auto_settle: bool,
    /// Delay before the first webhook retry, in milliseconds (doubles after each failure).
    #[arg(
        long,
        env = "RALIO_SANDBOX_WEBHOOK_BACKOFF_MS",
        default_value_t = 1_000
    )]
    webhook_backoff_ms: u64,
    /// Webhook delivery attempts per event, the first included.
    #[arg(long, env = "RALIO_SANDBOX_WEBHOOK_MAX_ATTEMPTS", default_value_t = 8)]
    webhook_max_attempts: u32,
    /// Timeout of one webhook delivery attempt, in seconds.
    #[arg(long, env = "RALIO_SANDBOX_WEBHOOK_TIMEOUT_SECS", default_value_t = 60)]
    webhook_timeout_secs: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();

    let api_code = match cli.api_code {
        Some(code) => code,
        None => {
            tracing::warn!(
                api_code = DEV_API_CODE,
                "no --api-code given, using the dev default"
            );
            DEV_API_CODE.to_owned()
        }
    };
    let api_key = match cli.api_key {
        // A key the user chose is never printed.
        Some(key) => ApiKey::new(key),
        None => {
            // The dev default is public and the user needs it to log in.
            tracing::warn!(
                api_key = DEV_API_KEY,
                "no --api-key given, using the dev default"
            );
            ApiKey::new(DEV_API_KEY)
        }
    };
    let config = SandboxConfig {
        addr: cli.addr,
        api_code,
        api_key,
        token_ttl: Duration::from_secs(cli.token_ttl_secs),
        auto_activate: AutoActivate {
            accounts: cli.auto_activate_accounts,
            vibans: cli.auto_activate_vibans,
        },
        auto_settle: AutoSettle {
            orders: cli.auto_settle,
        },
        webhooks: DeliverySettings {
            base_delay: Duration::from_millis(cli.webhook_backoff_ms),
            max_attempts: cli.webhook_max_attempts.max(1),
            attempt_timeout: Duration::from_secs(cli.webhook_timeout_secs.max(1)),
            ..DeliverySettings::default()
        },
    };

    let sandbox = Sandbox::start(config).await?;
    tracing::info!(url = %sandbox.base_url(), "RalioPay sandbox ready");
    shutdown_signal().await;
    tracing::info!("shutting down");
    sandbox.shutdown().await?;
    Ok(())
}

/// Resolves on Ctrl-C or (Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
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
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
