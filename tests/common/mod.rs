//! End-to-end harness: the in-process sandbox plus the gateway on port 0, typed gRPC clients
//! that present a gateway token, and helpers for the sandbox's control API.
//!
//! ```ignore
//! mod common;
//! use common::{TestEnv, TOKEN_READ};
//!
//! let env = TestEnv::start().await;                 // sandbox + gateway, temp data dir
//! let merchant = env.grpc().merchant()              // all scopes
//!     .get_merchant_user(GetMerchantUserRequest {}).await?;
//! let denied = env.grpc_as(TOKEN_READ).users()      // a token with `read` only
//!     .create_individual_user(...).await;
//! env.set_faults(json!({"errorStatus": 503})).await; // sandbox control API
//! let logins = env.logins();                         // tokens the sandbox issued
//! ```
//!
//! Every test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::time::Duration;

use ralio_core::Secret;
use ralio_gateway::auth::{Scope, Scopes, TokenEntry, TokenHash, TokenRegistry};
use ralio_gateway::config::{GatewayConfig, RalioSettings, ShutdownSettings};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::server::{Extras, Gateway, GatewayHandle};
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Status};

/// Client tokens the gateway is configured with, by what they may do.
pub const TOKEN_ALL: &str = "e2e-token-all-scopes";
pub const TOKEN_READ: &str = "e2e-token-read-only";
pub const TOKEN_USERS: &str = "e2e-token-read-users-write";
pub const TOKEN_ACCOUNTS: &str = "e2e-token-read-accounts-write";
pub const TOKEN_MONEY: &str = "e2e-token-read-money-move";
pub const TOKEN_EVENTS: &str = "e2e-token-events-subscribe";

/// The seeded merchant (spec/NOTES.md D15).
pub const MERCHANT_USER: &str = "00000000-0000-4000-8000-000000000001";
pub const MERCHANT_EUR: &str = "00000000-0000-4000-8000-000000000101";
pub const MERCHANT_USD: &str = "00000000-0000-4000-8000-000000000102";
pub const MERCHANT_FEES_EUR: &str = "00000000-0000-4000-8000-000000000201";
pub const MERCHANT_FEES_USD: &str = "00000000-0000-4000-8000-000000000202";

/// The sandbox's OTP / 2FA code (D3).
pub const OTP: &str = "123456";

fn token_registry() -> TokenRegistry {
    let entry = |name: &str, token: &str, scopes: &[Scope]| TokenEntry {
        name: name.to_owned(),
        hash: TokenHash::of_token(token),
        scopes: Scopes::new(scopes.iter().copied()),
    };
    TokenRegistry::new(vec![
        entry("all", TOKEN_ALL, &Scope::ALL),
        entry("reader", TOKEN_READ, &[Scope::Read]),
        entry("users", TOKEN_USERS, &[Scope::Read, Scope::UsersWrite]),
        entry(
            "accounts",
            TOKEN_ACCOUNTS,
            &[Scope::Read, Scope::AccountsWrite],
        ),
        entry("money", TOKEN_MONEY, &[Scope::Read, Scope::MoneyMove]),
        entry("events", TOKEN_EVENTS, &[Scope::EventsSubscribe]),
    ])
}

/// The gateway settings of every test environment: ports 0 (the events port on), the sandbox at
/// `ralio_url`, the test tokens, no TLS, no webhook secret, state in `data_dir`.
pub fn gateway_config(ralio_url: &str, data_dir: &std::path::Path) -> GatewayConfig {
    GatewayConfig {
        grpc_addr: "127.0.0.1:0".parse().expect("addr"),
        events_grpc_addr: Some("127.0.0.1:0".parse().expect("addr")),
        http_addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data_dir.to_owned(),
        ralio: RalioSettings {
            base_url: ralio_url.to_owned(),
            api_code: DEV_API_CODE.to_owned(),
            api_key: Secret::new(DEV_API_KEY),
            timeout: Duration::from_secs(5),
            max_retries: 3,
        },
        tokens: token_registry(),
        tls: None,
        webhook_secret: None,
        events: Default::default(),
        idempotency_ttl: Duration::from_secs(3600),
        shutdown: ShutdownSettings {
            grace: Duration::ZERO,
            timeout: Duration::from_secs(5),
        },
        keepalive: Default::default(),
        login_retry: Duration::from_millis(20),
    }
}

