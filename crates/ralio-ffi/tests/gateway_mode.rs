//! Gateway mode from Rust, against the real `ralio-gateway dev` (sandbox + gateway + webhooks,
//! in process, on free ports): what the gateway path converts agrees with what the direct client
//! reads from the same sandbox, errors are typed, and an event subscription delivers the
//! `payin_completed` of a simulated payin and ends its task when cancelled. The Python and
//! Kotlin suites (bindings/) cover the same through the foreign languages.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use ralio_core::model::{
    AccountCreate, Currency, EmploymentStatus, IdentityDocumentType, IndividualUserCreate,
    SourceOfFunds,
};
use ralio_core::{ListQuery, Secret};
use ralio_ffi::{
    DirectConfig, EventListener, EventSubscribeOptions, RalioClient, RalioEvent, RalioFfiError,
    StartPosition,
};
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use tokio::sync::mpsc;

/// Bounds hangs only.
const HANG: Duration = Duration::from_secs(60);

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start_dev(data_dir: std::path::PathBuf) -> (ralio_gateway::dev::DevHandle, String) {
    let token = format!("rgw_test_{}", uuid());
    let handle = ralio_gateway::dev::start(ralio_gateway::dev::DevOptions {
        events: Default::default(),
        grpc_addr: any_port(),
        events_grpc_addr: None,
        http_addr: any_port(),
        sandbox_addr: any_port(),
        data_dir,
        dev_token: Some(token.clone()),
        webhook_secret: None,
    })
    .await
    .unwrap();
    (handle, token)
}

/// A unique-enough suffix: `RandomState` is seeded from OS randomness.
fn uuid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

fn individual(email: &str) -> IndividualUserCreate {
    IndividualUserCreate {
        activity: "SALES_MANAGER".into(),
        address: "Calle Mayor 1".into(),
        address_line2: None,
        birth_country: "ES".into(),
        birthdate: "1990-05-01".into(),
        city: "Madrid".into(),
        country: "ES".into(),
        document_number: "X1234567".into(),
        document_type: IdentityDocumentType::Passport,
        email: email.into(),
        employment_status: EmploymentStatus::Employed,
        estimated_annual_income: 50_000,
        estimated_annual_transaction_volume: 20_000,
        estimated_net_worth: 100_000,
        has_pep_close_associate: false,
        is_public_office: false,
        name: "Ann".into(),
        nationality: "ES".into(),
        pep_associate_country: None,
        pep_associate_name: None,
        pep_associate_position: None,
        phone_number: "600000000".into(),
        phone_number_country: "ES".into(),
        postal_code: "28001".into(),
        professional_sector: "IT".into(),
        province: "Madrid".into(),
        public_office_country: None,
        public_office_position: None,
        source_of_funds: SourceOfFunds::Salary,
        surname: "Lee".into(),
        terms_and_conditions_accepted: true,
    }
}

