//! The gateway's settings: a TOML file, environment variables and command-line flags, merged
//! with the precedence flags > environment > file > defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ralio_core::Secret;
use serde::Deserialize;

use crate::auth::{Scope, Scopes, TokenEntry, TokenHash, TokenRegistry};

pub const DEFAULT_GRPC_ADDR: &str = "127.0.0.1:50051";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = ".ralio-data";

/// Environment variables the gateway reads (documented in `--help`).
pub mod env {
    pub const API_CODE: &str = "RALIO_API_CODE";
    pub const API_KEY: &str = "RALIO_API_KEY";
    pub const BASE_URL: &str = "RALIO_BASE_URL";
    pub const GRPC_ADDR: &str = "RALIO_GRPC_ADDR";
    pub const HTTP_ADDR: &str = "RALIO_HTTP_ADDR";
    /// Optional second gRPC port serving `EventsService` with a fan-out loop of its own.
    pub const EVENTS_GRPC_ADDR: &str = "RALIO_EVENTS_GRPC_ADDR";
    pub const DATA_DIR: &str = "RALIO_DATA_DIR";
    pub const WEBHOOK_SECRET: &str = "RALIO_WEBHOOK_SECRET";
    /// The previous webhook secret, still accepted while RalioPay switches to the new one.
    pub const WEBHOOK_SECRET_PREVIOUS: &str = "RALIO_WEBHOOK_SECRET_PREVIOUS";
    pub const TLS_CERT: &str = "RALIO_TLS_CERT";
    pub const TLS_KEY: &str = "RALIO_TLS_KEY";
    pub const TLS_CLIENT_CA: &str = "RALIO_TLS_CLIENT_CA";
    /// `sqlite` (default) or `nats`: the event log backend (`[events] backend`).
    pub const EVENTS_BACKEND: &str = "RALIO_EVENTS_BACKEND";
    /// NATS server URL(s) of the `nats` backend (`[events.nats] url`); may hold credentials.
    pub const NATS_URL: &str = "RALIO_NATS_URL";
}

/// Everything the gateway needs to run, fully resolved. `Debug` hides the secrets.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    pub grpc_addr: SocketAddr,
    /// The events port (`crate::fanout`): `EventsService` and health on a second gRPC port
    /// built for live fan-out to many subscribers. Off when `None`; served with the same
    /// `tls` as the main port.
    pub events_grpc_addr: Option<SocketAddr>,
    /// Admin HTTP server: `/metrics`, `/healthz` and (later) the webhook receiver.
    pub http_addr: SocketAddr,
    /// Where durable state lives (the idempotency database, later the event log).
    pub data_dir: PathBuf,
    pub ralio: RalioSettings,
    pub tokens: TokenRegistry,
    pub tls: Option<TlsSettings>,
    /// Key of the HMAC-SHA256 signature on RalioPay's webhooks.
    pub webhook_secret: Option<Secret>,
    /// The event pipeline: webhook receiver, event log, streams.
    pub events: crate::events::EventsSettings,
    /// How long idempotency records are kept after completion.
    pub idempotency_ttl: Duration,
    pub shutdown: ShutdownSettings,
    /// HTTP/2 pings to clients on both gRPC ports (`[keepalive]`).
    pub keepalive: KeepaliveSettings,
    /// First delay between start-up login attempts (doubles up to 30 s).
    pub login_retry: Duration,
}

/// How to reach RalioPay.
#[derive(Debug, Clone)]
pub struct RalioSettings {
    pub base_url: String,
    pub api_code: String,
    pub api_key: Secret,
    /// Timeout of one HTTP attempt.
    pub timeout: Duration,
    /// Retries of retryable calls after the first attempt.
    pub max_retries: u32,
}

/// Server TLS of both gRPC ports; with `client_ca`, clients must present a certificate signed
/// by it (mTLS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

/// Graceful shutdown: health goes NOT_SERVING, then after `grace` the listeners close and
/// in-flight calls get up to `timeout` to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownSettings {
    pub grace: Duration,
    pub timeout: Duration,
}