/// What [`TestEnv::start_with`] may change.
pub struct EnvOptions {
    /// The sandbox's settings (token lifetime, auto-activate/settle, webhook delays).
    pub sandbox: SandboxConfig,
    /// Applied to the gateway's configuration last (timeouts, retries, extra tokens, …).
    pub gateway: Box<dyn FnOnce(&mut GatewayConfig) + Send>,
    /// Passed to `Gateway::start_with` (extra HTTP routes such as a webhook receiver).
    pub extras: Extras,
}

impl Default for EnvOptions {
    fn default() -> Self {
        Self {
            sandbox: SandboxConfig::for_tests(),
            gateway: Box::new(|_| {}),
            extras: Extras::default(),
        }
    }
}

/// A running sandbox and gateway. Dropping it stops both.
pub struct TestEnv {
    pub sandbox: SandboxHandle,
    pub gateway: GatewayHandle,
    channel: Channel,
    http: reqwest::Client,
    /// What the gateway was started with, for [`TestEnv::restart_gateway`].
    config: GatewayConfig,
    _data_dir: tempfile::TempDir,
}

impl TestEnv {
    /// Sandbox with test defaults and a gateway pointed at it (5 s attempt timeout, 3 retries).
    pub async fn start() -> Self {
        Self::start_with(EnvOptions::default()).await
    }

    pub async fn start_with(options: EnvOptions) -> Self {
        let sandbox = Sandbox::start(options.sandbox)
            .await
            .expect("sandbox starts");
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut config = gateway_config(&sandbox.base_url(), data_dir.path());
        (options.gateway)(&mut config);
        let gateway = Gateway::start_with(config.clone(), options.extras)
            .await
            .expect("gateway starts");
        let channel = Channel::from_shared(format!("http://{}", gateway.grpc_addr()))
            .expect("uri")
            .connect_lazy();
        Self {
            sandbox,
            gateway,
            channel,
            http: reqwest::Client::new(),
            config,
            _data_dir: data_dir,
        }
    }

    /// Stops the gateway and starts a new one with the same configuration and data directory
    /// (so its durable stores survive), on new ports; the clients follow. Extras given to
    /// `start_with` are not carried over.
    pub async fn restart_gateway(&mut self) {
        let fresh = Gateway::start_with(self.config.clone(), Extras::default());
        let old = std::mem::replace(&mut self.gateway, fresh.await.expect("gateway restarts"));
        old.shutdown().await.expect("old gateway stops");
        self.channel = Channel::from_shared(format!("http://{}", self.gateway.grpc_addr()))
            .expect("uri")
            .connect_lazy();
    }

    /// gRPC clients presenting [`TOKEN_ALL`].
    pub fn grpc(&self) -> Grpc {
        self.grpc_as(TOKEN_ALL)
    }

    /// gRPC clients presenting `token` (any string, known to the gateway or not).
    pub fn grpc_as(&self, token: &str) -> Grpc {
        Grpc {
            channel: self.channel.clone(),
            bearer: Bearer(Some(token.to_owned())),
        }
    }

    /// gRPC clients presenting `token` on a new connection to the events port
    /// (`GatewayConfig::events_grpc_addr`, on in every test environment).
    pub fn events_port_as(&self, token: &str) -> Grpc {
        let addr = self
            .gateway
            .events_grpc_addr()
            .expect("events port configured");
        Grpc {
            channel: Channel::from_shared(format!("http://{addr}"))
                .expect("uri")
                .connect_lazy(),
            bearer: Bearer(Some(token.to_owned())),
        }
    }

    /// gRPC clients that send no `authorization` at all.
    pub fn grpc_anonymous(&self) -> Grpc {
        Grpc {
            channel: self.channel.clone(),
            bearer: Bearer(None),
        }
    }

    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// `http://<sandbox>`.
    pub fn sandbox_url(&self) -> String {
        self.sandbox.base_url()
    }

    /// Logins the sandbox has answered (tokens issued) since it started.
    pub fn logins(&self) -> u64 {
        self.sandbox.state().logins_issued()
    }

    // --- sandbox control API (spec/NOTES.md D13, D15, D21) -------------------------------

