//! `ralio-gateway dev`: the embedded sandbox and the gateway pointed at it, in one process.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ralio_core::Secret;
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use crate::auth::{Scope, Scopes, TokenEntry, TokenHash, TokenRegistry};
use crate::cli::DevArgs;
use crate::config::{GatewayConfig, KeepaliveSettings, RalioSettings, ShutdownSettings};
use crate::server::{Gateway, GatewayHandle, ServeError, StartError};

/// Name of the dev token's caller (logs, metrics, idempotency records).
pub const DEV_CALLER: &str = "dev";

/// Why dev mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error("cannot start the sandbox on {addr}: {source}")]
    Sandbox {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Gateway(#[from] StartError),
}

/// Dev mode's settings (the `dev` flags).
#[derive(Debug, Clone)]
pub struct DevOptions {
    pub grpc_addr: SocketAddr,
    /// The events port (`crate::fanout`), off when `None`.
    pub events_grpc_addr: Option<SocketAddr>,
    pub http_addr: SocketAddr,
    pub sandbox_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub dev_token: Option<String>,
    pub webhook_secret: Option<String>,
    /// The event log and stream settings (`ralio-gateway dev`: SQLite in `data_dir`, defaults).
    pub events: crate::events::EventsSettings,
}

impl From<DevArgs> for DevOptions {
    fn from(args: DevArgs) -> Self {
        Self {
            grpc_addr: args.grpc_addr,
            events_grpc_addr: args.events_grpc_addr,
            http_addr: args.http_addr,
            sandbox_addr: args.sandbox_addr,
            data_dir: args.data_dir,
            dev_token: args.dev_token,
            webhook_secret: args.webhook_secret,
            events: crate::events::EventsSettings::default(),
        }
    }
}

/// The running sandbox and gateway.
pub struct DevHandle {
    pub sandbox: SandboxHandle,
    pub gateway: GatewayHandle,
    token: Secret,
}

impl DevHandle {
    /// The client token every RPC accepts (all scopes).
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// What the developer needs to start calling: addresses, the token, a grpcurl line.
    pub fn banner(&self) -> String {
        let grpc = self.gateway.grpc_addr();
        let http = self.gateway.http_addr();
        let sandbox = self.sandbox.base_url();
        let token = self.token.expose();
        format!(
            "ralio-gateway dev mode\n\
             \n  gRPC          {grpc}\
             \n  admin HTTP    http://{http}  (/metrics, /healthz)\
             \n  sandbox       {sandbox}  (REST /api/v1, control /sandbox/v1)\
             \n  webhooks      sandbox -> http://{http}{webhooks}  (signed, stored, streamed)\
             \n  client token  {token}  (all scopes; dev only)\
             \n\nTry:\
             \n  grpcurl -plaintext -H 'authorization: Bearer {token}' {grpc} list\
             \n  grpcurl -plaintext -H 'authorization: Bearer {token}' {grpc} \\\
             \n      ralio.v1.MerchantService/ListMerchantUserAccounts\
             \n  grpcurl -plaintext -H 'authorization: Bearer {token}' -d '{{\"earliest\":true}}' \\\
             \n      {grpc} ralio.v1.EventsService/Subscribe\n",
            webhooks = crate::events::ingest::WEBHOOK_PATH,
        )
    }

    /// Serves until `signal`, then stops the gateway (draining) and the sandbox.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), ServeError> {
        let result = self.gateway.run_until(signal).await;
        if let Err(err) = self.sandbox.shutdown().await {
            tracing::warn!(error = %err, "sandbox did not stop cleanly");
        }
        result
    }
}

/// Starts the sandbox, then the gateway pointed at it with the sandbox's development
/// credentials and one client token holding every scope.
pub async fn start(options: DevOptions) -> Result<DevHandle, DevError> {
    let sandbox = Sandbox::start(SandboxConfig {
        addr: options.sandbox_addr,
        ..SandboxConfig::default()
    })
    .await
    .map_err(|source| DevError::Sandbox {
        addr: options.sandbox_addr,
        source,
    })?;

    let token = Secret::new(options.dev_token.unwrap_or_else(generate_token));
    let webhook_secret = Secret::new(options.webhook_secret.unwrap_or_else(generate_token));
    let config = GatewayConfig {
        grpc_addr: options.grpc_addr,
        events_grpc_addr: options.events_grpc_addr,
        http_addr: options.http_addr,
        data_dir: options.data_dir,
        ralio: RalioSettings {
            base_url: sandbox.base_url(),
            api_code: DEV_API_CODE.to_owned(),
            api_key: Secret::new(DEV_API_KEY),
            timeout: Duration::from_secs(30),
            max_retries: 3,
        },
        tokens: TokenRegistry::new(vec![TokenEntry {
            name: DEV_CALLER.to_owned(),
            hash: TokenHash::of_token(token.expose()),
            scopes: Scopes::new(Scope::ALL),
        }]),
        tls: None,
        // The gateway verifies the sandbox's webhooks with it (the sandbox is pointed at the
        // gateway's /webhooks/ralio below).
        webhook_secret: Some(webhook_secret.clone()),
        events: options.events,
        idempotency_ttl: Duration::from_secs(24 * 3600),
        shutdown: ShutdownSettings::default(),
        keepalive: KeepaliveSettings::default(),
        login_retry: Duration::from_millis(100),
    };
    let gateway = Gateway::start(config).await?;
    // Deliver the sandbox's webhooks to the gateway's receiver, signed with the dev secret.
    sandbox
        .state()
        .webhooks
        .configure(ralio_sandbox::webhooks::WebhookEndpoint {
            url: format!(
                "http://{}{}",
                gateway.http_addr(),
                crate::events::ingest::WEBHOOK_PATH
            ),
            secret: ralio_sandbox::webhooks::WebhookSecret::new(webhook_secret.expose()),
            events: None,
        });
    Ok(DevHandle {
        sandbox,
        gateway,
        token,
    })
}

/// A random token: 32 bytes of OS randomness, hex, with a prefix that makes it recognisable
/// (and greppable by secret scanners).
fn generate_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("rgw_dev_{}", hex::encode(bytes))
}
