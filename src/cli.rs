//! Command-line interface (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;

const SERVE_HELP: &str = "\
Settings come from, highest precedence first: flags, environment variables, the TOML file,
built-in defaults.

Environment variables:
  RALIO_BASE_URL        RalioPay base URL (e.g. https://sandbox-revo-api.raliopay.com)
  RALIO_API_CODE        merchant api_code used to log in to RalioPay
  RALIO_API_KEY         merchant api_key (keep it out of the file; it is never logged)
  RALIO_GRPC_ADDR       gRPC listen address (default 127.0.0.1:50051)
  RALIO_EVENTS_GRPC_ADDR  optional second gRPC address serving EventsService (and health)
                        with one task per connection for live fan-out (TLS as the main port)
  RALIO_HTTP_ADDR       admin HTTP listen address: /metrics, /healthz (default 127.0.0.1:8080)
  RALIO_DATA_DIR        directory for durable state (default ./.ralio-data)
  RALIO_WEBHOOK_SECRET  key of the HMAC-SHA256 signature on RalioPay webhooks
  RALIO_TLS_CERT, RALIO_TLS_KEY   PEM certificate chain and key: serve both gRPC ports over TLS
  RALIO_TLS_CLIENT_CA   PEM CA: require client certificates signed by it (mTLS)
  RALIO_EVENTS_BACKEND  event log: sqlite (default) or nats ([events] backend)
  RALIO_NATS_URL        NATS URL(s) of the nats backend ([events.nats] url)
  RUST_LOG              log filter (default info)

Example file:
  grpc_addr = \"0.0.0.0:50051\"
  events_grpc_addr = \"0.0.0.0:50052\"   # optional: the events port
  http_addr = \"0.0.0.0:8080\"
  data_dir = \"/var/lib/ralio-gateway\"
  idempotency_ttl_secs = 86400        # how long idempotent outcomes are replayable

  [ralio]
  base_url = \"https://sandbox-revo-api.raliopay.com\"
  api_code = \"merchant-code\"
  timeout_secs = 30                   # per HTTP attempt
  max_retries = 3                     # reads and safe writes only

  [events]                            # optional
  backend = \"nats\"                    # several replicas share one JetStream log
  [events.nats]                       # and idempotency records (JetStream KV)
  url = \"nats://nats-1:4222,nats://nats-2:4222\"
  replicas = 3                        # stream/bucket copies on a JetStream cluster

  [tls]                               # optional
  cert = \"/etc/ralio/tls.crt\"
  key = \"/etc/ralio/tls.key\"
  client_ca = \"/etc/ralio/clients-ca.crt\"   # optional: mTLS

  [shutdown]
  grace_secs = 5                      # NOT_SERVING before closing listeners
  timeout_secs = 30                   # then in-flight calls get this long

  [keepalive]                         # HTTP/2 pings on both gRPC ports
  interval_secs = 60                  # 0 turns them off
  timeout_secs = 20                   # unanswered this long: the connection is closed

  [[tokens]]                          # one per client; the SHA-256 of the token, in hex
  name = \"payments-service\"           # (`ralio-gateway hash-token` computes it)
  sha256 = \"…64 hex digits…\"
  scopes = [\"read\", \"users:write\", \"accounts:write\", \"money:move\", \"events:subscribe\"]
  # \"admin\" grants every scope.";

const DEV_HELP: &str = "\
Starts the embedded RalioPay sandbox and the gateway pointed at it, in one process, and prints
the addresses, a client token with every scope and a grpcurl example. Nothing leaves the machine.";

/// gRPC gateway to the RalioPay REST API.
#[derive(Debug, Parser)]
#[command(name = "ralio-gateway", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Production mode: serve the gRPC API against a real RalioPay base URL.
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Development mode: embedded sandbox + gateway, ready for grpcurl.
    #[command(after_long_help = DEV_HELP)]
    Dev(DevArgs),
    /// Reads a token from stdin and prints its SHA-256 (hex) for a `[[tokens]]` entry.
    HashToken,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration file (see the example below).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// gRPC listen address [env: RALIO_GRPC_ADDR] [default: 127.0.0.1:50051]
    #[arg(long, value_name = "ADDR")]
    pub grpc_addr: Option<SocketAddr>,
    /// Events port: EventsService and health for many live subscribers, plain HTTP/2 [env: RALIO_EVENTS_GRPC_ADDR] [default: off]
    #[arg(long, value_name = "ADDR")]
    pub events_grpc_addr: Option<SocketAddr>,
    /// Admin HTTP listen address (/metrics, /healthz) [env: RALIO_HTTP_ADDR] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<SocketAddr>,
    /// Directory for durable state (idempotency records) [env: RALIO_DATA_DIR] [default: ./.ralio-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl ServeArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            grpc_addr: self.grpc_addr,
            events_grpc_addr: self.events_grpc_addr,
            http_addr: self.http_addr,
            data_dir: self.data_dir.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct DevArgs {
    /// gRPC listen address of the gateway.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50051")]
    pub grpc_addr: SocketAddr,
    /// Events port of the gateway (EventsService for many live subscribers); off if omitted.
    #[arg(long, value_name = "ADDR")]
    pub events_grpc_addr: Option<SocketAddr>,
    /// Admin HTTP listen address of the gateway (/metrics, /healthz, webhooks).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,
    /// Listen address of the embedded RalioPay sandbox (REST API and /sandbox/v1 control API).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    pub sandbox_addr: SocketAddr,
    /// Directory for the gateway's durable state.
    #[arg(long, value_name = "DIR", default_value = ".ralio-data")]
    pub data_dir: PathBuf,
    /// Client token to accept (all scopes); a random one is generated and printed if omitted.
    #[arg(long, value_name = "TOKEN")]
    pub dev_token: Option<String>,
    /// Secret the sandbox signs webhooks with and the gateway verifies; random if omitted.
    #[arg(long, value_name = "SECRET")]
    pub webhook_secret: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dev_defaults_and_overrides() {
        let cli = Cli::try_parse_from(["ralio-gateway", "dev"]).unwrap();
        let Command::Dev(args) = cli.command else {
            panic!("expected dev");
        };
        assert_eq!(args.grpc_addr, "127.0.0.1:50051".parse().unwrap());
        assert_eq!(args.http_addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(args.sandbox_addr, "127.0.0.1:8090".parse().unwrap());
        assert_eq!(args.data_dir, PathBuf::from(".ralio-data"));
        assert_eq!(args.dev_token, None);

        let cli = Cli::try_parse_from([
            "ralio-gateway",
            "dev",
            "--grpc-addr",
            "127.0.0.1:1",
            "--dev-token",
            "t",
            "--webhook-secret",
            "s",
        ])
        .unwrap();
        let Command::Dev(args) = cli.command else {
            panic!("expected dev");
        };
        assert_eq!(args.grpc_addr, "127.0.0.1:1".parse().unwrap());
        assert_eq!(args.dev_token.as_deref(), Some("t"));
        assert_eq!(args.webhook_secret.as_deref(), Some("s"));
    }

    #[test]
    fn serve_flags_become_overrides() {
        let cli = Cli::try_parse_from([
            "ralio-gateway",
            "serve",
            "--config",
            "gw.toml",
            "--http-addr",
            "0.0.0.0:9",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(args.config, Some(PathBuf::from("gw.toml")));
        let overrides = args.overrides();
        assert_eq!(overrides.http_addr, Some("0.0.0.0:9".parse().unwrap()));
        assert_eq!(overrides.grpc_addr, None);
        assert!(Cli::try_parse_from(["ralio-gateway", "serve", "--grpc-addr", "nope"]).is_err());
    }

    #[test]
    fn help_documents_environment_and_file() {
        let help = Cli::command()
            .find_subcommand_mut("serve")
            .unwrap()
            .render_long_help()
            .to_string();
        for needle in [
            "RALIO_API_KEY",
            "RALIO_BASE_URL",
            "[[tokens]]",
            "sha256",
            "--config",
        ] {
            assert!(help.contains(needle), "{needle} missing from:\n{help}");
        }
    }
}