    /// Sends `method path` with an optional JSON body to the sandbox and returns the status
    /// and the JSON body (`Null` when empty or not JSON).
    pub async fn sandbox_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.base_url()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sandbox reachable");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `POST` to the control API; panics unless it answers 2xx.
    pub async fn control(&self, path: &str, body: Value) -> Value {
        let (status, value) = self
            .sandbox_call(reqwest::Method::POST, path, Some(body))
            .await;
        assert!(
            (200..300).contains(&status),
            "POST {path} answered {status}: {value}"
        );
        value
    }

    /// Replaces the fault rules (one rule object or an array, D21).
    pub async fn set_faults(&self, rules: Value) {
        let (status, value) = self
            .sandbox_call(reqwest::Method::PUT, "/sandbox/v1/faults", Some(rules))
            .await;
        assert!((200..300).contains(&status), "PUT faults: {status} {value}");
    }

    pub async fn clear_faults(&self) {
        let (status, value) = self
            .sandbox_call(reqwest::Method::DELETE, "/sandbox/v1/faults", None)
            .await;
        assert!(
            (200..300).contains(&status),
            "DELETE faults: {status} {value}"
        );
    }

    /// Moves the sandbox clock forward (token expiry, IDV expiry, quotes follow it, D14).
    pub async fn advance_clock(&self, seconds: u64) {
        self.control("/sandbox/v1/clock/advance", json!({ "seconds": seconds }))
            .await;
    }

    /// Opens and approves an IDV session through the control API (NOT_STARTED → VERIFIED);
    /// the user becomes REGULAR.
    pub async fn approve_idv(&self, session_id: &str) -> Value {
        self.control(
            &format!("/sandbox/v1/identity-verifications/{session_id}/start"),
            json!({}),
        )
        .await;
        self.control(
            &format!("/sandbox/v1/identity-verifications/{session_id}/approve"),
            json!({}),
        )
        .await
    }

    // --- fixtures through the gateway --------------------------------------------------------

    /// A new individual user (KYC level LIGHT) with a unique e-mail; returns it.
    pub async fn individual_user(&self) -> pb::IndividualUser {
        self.grpc()
            .users()
            .create_individual_user(individual_user_request())
            .await
            .expect("create individual user")
            .into_inner()
            .user
            .expect("user in response")
    }

    /// A new individual user raised to REGULAR through an approved IDV session; returns its id.
    pub async fn regular_user(&self) -> String {
        let user = self.individual_user().await;
        let session = self
            .grpc()
            .identity()
            .create_idv_session(pb::CreateIdvSessionRequest {
                uid: user.id.clone(),
            })
            .await
            .expect("create IDV session")
            .into_inner()
            .session
            .expect("session in response");
        self.approve_idv(&session.id).await;
        user.id
    }

    /// A REGULAR user with one ACTIVE account in `currency`; returns (user id, account).
    pub async fn user_with_account(&self, currency: pb::AccountCurrency) -> (String, pb::Account) {
        let uid = self.regular_user().await;
        let account = self
            .grpc()
            .accounts()
            .create_user_account(pb::CreateUserAccountRequest {
                uid: uid.clone(),
                alias: format!("e2e-{}", uuid::Uuid::new_v4()),
                currency: currency as i32,
            })
            .await
            .expect("create account")
            .into_inner()
            .account
            .expect("account in response");
        (uid, account)
    }
}

/// A valid `CreateIndividualUserRequest` with a unique e-mail.
pub fn individual_user_request() -> pb::CreateIndividualUserRequest {
    pb::CreateIndividualUserRequest {
        activity: "SOFTWARE_ENGINEER".into(),
        address: "Calle Mayor 1".into(),
        birth_country: "ES".into(),
        birthdate: "1990-12-10".into(),
        city: "Madrid".into(),
        country: "ES".into(),
        document_number: "12345678Z".into(),
        document_type: pb::IdentityDocumentType::NationalId as i32,
        email: format!("ada-{}@example.com", uuid::Uuid::new_v4()),
        employment_status: pb::EmploymentStatus::Employed as i32,
        estimated_annual_income: 50_000,
        estimated_annual_transaction_volume: 20_000,
        estimated_net_worth: 100_000,
        name: "Ada".into(),
        nationality: "ES".into(),
        phone_number: "600000000".into(),
        phone_number_country: "ES".into(),
        postal_code: "28013".into(),
        professional_sector: "IT".into(),
        province: "Madrid".into(),
        source_of_funds: pb::SourceOfFunds::Salary as i32,
        surname: "Lovelace".into(),
        terms_and_conditions_accepted: true,
        ..Default::default()
    }
}