impl Default for ShutdownSettings {
    fn default() -> Self {
        Self {
            grace: Duration::ZERO,
            timeout: Duration::from_secs(30),
        }
    }
}

/// HTTP/2 keep-alive on both gRPC ports: every `interval` the server pings each connection,
/// and closes one whose client has not answered within `timeout`, which frees its streams. It
/// is how a client that vanished without closing its connection (host gone, network cut) is
/// noticed in seconds rather than after TCP's retransmission timeout (many minutes).
/// `interval: None` turns the pings off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepaliveSettings {
    pub interval: Option<Duration>,
    pub timeout: Duration,
}

impl Default for KeepaliveSettings {
    fn default() -> Self {
        Self {
            interval: Some(Duration::from_secs(60)),
            timeout: Duration::from_secs(20),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{setting}: {message}")]
    Invalid { setting: String, message: String },
    #[error("{0} is required (set it in the config file or the environment)")]
    Missing(&'static str),
}

fn invalid(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting: setting.to_owned(),
        message: message.into(),
    }
}

/// The TOML file. Every field is optional; see `--help` of `serve` for an example.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub grpc_addr: Option<String>,
    pub events_grpc_addr: Option<String>,
    pub http_addr: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub idempotency_ttl_secs: Option<u64>,
    #[serde(default)]
    pub ralio: FileRalio,
    #[serde(default)]
    pub webhooks: FileWebhooks,
    #[serde(default)]
    pub events: FileEvents,
    pub tls: Option<FileTls>,
    #[serde(default)]
    pub shutdown: FileShutdown,
    #[serde(default)]
    pub keepalive: FileKeepalive,
    #[serde(default)]
    pub tokens: Vec<FileToken>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRalio {
    pub base_url: Option<String>,
    pub api_code: Option<String>,
    /// Allowed, but the environment (`RALIO_API_KEY`) is the better place for it.
    #[serde(default, deserialize_with = "secret")]
    pub api_key: Option<Secret>,
    pub timeout_secs: Option<u64>,
    pub max_retries: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileWebhooks {
    #[serde(default, deserialize_with = "secret")]
    pub secret: Option<Secret>,
    /// Still accepted during a secret rotation.
    #[serde(default, deserialize_with = "secret")]
    pub previous_secret: Option<Secret>,
    /// Largest accepted webhook body (default 1 MiB).
    pub body_limit_bytes: Option<usize>,
}

/// `[events]`: the event log and the streams.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEvents {
    /// `"sqlite"` (default): a file in the data directory.
    pub backend: Option<String>,
    /// Heartbeat interval of streams that do not ask for one (default 15).
    pub heartbeat_secs: Option<u64>,
    /// Redelivery delay of unacknowledged events of durable consumers (default 30).
    pub ack_wait_secs: Option<u64>,
    /// Most unacknowledged events one member of a durable consumer holds (default 256).
    pub max_in_flight_per_member: Option<usize>,
    /// `[events.nats]`: settings of the `nats` backend.
    #[serde(default)]
    pub nats: FileNats,
}

/// `[events.nats]`: the NATS JetStream backend (used when `events.backend = "nats"`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileNats {
    /// Server URL(s), comma separated; required with the `nats` backend.
    pub url: Option<String>,
    /// Stream name (default `RALIO_EVENTS`).
    pub stream: Option<String>,
    /// Subject prefix (default `ralio.events`).
    pub subject_prefix: Option<String>,
    /// KV bucket of durable consumer positions (default `RALIO_EVENT_CONSUMERS`).
    pub consumers_bucket: Option<String>,
    /// KV bucket of idempotency records (default `RALIO_IDEMPOTENCY`).
    pub idempotency_bucket: Option<String>,
    /// Copies of the stream and buckets on a JetStream cluster (default 1).
    pub replicas: Option<usize>,
    /// JetStream deduplication window (default 120).
    pub duplicate_window_secs: Option<u64>,
}

impl std::fmt::Debug for FileNats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileNats")
            .field(
                "url",
                &self
                    .url
                    .as_deref()
                    .map(crate::events::jetstream::redact_url),
            )
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("consumers_bucket", &self.consumers_bucket)
            .field("idempotency_bucket", &self.idempotency_bucket)
            .field("replicas", &self.replicas)
            .field("duplicate_window_secs", &self.duplicate_window_secs)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTls {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub client_ca: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileShutdown {
    pub grace_secs: Option<u64>,
    pub timeout_secs: Option<u64>,
}

/// `[keepalive]`: HTTP/2 pings on the gRPC ports; `interval_secs = 0` turns them off.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileKeepalive {
    pub interval_secs: Option<u64>,
    pub timeout_secs: Option<u64>,
}

/// `[[tokens]]`: a client token, by the SHA-256 of its value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileToken {
    pub name: String,
    pub sha256: String,
    pub scopes: Vec<Scope>,
}

