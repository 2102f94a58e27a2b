//! Virtual IBANs: rails, D10 transitions and their webhooks.

mod common;

use common::Api;
use ralio_sandbox::SandboxConfig;
use ralio_sandbox::config::AutoActivate;
use serde_json::{Value, json};

async fn account(api: &Api, currency: &str) -> String {
    let uid = api.regular_user().await;
    let aid = api.create_account(&uid, "Main", currency).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    format!("/api/v1/account/users/{uid}/accounts/{aid}/virtual-ibans")
}

fn manual() -> SandboxConfig {
    SandboxConfig {
        auto_activate: AutoActivate {
            accounts: true,
            vibans: false,
        },
        ..SandboxConfig::for_tests()
    }
}

#[tokio::test]
async fn sepa_viban_on_an_eur_account_is_active_at_once() {
    let api = Api::start().await;
    let base = account(&api, "EUR").await;
    let reply = api
        .post(&base, json!({"name": "Rent", "rail": "SEPA"}))
        .await;
    assert_eq!(reply.status, 201);
    let viban = reply.ok().clone();
    assert_eq!(viban["state"], "ACTIVE");
    assert_eq!(viban["rail"], "SEPA");
    assert_eq!(viban["provider"], "MOCK");
    let iban = viban["accountNumber"].as_str().unwrap();
    assert!(iban.starts_with("ES") && iban.len() == 24);
    assert!(viban["bic"].is_string());
    let events = api.events_named("viban_activated");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["vibanId"], viban["id"]);
    assert_eq!(events[0]["accountId"], viban["accountId"]);
    assert_eq!(events[0]["status"], "ACTIVE");
    assert_eq!(events[0]["iban"], iban);
    assert_eq!(events[0]["bic"], viban["bic"]);

    let vid = viban["id"].as_str().unwrap();
    assert_eq!(api.get(&format!("{base}/{vid}")).await.ok(), &viban);
    let renamed = api
        .put(&format!("{base}/{vid}"), json!({"name": "Deposits"}))
        .await
        .ok()
        .clone();
    assert_eq!(renamed["name"], "Deposits");
    let list = api.get(&base).await.ok().clone();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Deposits");

    let reply = api
        .post(&format!("{base}/{vid}/deactivate"), Value::Null)
        .await;
    assert_eq!(reply.ok()["state"], "INACTIVE");
    let events = api.events_named("viban_deactivated");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["status"], "INACTIVE");
    assert_eq!(events[0]["iban"], iban);
    api.post(&format!("{base}/{vid}/deactivate"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
}

#[tokio::test]
async fn ach_viban_on_a_usd_account_has_a_routing_number() {
    let api = Api::start().await;
    let base = account(&api, "USD").await;
    let viban = api
        .post(&base, json!({"name": "US", "rail": "ACH"}))
        .await
        .ok()
        .clone();
    assert_eq!(viban["routingNumber"], "011000015");
    assert!(viban["bic"].is_null());
    let events = api.events_named("viban_activated");
    assert_eq!(events[0]["routingNumber"], "011000015");
    assert_eq!(events[0]["accountNumber"], viban["accountNumber"]);
}

#[tokio::test]
async fn rail_must_fit_the_currency_and_body_is_validated() {
    let api = Api::start().await;
    let base = account(&api, "USD").await;
    let reply = api.post(&base, json!({"name": "x", "rail": "SEPA"})).await;
    assert_eq!(reply.violation_fields(), ["rail"]);
    let reply = api.post(&base, json!({"rail": "SWIFT"})).await;
    assert_eq!(reply.violation_fields(), ["name", "rail"]);
    let reply = api
        .post(&base, json!({"name": "n".repeat(256), "rail": "ACH"}))
        .await;
    assert_eq!(reply.violation_fields(), ["name"]);
}

#[tokio::test]
async fn pending_vibans_are_decided_by_the_control_api() {
    let api = Api::start_with(manual()).await;
    let base = account(&api, "EUR").await;
    let first = api
        .post(&base, json!({"name": "A", "rail": "SEPA"}))
        .await
        .ok()
        .clone();
    assert_eq!(first["state"], "PENDING");
    assert!(api.events_named("viban_activated").is_empty());
    let vid = first["id"].as_str().unwrap();
    api.post(&format!("{base}/{vid}/deactivate"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    let active = api
        .control(
            &format!("/sandbox/v1/virtual-ibans/{vid}/activate"),
            Value::Null,
        )
        .await;
    assert_eq!(active.ok()["state"], "ACTIVE");
    assert_eq!(api.events_named("viban_activated").len(), 1);
    api.control(
        &format!("/sandbox/v1/virtual-ibans/{vid}/reject"),
        Value::Null,
    )
    .await
    .expect_error(422, "INVALID_STATE");

    let second = api
        .post(&base, json!({"name": "B", "rail": "SEPA"}))
        .await
        .ok()
        .clone();
    let vid = second["id"].as_str().unwrap();
    let rejected = api
        .control(
            &format!("/sandbox/v1/virtual-ibans/{vid}/reject"),
            json!({"reason": "provider said no"}),
        )
        .await;
    let rejected = rejected.ok();
    assert_eq!(rejected["state"], "REJECTED");
    assert_eq!(rejected["rejectionReason"], "provider said no");
    let failed = api.events_named("viban_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["status"], "REJECTED");
    assert_eq!(failed[0]["reason"], "provider said no");
    api.control(
        &format!("/sandbox/v1/virtual-ibans/{vid}/activate"),
        Value::Null,
    )
    .await
    .expect_error(422, "INVALID_STATE");
    let list = api
        .get(&format!("{base}?state=REJECTED"))
        .await
        .ok()
        .clone();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn vibans_need_an_active_account_of_the_user() {
    let config = SandboxConfig {
        auto_activate: AutoActivate {
            accounts: false,
            vibans: true,
        },
        ..SandboxConfig::for_tests()
    };
    let api = Api::start_with(config).await;
    let base = account(&api, "EUR").await;
    api.post(&base, json!({"name": "A", "rail": "SEPA"}))
        .await
        .expect_error(422, "ACCOUNT_NOT_ACTIVE");
    let other = api.regular_user().await;
    let foreign = base.replacen(base.split('/').nth(5).unwrap(), &other, 1);
    api.get(&foreign).await.expect_error(403, "FORBIDDEN");
    api.get(&format!("{base}/{}", uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "NOT_FOUND");
    let reply = api.get(&format!("{base}/xyz")).await;
    assert_eq!(reply.violation_fields(), ["vibanId"]);
}