async fn control(base_url: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let response = reqwest::Client::new()
        .post(format!("{base_url}/sandbox/v1/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(serde_json::Value::Null)
}

/// Forwards events and errors to the test.
struct Forward(Mutex<mpsc::UnboundedSender<Result<RalioEvent, RalioFfiError>>>);

impl EventListener for Forward {
    fn on_event(&self, event: RalioEvent) {
        let _ = self.0.lock().unwrap().send(Ok(event));
    }

    fn on_error(&self, error: RalioFfiError) {
        let _ = self.0.lock().unwrap().send(Err(error));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_mode_agrees_with_direct_mode_and_streams_events() {
    let data_dir = std::env::temp_dir().join(format!("ralio-ffi-gateway-mode-{}", uuid()));
    let (dev, token) = start_dev(data_dir.clone()).await;
    let sandbox_url = dev.sandbox.base_url();
    let gateway = RalioClient::gateway(
        format!("http://{}", dev.gateway.grpc_addr()),
        Secret::new(token),
    )
    .unwrap();
    assert!(gateway.is_gateway());
    let direct = RalioClient::direct(DirectConfig {
        base_url: sandbox_url.clone(),
        api_code: DEV_API_CODE.into(),
        api_key: Secret::new(DEV_API_KEY),
        timeout: None,
        connect_timeout: None,
        max_retries: None,
        initial_backoff: None,
        max_backoff: None,
        user_agent: None,
    })
    .unwrap();

    let user = gateway
        .users()
        .create_individual(individual(&format!("rust-{}@example.com", uuid())))
        .await
        .unwrap();
    let session = gateway
        .identity()
        .create_session(user.id.clone())
        .await
        .unwrap();
    control(
        &sandbox_url,
        &format!("identity-verifications/{}/start", session.id),
        serde_json::json!({}),
    )
    .await;
    control(
        &sandbox_url,
        &format!("identity-verifications/{}/approve", session.id),
        serde_json::json!({}),
    )
    .await;
    let account = gateway
        .accounts()
        .create(
            user.id.clone(),
            AccountCreate {
                alias: "Main".into(),
                currency: Currency::Eur,
            },
        )
        .await
        .unwrap();

    // The subscription starts at the oldest event and is filtered to this account, so it cannot
    // miss the payin whatever the timing.
    let (sender, mut received) = mpsc::unbounded_channel();
    let subscription = gateway
        .subscribe_events(
            EventSubscribeOptions {
                types: vec!["payin_*".into()],
                user_id: None,
                account_id: Some(account.id.clone()),
                start: Some(StartPosition::Earliest),
                consumer: None,
                heartbeat_interval: None,
            },
            Box::new(Forward(Mutex::new(sender))),
        )
        .unwrap();
    let payin = control(
        &sandbox_url,
        &format!("accounts/{}/payins", account.id),
        serde_json::json!({"method": "BANK", "amount": 100_000, "currency": "EUR"}),
    )
    .await;
    let payin_id = payin["id"].as_str().unwrap().to_owned();
    let completed = tokio::time::timeout(HANG, async {
        loop {
            let event = received.recv().await.unwrap().unwrap();
            if event.event_type == "payin_completed" {
                return event;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(completed.account_id.as_deref(), Some(account.id.as_str()));
    assert!(
        completed.raw_json.contains(&payin_id),
        "{}",
        completed.raw_json
    );
    assert!(!subscription.is_finished());
    subscription.cancel();
    tokio::time::timeout(HANG, subscription.wait_finished())
        .await
        .unwrap();
    assert!(subscription.is_finished());

    // Same records through both paths (times aside: the gateway re-renders them).
    let strip = |mut a: ralio_core::model::Account| {
        a.created_at = None;
        a.updated_at = None;
        a
    };
    let through_gateway = gateway
        .accounts()
        .get(user.id.clone(), account.id.clone())
        .await
        .unwrap();
    let straight = direct
        .accounts()
        .get(user.id.clone(), account.id.clone())
        .await
        .unwrap();
    assert_eq!(strip(through_gateway.clone()), strip(straight));
    assert_eq!(through_gateway.balance, 99_000);
    let bank = gateway.payins().get_bank(payin_id.clone()).await.unwrap();
    let bank_direct = direct.payins().get_bank(payin_id.clone()).await.unwrap();
    assert_eq!(bank.order.id, bank_direct.order.id);
    assert_eq!(bank.order.state, bank_direct.order.state);
    assert_eq!(bank.order.order_type, bank_direct.order.order_type);
    assert_eq!(bank.order.origin, bank_direct.order.origin);
    assert_eq!(bank.order.fee, bank_direct.order.fee);
    assert_eq!(bank.recipient, bank_direct.recipient);
    let ledger = gateway
        .transactions()
        .list(user.id.clone(), account.id.clone(), ListQuery::new())
        .await
        .unwrap();
    let ledger_direct = direct
        .transactions()
        .list(user.id.clone(), account.id.clone(), ListQuery::new())
        .await
        .unwrap();
    let amounts = |items: &[ralio_core::model::TransactionListItem]| {
        items
            .iter()
            .map(|t| (t.id.clone(), t.amount, t.running_balance))
            .collect::<Vec<_>>()
    };
    assert_eq!(amounts(&ledger), amounts(&ledger_direct));

    // Typed errors from gRPC statuses.
    match gateway
        .accounts()
        .get("not-a-uuid".into(), account.id.clone())
        .await
    {
        Err(RalioFfiError::Validation {
            code, violations, ..
        }) => {
            assert_eq!(code, "VALIDATION_ERROR");
            assert_eq!(violations[0].field, "uid");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        gateway.orders().get("00000000-0000-4000-8000-000000000000".into()).await,
        Err(RalioFfiError::NotFound { code, .. }) if code == "NOT_FOUND"
    ));
    assert!(matches!(
        gateway.login(Default::default()).await,
        Err(RalioFfiError::Unsupported { .. })
    ));
    drop(dev);
    let _ = std::fs::remove_dir_all(data_dir);
}