/// Reads a string straight into a [`Secret`], so the plain value never sits in a `Debug` type.
fn secret<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|value| value.map(Secret::from))
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub grpc_addr: Option<SocketAddr>,
    pub events_grpc_addr: Option<SocketAddr>,
    pub http_addr: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

impl FileConfig {
    /// Reads and parses a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|err| err.to_string())
    }
}

/// Merges file, environment (`lookup` is `std::env::var` in production, a map in tests) and
/// flags into a [`GatewayConfig`].
pub fn resolve(
    file: FileConfig,
    lookup: impl Fn(&str) -> Option<String>,
    flags: &Overrides,
) -> Result<GatewayConfig, ConfigError> {
    let env_value = |name: &str| lookup(name).filter(|value| !value.is_empty());

    let grpc_addr = match flags.grpc_addr {
        Some(addr) => addr,
        None => parse_addr(
            env::GRPC_ADDR,
            env_value(env::GRPC_ADDR).or(file.grpc_addr).as_deref(),
            DEFAULT_GRPC_ADDR,
        )?,
    };
    let events_grpc_addr = match flags.events_grpc_addr {
        Some(addr) => Some(addr),
        None => env_value(env::EVENTS_GRPC_ADDR)
            .or(file.events_grpc_addr)
            .map(|value| parse_addr(env::EVENTS_GRPC_ADDR, Some(&value), ""))
            .transpose()?,
    };
    let http_addr = match flags.http_addr {
        Some(addr) => addr,
        None => parse_addr(
            env::HTTP_ADDR,
            env_value(env::HTTP_ADDR).or(file.http_addr).as_deref(),
            DEFAULT_HTTP_ADDR,
        )?,
    };
    let data_dir = flags
        .data_dir
        .clone()
        .or_else(|| env_value(env::DATA_DIR).map(PathBuf::from))
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));

    let base_url = env_value(env::BASE_URL)
        .or(file.ralio.base_url)
        .ok_or(ConfigError::Missing("ralio.base_url / RALIO_BASE_URL"))?;
    let api_code = env_value(env::API_CODE)
        .or(file.ralio.api_code)
        .ok_or(ConfigError::Missing("ralio.api_code / RALIO_API_CODE"))?;
    let api_key = env_value(env::API_KEY)
        .map(Secret::from)
        .or(file.ralio.api_key)
        .filter(|key| !key.is_empty())
        .ok_or(ConfigError::Missing("ralio.api_key / RALIO_API_KEY"))?;
    let ralio = RalioSettings {
        base_url,
        api_code,
        api_key,
        timeout: Duration::from_secs(file.ralio.timeout_secs.unwrap_or(30)),
        max_retries: file.ralio.max_retries.unwrap_or(3),
    };

    let webhook_secret = env_value(env::WEBHOOK_SECRET)
        .map(Secret::from)
        .or(file.webhooks.secret);
    let events = events_settings(
        env_value(env::WEBHOOK_SECRET_PREVIOUS)
            .map(Secret::from)
            .or(file.webhooks.previous_secret),
        file.webhooks.body_limit_bytes,
        env_value(env::EVENTS_BACKEND),
        env_value(env::NATS_URL),
        &file.events,
    )?;

    let file_tls = file.tls.unwrap_or_default();
    let cert = env_value(env::TLS_CERT)
        .map(PathBuf::from)
        .or(file_tls.cert);
    let key = env_value(env::TLS_KEY).map(PathBuf::from).or(file_tls.key);
    let client_ca = env_value(env::TLS_CLIENT_CA)
        .map(PathBuf::from)
        .or(file_tls.client_ca);
    let tls = match (cert, key) {
        (Some(cert), Some(key)) => Some(TlsSettings {
            cert,
            key,
            client_ca,
        }),
        (None, None) if client_ca.is_none() => None,
        _ => {
            return Err(invalid(
                "tls",
                "cert and key must be given together (client_ca needs both)",
            ));
        }
    };

    let tokens = file
        .tokens
        .into_iter()
        .map(|token| {
            let hash = TokenHash::from_hex(&token.sha256).map_err(|err| {
                invalid(&format!("tokens.{}.sha256", token.name), err.to_string())
            })?;
            Ok(TokenEntry {
                name: token.name,
                hash,
                scopes: Scopes::new(token.scopes),
            })
        })
        .collect::<Result<Vec<_>, ConfigError>>()?;

    let defaults = ShutdownSettings::default();
    Ok(GatewayConfig {
        grpc_addr,
        events_grpc_addr,
        http_addr,
        data_dir,
        ralio,
        tokens: TokenRegistry::new(tokens),
        tls,
        webhook_secret,
        events,
        idempotency_ttl: Duration::from_secs(file.idempotency_ttl_secs.unwrap_or(24 * 3600)),
        shutdown: ShutdownSettings {
            grace: file
                .shutdown
                .grace_secs
                .map_or(defaults.grace, Duration::from_secs),
            timeout: file
                .shutdown
                .timeout_secs
                .map_or(defaults.timeout, Duration::from_secs),
        },
        keepalive: keepalive_settings(&file.keepalive)?,
        login_retry: Duration::from_secs(1),
    })
}

