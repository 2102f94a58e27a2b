//! Sandbox → gateway → subscriber, end to end: every webhook the sandbox sends during the
//! seed flow (user, IDV approval, accounts, payin, transfer, payout with OTP, vIBAN activation
//! and deactivation, KYB approval) is signed by the sandbox, verified and stored by the gateway,
//! and streamed to a subscriber with the typed payload matching what was sent.

mod common;
mod events_support;

use std::collections::HashMap;
use std::time::Duration;

use events_support::*;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use serde_json::{Value, json};

use pb::event::Payload;

/// A minimal REST client of the sandbox (the flow runs against the sandbox directly, so this
/// test depends only on the event pipeline).
struct Rest {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Rest {
    async fn login(base: String) -> Self {
        let http = reqwest::Client::new();
        let reply: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"api_code": DEV_API_CODE, "api_key": DEV_API_KEY}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = reply["token"].as_str().expect("token").to_owned();
        Self { base, http, token }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {value}");
        value
    }

    async fn control(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {value}");
        value
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Runs the seed flow; returns (user id, first account id).
async fn seed_flow(rest: &Rest) -> (String, String) {
    let user = rest
        .post(
            "/api/v1/account/individual-users",
            json!({
                "activity": "SALES_MANAGER", "address": "Calle Mayor 1", "birthCountry": "ES",
                "birthdate": "1990-04-12", "city": "Madrid", "country": "ES",
                "documentNumber": "12345678Z", "documentType": "NATIONAL_ID",
                "email": format!("{}@example.com", uuid::Uuid::new_v4()),
                "employmentStatus": "EMPLOYED", "estimatedAnnualIncome": 50000,
                "estimatedAnnualTransactionVolume": 20000, "estimatedNetWorth": 100000,
                "hasPepCloseAssociate": false, "isPublicOffice": false, "name": "Ana",
                "nationality": "ES", "phoneNumber": "+34600000000", "phoneNumberCountry": "ES",
                "postalCode": "28001", "professionalSector": "SALES", "province": "Madrid",
                "sourceOfFunds": "SALARY", "surname": "García", "termsAndConditionsAccepted": true
            }),
        )
        .await;
    let uid = id(&user);
    let session = rest
        .post(
            &format!("/api/v1/account/users/{uid}/identity-verifications"),
            json!({}),
        )
        .await;
    let sid = id(&session);
    rest.control(
        &format!("/sandbox/v1/identity-verifications/{sid}/start"),
        json!({}),
    )
    .await;
    rest.control(
        &format!("/sandbox/v1/identity-verifications/{sid}/approve"),
        json!({}),
    )
    .await;

    let accounts = format!("/api/v1/account/users/{uid}/accounts");
    let a = id(&rest
        .post(&accounts, json!({"alias": "main", "currency": "EUR"}))
        .await);
    let b = id(&rest
        .post(&accounts, json!({"alias": "savings", "currency": "EUR"}))
        .await);
    let base = format!("{accounts}/{a}");

    rest.control(
        &format!("/sandbox/v1/accounts/{a}/payins"),
        json!({"method": "BANK", "amount": 100_000, "currency": "EUR", "ownReference": "fund-1"}),
    )
    .await;
    rest.post(
        &format!("{base}/transfers"),
        json!({"code2fa": "123456", "origin": {"currency": "EUR", "amount": 10_000},
               "recipient": {"accountId": b}, "reference": "t-1"}),
    )
    .await;
    let payout = rest
        .post(
            &format!("{base}/bank-payouts"),
            json!({
                "amounts": {"debitedAmount": {"currency": "EUR", "amount": 20_000},
                            "receivedAmount": {"currency": "EUR", "amount": 0}},
                "description": "rent", "ownReference": "payout-1",
                "recipient": {
                    "accountNumber": "ES7921000813610123456789", "routingData": "IBAN",
                    "beneficiaryType": "PERSON", "name": "Ana", "surname": "García",
                    "relation": "MYSELF", "document": {"documentType": "PASSPORT", "number": "X123"},
                    "address": {"line1": "Calle 1", "city": "Madrid", "country": "ES", "postalCode": "28001"},
                    "contact": {"phone": "+34600000000"}
                }
            }),
        )
        .await;
    let pid = id(&payout);
    rest.post(
        "/api/v1/account/otp/send",
        json!({"orderId": pid, "phoneNumber": "600000000", "phoneNumberCountry": "ES"}),
    )
    .await;
    rest.post(
        &format!("/api/v1/account/bank-payouts/{pid}/validate-otp"),
        json!({"code": "123456"}),
    )
    .await;

    let vibans = format!("{base}/virtual-ibans");
    let viban = rest
        .post(&vibans, json!({"name": "Rent", "rail": "SEPA"}))
        .await;
    rest.post(&format!("{vibans}/{}/deactivate", id(&viban)), json!({}))
        .await;

    let business = rest
        .post(
            "/api/v1/account/business-user",
            json!({"businessActivity": {"businessNature": "n", "businessType": "LLC",
                   "industryType": "RETAIL", "revenueModel": "r"}}),
        )
        .await;
    let bid = id(&business);
    let kyb = rest
        .post(
            &format!("/api/v1/account/business-user/{bid}/kyb-sessions"),
            json!({}),
        )
        .await;
    let kid = id(&kyb);
    rest.post(
        &format!("/api/v1/account/business-user/{bid}/kyb-sessions/{kid}/submit"),
        json!({}),
    )
    .await;
    rest.control(
        &format!("/sandbox/v1/kyb-sessions/{kid}/approve"),
        json!({}),
    )
    .await;
    (uid, a)
}

fn money(value: &Value) -> Option<pb::Money> {
    (!value.is_null()).then(|| pb::Money {
        currency: value["currency"].as_str().unwrap().to_owned(),
        amount: value["amount"].as_i64().unwrap(),
    })
}

/// The typed payload says what the sandbox's JSON says.
fn assert_typed(event: &pb::Event, data: &Value) {
    let s = |pointer: &str| {
        data.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match event
        .payload
        .as_ref()
        .unwrap_or_else(|| panic!("no typed payload for {}", event.r#type))
    {
        Payload::KycSessionVerified(p) => {
            assert_eq!(p.session_id, s("/sessionId"));
            assert_eq!(p.user_id, s("/userId"));
            assert_eq!(p.entity_type, pb::KycEntityType::User as i32);
            let checks = data["checks"].as_array().unwrap();
            assert_eq!(p.checks.len(), checks.len());
            for (check, json) in p.checks.iter().zip(checks) {
                assert_eq!(check.r#type, json["type"].as_str().unwrap());
                assert_eq!(check.state, pb::IdvCheckState::Validated as i32);
            }
        }
        Payload::KycStateUpdated(p) => {
            assert_eq!(p.user_id, s("/userId"));
            assert_eq!(p.kyc_id, data["kycId"].as_i64().unwrap_or_default());
            assert_eq!(p.state, pb::KycLevel::Regular as i32);
        }
        Payload::AccountActivated(p) => assert_eq!(p.account_id, s("/accountId")),
        Payload::PayinCompleted(p) => {
            assert_eq!(p.order_id, s("/orderId"));
            assert_eq!(p.status, pb::PayinStatus::Completed as i32);
            assert_eq!(p.payin_type, pb::PayinType::BankPayin as i32);
            assert_eq!(p.own_reference, "fund-1");
            let destination = p.destination.as_ref().unwrap();
            assert_eq!(
                destination.credited_account_id,
                s("/destination/creditedAccountId")
            );
            assert_eq!(
                destination.credited_user_id,
                s("/destination/creditedUserId")
            );
            assert_eq!(p.received_amount, money(&data["amounts"]["receivedAmount"]));
            assert_eq!(p.credited_amount, money(&data["amounts"]["creditedAmount"]));
            let fees = p.fees.as_ref().unwrap();
            assert_eq!(
                fees.amount,
                data["amounts"]["fees"]["total"].as_i64().unwrap()
            );
            assert_eq!(fees.breakdown.as_ref().unwrap().system_fee, 500);
            assert_eq!(
                p.source.as_ref().unwrap().r#type,
                pb::PayinSourceType::BankAccount as i32
            );
        }
        Payload::TransferStateUpdated(p) => {
            assert_eq!(p.transfer_id, s("/transferId"));
            let expected = match s("/state").as_str() {
                "CONFIRMED" => pb::TransferState::Confirmed,
                "COMPLETED" => pb::TransferState::Completed,
                other => panic!("unexpected transfer state {other}"),
            };
            assert_eq!(p.state, expected as i32);
        }
        Payload::PayoutCompleted(p) => {
            assert_eq!(p.order_id, s("/orderId"));
            assert_eq!(p.payout_type, pb::PayoutType::BankPayout as i32);
            assert_eq!(p.own_reference, "payout-1");
            assert_eq!(
                p.source.as_ref().unwrap().debited_account_id,
                s("/source/debitedAccountId")
            );
            assert_eq!(p.debited_amount, money(&data["amounts"]["debitedAmount"]));
            assert_eq!(
                p.amount_after_fees,
                money(&data["amounts"]["amountAfterFees"])
            );
            let beneficiary = p
                .destination
                .as_ref()
                .unwrap()
                .beneficiary
                .as_ref()
                .unwrap();
            assert_eq!(beneficiary.name, "Ana");
            assert_eq!(beneficiary.r#type, pb::BeneficiaryType::Person as i32);
            assert_eq!(
                beneficiary.document.as_ref().unwrap().document_type,
                pb::PayoutDocumentType::Passport as i32
            );
        }
        Payload::VibanActivated(p) => {
            assert_eq!(p.viban_id, s("/vibanId"));
            assert_eq!(p.account_id, s("/accountId"));
            assert_eq!(p.iban, s("/iban"));
            assert_eq!(p.bic, s("/bic"));
            assert_eq!(p.status, pb::VibanState::Active as i32);
            assert_eq!(p.rail, pb::VibanRail::Sepa as i32);
        }
        Payload::VibanDeactivated(p) => {
            assert_eq!(p.viban_id, s("/vibanId"));
            assert_eq!(p.status, pb::VibanState::Inactive as i32);
        }
        Payload::KybStateUpdated(p) => {
            assert_eq!(p.user_id, s("/userId"));
            assert_eq!(p.kyb_id, data["kybId"].as_i64().unwrap());
            assert_eq!(p.state, pb::KycLevel::Regular as i32);
        }
        other => panic!("the seed flow sent an unexpected event: {other:?}"),
    }
}

#[tokio::test]
async fn every_event_of_the_seed_flow_reaches_a_subscriber_typed() {
    let env = start_env(|_| {}).await;
    point_sandbox_at_gateway(&env);
    let mut stream = subscribe(
        &env,
        pb::SubscribeRequest {
            start: earliest(),
            ..Default::default()
        },
    )
    .await;
    let mut for_user = None;

    let rest = Rest::login(env.sandbox_url()).await;
    let (uid, account) = seed_flow(&rest).await;
    assert!(
        env.sandbox
            .state()
            .webhooks
            .wait_idle(Duration::from_secs(20))
            .await
    );

    let sent = env.sandbox.state().webhooks.events();
    let names: Vec<&str> = sent.iter().map(|e| e.event_type.wire_name()).collect();
    for expected in [
        "kyc_session_verified",
        "kyc_state_updated",
        "account_activated",
        "payin_completed",
        "transfer_state_updated",
        "payout_completed",
        "viban_activated",
        "viban_deactivated",
        "kyb_state_updated",
    ] {
        assert!(
            names.contains(&expected),
            "the sandbox did not send {expected}: {names:?}"
        );
    }
    // Every attempt was delivered at once (2xx), none rejected.
    assert!(
        env.sandbox
            .state()
            .webhooks
            .deliveries()
            .iter()
            .all(|d| d.status_code == Some(200))
    );

    let mut received: HashMap<String, pb::Event> = HashMap::new();
    while received.len() < sent.len() {
        let event = next_event(&mut stream, Duration::from_secs(10)).await;
        assert!(
            received.insert(event.id.clone(), event).is_none(),
            "duplicate on the stream"
        );
    }
    assert_no_event(&mut stream, Duration::from_millis(200)).await;

    let mut cursors: Vec<u64> = received.values().map(|e| e.cursor).collect();
    cursors.sort_unstable();
    assert_eq!(cursors, (1..=sent.len() as u64).collect::<Vec<_>>());
    for stored in &sent {
        let body: Value = serde_json::from_slice(&stored.body).unwrap();
        let event = &received[&stored.id.to_string()];
        assert_eq!(event.r#type, stored.event_type.wire_name());
        assert_ne!(event.event_type, pb::EventType::Unspecified as i32);
        let raw: Value = serde_json::from_str(&event.raw_json).unwrap();
        assert_eq!(raw, body["data"], "raw_json of {}", event.r#type);
        let expected_envelope = if body.get("eventId").is_some() {
            pb::EnvelopeVersion::V2
        } else {
            pb::EnvelopeVersion::V1
        };
        assert_eq!(
            event.envelope_version, expected_envelope as i32,
            "{}",
            event.r#type
        );
        assert!(event.occurred_at.is_some(), "{}", event.r#type);
        assert_typed(event, &body["data"]);
        if event.r#type == "payin_completed" {
            assert_eq!(event.user_id, uid);
            assert_eq!(event.account_id, account);
            for_user = Some(event.cursor);
        }
    }

    // The user filter selects this user's events (KYC, payin, payout) and nothing else.
    let mine = env
        .grpc()
        .events()
        .list_events(pb::ListEventsRequest {
            filter: filter(&[], &uid, ""),
            after_cursor: 0,
            page_size: 100,
        })
        .await
        .unwrap()
        .into_inner()
        .events;
    let kinds: Vec<&str> = mine.iter().map(|e| e.r#type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "kyc_session_verified",
            "kyc_state_updated",
            "payin_completed",
            "payout_completed"
        ]
    );
    assert!(mine.iter().any(|e| Some(e.cursor) == for_user));
}