/// Adds `authorization: Bearer <token>` to every request (or nothing for `None`).
#[derive(Clone)]
pub struct Bearer(Option<String>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(token) = &self.0 {
            let value: AsciiMetadataValue = MetadataValue::try_from(format!("Bearer {token}"))
                .map_err(|_| Status::invalid_argument("token is not ASCII"))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

/// A gRPC client type of the harness.
pub type Authed = InterceptedService<Channel, Bearer>;

/// Typed clients of every service, all presenting the same token.
#[derive(Clone)]
pub struct Grpc {
    channel: Channel,
    bearer: Bearer,
}

impl Grpc {
    /// Clients on a channel of the test's own making (TLS, another port) presenting `token`.
    pub fn on(channel: Channel, token: &str) -> Self {
        Self {
            channel,
            bearer: Bearer(Some(token.to_owned())),
        }
    }
}

macro_rules! clients {
    ($($method:ident => $module:ident :: $client:ident),+ $(,)?) => {
        impl Grpc {
            $(
                pub fn $method(&self) -> pb::$module::$client<Authed> {
                    pb::$module::$client::with_interceptor(self.channel.clone(), self.bearer.clone())
                }
            )+
        }
    };
}

clients! {
    users => user_service_client::UserServiceClient,
    identity => identity_service_client::IdentityServiceClient,
    accounts => account_service_client::AccountServiceClient,
    merchant => merchant_service_client::MerchantServiceClient,
    vibans => viban_service_client::VibanServiceClient,
    reference => reference_service_client::ReferenceServiceClient,
    payins => payins_service_client::PayinsServiceClient,
    transfers => transfers_service_client::TransfersServiceClient,
    payouts => payouts_service_client::PayoutsServiceClient,
    orders => orders_service_client::OrdersServiceClient,
    transactions => transactions_service_client::TransactionsServiceClient,
    events => events_service_client::EventsServiceClient,
}

/// `message` as a request with extra metadata (`x-request-id`, `idempotency-key`, …).
pub fn with_metadata<T>(message: T, metadata: &[(&'static str, &str)]) -> Request<T> {
    let mut request = Request::new(message);
    for (name, value) in metadata {
        let value: AsciiMetadataValue = value.parse().expect("ASCII metadata");
        request.metadata_mut().insert(*name, value);
    }
    request
}

/// `message` as a request with a gRPC deadline (`grpc-timeout`).
pub fn with_timeout<T>(message: T, timeout: Duration) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(timeout);
    request
}

/// Asserts a failed call's code and `ErrorInfo` (reason and domain) and returns the status.
#[track_caller]
pub fn assert_status<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: tonic::Code,
    reason: &str,
) -> Status {
    use tonic_types::StatusExt;
    let status = result.expect_err("call should fail");
    assert_eq!(status.code(), code, "unexpected status: {status:?}");
    let info = status
        .get_details_error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    assert_eq!(info.reason, reason, "reason of {status:?}");
    assert_eq!(info.domain, "raliopay.com");
    status
}

/// The gateway's Prometheus text, from its admin port.
pub async fn metrics_text(env: &TestEnv) -> String {
    reqwest::get(format!("http://{}/metrics", env.gateway.http_addr()))
        .await
        .expect("admin port reachable")
        .text()
        .await
        .expect("metrics text")
}

/// The value of an unlabelled series in the gateway's Prometheus text (`None` when the series
/// is absent).
pub async fn metric(env: &TestEnv, series: &str) -> Option<f64> {
    metrics_text(env)
        .await
        .lines()
        .filter_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse::<f64>().expect("a number"))
        .next()
}

/// The `BadRequest` field names of a status.
pub fn violation_fields(status: &Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// Everything every tracing event of this test binary wrote (gateway, core client, sandbox),
/// as formatted text. The first call installs a global subscriber at TRACE level, so use it in
/// binaries whose tests all accept that.
pub fn captured_logs() -> &'static LogBuffer {
    static LOGS: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first global subscriber");
        buffer
    })
}

/// A shared, growing log text; see [`captured_logs`].
#[derive(Clone, Default)]
pub struct LogBuffer(std::sync::Arc<parking_lot::Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }

    /// Lines containing every one of `needles`.
    pub fn count_lines(&self, needles: &[&str]) -> usize {
        self.text()
            .lines()
            .filter(|line| needles.iter().all(|n| line.contains(n)))
            .count()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