fn keepalive_settings(file: &FileKeepalive) -> Result<KeepaliveSettings, ConfigError> {
    let defaults = KeepaliveSettings::default();
    let timeout = file
        .timeout_secs
        .map_or(defaults.timeout, Duration::from_secs);
    if timeout.is_zero() {
        return Err(invalid(
            "keepalive.timeout_secs",
            "must be at least 1 (a client needs time to answer a ping)",
        ));
    }
    Ok(KeepaliveSettings {
        interval: match file.interval_secs {
            None => defaults.interval,
            Some(0) => None,
            Some(secs) => Some(Duration::from_secs(secs)),
        },
        timeout,
    })
}

fn events_settings(
    previous_webhook_secret: Option<Secret>,
    body_limit: Option<usize>,
    env_backend: Option<String>,
    env_nats_url: Option<String>,
    file: &FileEvents,
) -> Result<crate::events::EventsSettings, ConfigError> {
    let defaults = crate::events::EventsSettings::default();
    let backend = match env_backend.as_deref().or(file.backend.as_deref()) {
        None | Some("sqlite") => crate::events::Backend::Sqlite,
        Some("nats") => crate::events::Backend::Nats(nats_settings(env_nats_url, &file.nats)?),
        Some(other) => {
            return Err(invalid(
                "events.backend",
                format!("unknown backend `{other}` (known: sqlite, nats)"),
            ));
        }
    };
    let body_limit = body_limit.unwrap_or(defaults.body_limit);
    if body_limit == 0 {
        return Err(invalid("webhooks.body_limit_bytes", "must be positive"));
    }
    let heartbeat = file
        .heartbeat_secs
        .map_or(defaults.heartbeat, Duration::from_secs);
    if !(1..=300).contains(&heartbeat.as_secs()) {
        return Err(invalid("events.heartbeat_secs", "must be 1 to 300"));
    }
    let ack_wait = file
        .ack_wait_secs
        .map_or(defaults.ack_wait, Duration::from_secs);
    if ack_wait.is_zero() {
        return Err(invalid("events.ack_wait_secs", "must be positive"));
    }
    let max_in_flight_per_member = file
        .max_in_flight_per_member
        .unwrap_or(defaults.max_in_flight_per_member);
    if max_in_flight_per_member == 0 {
        return Err(invalid(
            "events.max_in_flight_per_member",
            "must be positive",
        ));
    }
    Ok(crate::events::EventsSettings {
        backend,
        previous_webhook_secret: previous_webhook_secret.filter(|secret| !secret.is_empty()),
        body_limit,
        heartbeat,
        ack_wait,
        max_in_flight_per_member,
    })
}

/// A JetStream stream or bucket name: letters, digits, `-`, `_`.
fn check_name(setting: &str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            setting,
            format!("`{value}` must be letters, digits, `-` or `_`"),
        ));
    }
    Ok(())
}

fn nats_settings(
    env_url: Option<String>,
    file: &FileNats,
) -> Result<crate::events::jetstream::NatsSettings, ConfigError> {
    let defaults = crate::events::jetstream::NatsSettings::default();
    let url = env_url
        .or_else(|| file.url.clone())
        .filter(|url| !url.trim().is_empty())
        .ok_or(ConfigError::Missing(
            "events.nats.url / RALIO_NATS_URL (with events.backend = \"nats\")",
        ))?;
    let stream = file.stream.clone().unwrap_or(defaults.stream);
    check_name("events.nats.stream", &stream)?;
    let consumers_bucket = file
        .consumers_bucket
        .clone()
        .unwrap_or(defaults.consumers_bucket);
    check_name("events.nats.consumers_bucket", &consumers_bucket)?;
    let idempotency_bucket = file
        .idempotency_bucket
        .clone()
        .unwrap_or(defaults.idempotency_bucket);
    check_name("events.nats.idempotency_bucket", &idempotency_bucket)?;
    if consumers_bucket == idempotency_bucket {
        return Err(invalid(
            "events.nats.idempotency_bucket",
            "must differ from events.nats.consumers_bucket",
        ));
    }
    let subject_prefix = file
        .subject_prefix
        .clone()
        .unwrap_or(defaults.subject_prefix);
    let tokens_ok = subject_prefix.split('.').all(|token| {
        !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if !tokens_ok || subject_prefix.starts_with('$') {
        return Err(invalid(
            "events.nats.subject_prefix",
            format!("`{subject_prefix}` must be dot-separated tokens of letters, digits, `-`, `_`"),
        ));
    }
    let replicas = file.replicas.unwrap_or(defaults.replicas);
    if !(1..=5).contains(&replicas) {
        return Err(invalid("events.nats.replicas", "must be 1 to 5"));
    }
    let duplicate_window = file
        .duplicate_window_secs
        .map_or(defaults.duplicate_window, Duration::from_secs);
    if duplicate_window.is_zero() {
        return Err(invalid(
            "events.nats.duplicate_window_secs",
            "must be positive",
        ));
    }
    Ok(crate::events::jetstream::NatsSettings {
        url,
        stream,
        subject_prefix,
        consumers_bucket,
        idempotency_bucket,
        replicas,
        duplicate_window,
    })
}

fn parse_addr(
    setting: &str,
    value: Option<&str>,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    let value = value.unwrap_or(default);
    value
        .parse()
        .map_err(|_| invalid(setting, format!("`{value}` is not an ip:port address")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const FILE: &str = r#"
grpc_addr = "0.0.0.0:6000"
http_addr = "0.0.0.0:6001"
data_dir = "/var/lib/ralio"

[ralio]
base_url = "https://file.example"
api_code = "file-code"
api_key = "file-key"

[[tokens]]
name = "payments"
sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
scopes = ["read", "money:move"]
"#;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn file_values_apply_when_nothing_overrides_them() {
        let config = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.grpc_addr, "0.0.0.0:6000".parse().unwrap());
        assert_eq!(config.http_addr, "0.0.0.0:6001".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/ralio"));
        assert_eq!(config.ralio.base_url, "https://file.example");
        assert_eq!(config.ralio.api_key.expose(), "file-key");
        let caller = config.tokens.authenticate("abc").unwrap();
        assert_eq!(caller.id, "payments");
        assert!(caller.scopes.allows(Scope::MoneyMove));
        assert!(!caller.scopes.allows(Scope::UsersWrite));
        assert_eq!(config.tls, None);
    }

    #[test]
    fn env_beats_file_and_flags_beat_env() {
        let lookup = env(&[
            (env::GRPC_ADDR, "127.0.0.1:7000"),
            (env::HTTP_ADDR, "127.0.0.1:7001"),
            (env::BASE_URL, "http://env.example"),
            (env::API_KEY, "env-key"),
            (env::DATA_DIR, "/env/data"),
        ]);
        let flags = Overrides {
            grpc_addr: Some("127.0.0.1:9000".parse().unwrap()),
            events_grpc_addr: None,
            http_addr: None,
            data_dir: Some(PathBuf::from("/flag/data")),
        };
        let config = resolve(FileConfig::parse(FILE).unwrap(), lookup, &flags).unwrap();
        assert_eq!(config.grpc_addr, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.http_addr, "127.0.0.1:7001".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("/flag/data"));
        assert_eq!(config.ralio.base_url, "http://env.example");
        assert_eq!(config.ralio.api_code, "file-code");
        assert_eq!(config.ralio.api_key.expose(), "env-key");
    }

    #[test]
    fn defaults_and_missing_required_values() {
        let lookup = env(&[
            (env::BASE_URL, "http://x"),
            (env::API_CODE, "c"),
            (env::API_KEY, "k"),
        ]);
        let config = resolve(FileConfig::default(), lookup, &Overrides::default()).unwrap();
        assert_eq!(config.grpc_addr, DEFAULT_GRPC_ADDR.parse().unwrap());
        assert_eq!(config.http_addr, DEFAULT_HTTP_ADDR.parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert!(config.tokens.is_empty());

        let err = resolve(FileConfig::default(), env(&[]), &Overrides::default()).unwrap_err();
        assert!(matches!(err, ConfigError::Missing(_)), "{err}");
    }

    #[test]
    fn bad_values_are_reported_with_their_setting() {
        let text = FILE.replace("ba7816bf", "zz");
        let err = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("tokens.payments.sha256"), "{err}");

        let err = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[(env::GRPC_ADDR, "nope")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains(env::GRPC_ADDR), "{err}");

        assert!(FileConfig::parse("unknown_key = 1").is_err());
        assert!(FileConfig::parse("[[tokens]]\nname='a'\nsha256='x'\nscopes=['fly']").is_err());

        let text = format!("{FILE}\n[tls]\ncert = \"/c.pem\"\n");
        let err = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("tls"), "{err}");
    }

    #[test]
    fn the_events_port_is_off_unless_set_and_takes_the_same_tls() {
        let config = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.events_grpc_addr, None);

        // File, then environment, then flag.
        let text = format!("events_grpc_addr = \"0.0.0.0:6002\"\n{FILE}");
        let from_file = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            from_file.events_grpc_addr,
            Some("0.0.0.0:6002".parse().unwrap())
        );
        let from_env = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[(env::EVENTS_GRPC_ADDR, "127.0.0.1:7002")]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            from_env.events_grpc_addr,
            Some("127.0.0.1:7002".parse().unwrap())
        );
        let flags = Overrides {
            events_grpc_addr: Some("127.0.0.1:9002".parse().unwrap()),
            ..Overrides::default()
        };
        let from_flag = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[(env::EVENTS_GRPC_ADDR, "127.0.0.1:7002")]),
            &flags,
        )
        .unwrap();
        assert_eq!(
            from_flag.events_grpc_addr,
            Some("127.0.0.1:9002".parse().unwrap())
        );

        let err = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[(env::EVENTS_GRPC_ADDR, "port 7002")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains(env::EVENTS_GRPC_ADDR), "{err}");

        // TLS settings are the gateway's, for both ports (tests/gateway_tls.rs serves them).
        let both = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[
                (env::EVENTS_GRPC_ADDR, "127.0.0.1:7002"),
                (env::TLS_CERT, "/c.pem"),
                (env::TLS_KEY, "/k.pem"),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(
            both.events_grpc_addr,
            Some("127.0.0.1:7002".parse().unwrap())
        );
        assert_eq!(both.tls.map(|tls| tls.cert), Some("/c.pem".into()));
    }

    #[test]
    fn keepalive_defaults_file_values_off_and_a_zero_timeout() {
        let parse = |extra: &str| {
            resolve(
                FileConfig::parse(&format!("{FILE}\n{extra}")).unwrap(),
                env(&[]),
                &Overrides::default(),
            )
        };
        assert_eq!(parse("").unwrap().keepalive, KeepaliveSettings::default());
        assert_eq!(
            parse("[keepalive]\ninterval_secs = 5\ntimeout_secs = 2\n")
                .unwrap()
                .keepalive,
            KeepaliveSettings {
                interval: Some(Duration::from_secs(5)),
                timeout: Duration::from_secs(2),
            }
        );
        assert_eq!(
            parse("[keepalive]\ninterval_secs = 0\n")
                .unwrap()
                .keepalive
                .interval,
            None
        );
        let err = parse("[keepalive]\ntimeout_secs = 0\n").unwrap_err();
        assert!(err.to_string().contains("keepalive.timeout_secs"), "{err}");
    }

    #[test]
    fn nats_backend_from_file_and_environment() {
        let text = format!(
            "{FILE}\n[events]\nbackend = \"nats\"\n[events.nats]\nurl = \"nats://u:hunter2@n1:4222\"\nstream = \"EV\"\nreplicas = 3\n"
        );
        let config = resolve(
            FileConfig::parse(&text).unwrap(),
            env(&[]),
            &Overrides::default(),
        )
        .unwrap();
        let crate::events::Backend::Nats(nats) = &config.events.backend else {
            panic!("expected the nats backend");
        };
        assert_eq!(nats.url, "nats://u:hunter2@n1:4222");
        assert_eq!(nats.stream, "EV");
        assert_eq!(nats.replicas, 3);
        assert_eq!(nats.subject_prefix, "ralio.events");
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!format!("{:?}", FileConfig::parse(&text).unwrap()).contains("hunter2"));

        // The environment selects the backend and the URL.
        let config = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[
                (env::EVENTS_BACKEND, "nats"),
                (env::NATS_URL, "nats://env:4222"),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        assert!(matches!(
            &config.events.backend,
            crate::events::Backend::Nats(nats) if nats.url == "nats://env:4222"
        ));

        // Without a URL, or with bad names, the setting is named.
        let err = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[(env::EVENTS_BACKEND, "nats")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains(env::NATS_URL), "{err}");
        for (extra, setting) in [
            ("stream = \"a.b\"", "events.nats.stream"),
            ("subject_prefix = \"a.*\"", "events.nats.subject_prefix"),
            ("replicas = 0", "events.nats.replicas"),
            (
                "consumers_bucket = \"X\"\nidempotency_bucket = \"X\"",
                "events.nats.idempotency_bucket",
            ),
        ] {
            let text = format!(
                "{FILE}\n[events]\nbackend = \"nats\"\n[events.nats]\nurl = \"nats://h\"\n{extra}\n"
            );
            let err = resolve(
                FileConfig::parse(&text).unwrap(),
                env(&[]),
                &Overrides::default(),
            )
            .unwrap_err();
            assert!(err.to_string().contains(setting), "{extra}: {err}");
        }
        let err = resolve(
            FileConfig::parse(FILE).unwrap(),
            env(&[(env::EVENTS_BACKEND, "kafka")]),
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("events.backend"), "{err}");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let lookup = env(&[(env::WEBHOOK_SECRET, "whsec-very-secret")]);
        let config = resolve(
            FileConfig::parse(FILE).unwrap(),
            lookup,
            &Overrides::default(),
        )
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("file-key"), "{printed}");
        assert!(!printed.contains("whsec-very-secret"), "{printed}");
        assert!(printed.contains("file-code"));
    }
}
