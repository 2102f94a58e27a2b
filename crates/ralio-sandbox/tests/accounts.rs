//! User accounts: KYC gate, aliases, listing, ownership, activation (D3, D10).

mod common;

use common::Api;
use ralio_sandbox::SandboxConfig;
use ralio_sandbox::config::AutoActivate;
use serde_json::{Value, json};

fn accounts(uid: &str) -> String {
    format!("/api/v1/account/users/{uid}/accounts")
}

#[tokio::test]
async fn light_users_need_kyc_first() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    api.post(&accounts(&uid), json!({"alias": "main", "currency": "EUR"}))
        .await
        .expect_error(422, "KYC_REQUIRED");
    api.post(
        &accounts(&uuid::Uuid::new_v4().to_string()),
        json!({"alias": "main", "currency": "EUR"}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn account_is_created_active_with_zero_balances() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let before = api.event_names().len();
    let reply = api
        .post(
            &accounts(&uid),
            json!({"alias": "Main EUR", "currency": "EUR"}),
        )
        .await;
    assert_eq!(reply.status, 201);
    let account = reply.ok().clone();
    assert_eq!(account["alias"], "Main EUR");
    assert_eq!(account["currency"], "EUR");
    assert_eq!(account["state"], "ACTIVE");
    assert_eq!(account["purpose"], "OPERATIONAL");
    assert!(account["type"].is_string());
    for field in ["balance", "pendingIn", "pendingOut"] {
        assert_eq!(account[field], 0, "{field}");
    }
    let events = &api.sandbox.state().emitted_events()[before..];
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, "account_activated");
    assert_eq!(events[0].data, json!({"accountId": account["id"]}));

    let aid = account["id"].as_str().unwrap();
    assert_eq!(
        api.get(&format!("{}/{aid}", accounts(&uid))).await.ok(),
        &account
    );
}

#[tokio::test]
async fn create_validates_alias_and_currency() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let reply = api.post(&accounts(&uid), json!({})).await;
    assert_eq!(reply.violation_fields(), ["alias", "currency"]);
    let reply = api
        .post(&accounts(&uid), json!({"alias": 3, "currency": "GBP"}))
        .await;
    assert_eq!(reply.violation_fields(), ["alias", "currency"]);
    let reply = api
        .post(
            &accounts(&uid),
            json!({"alias": "x".repeat(256), "currency": "USD"}),
        )
        .await;
    assert_eq!(reply.violation_fields(), ["alias"]);
}

#[tokio::test]
async fn aliases_are_unique_per_user() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    let other = api.regular_user().await;
    let first = api.create_account(&uid, "Savings", "EUR").await;
    api.post(
        &accounts(&uid),
        json!({"alias": "savings", "currency": "USD"}),
    )
    .await
    .expect_error(409, "CONFLICT");
    // Another user may use the same alias.
    api.create_account(&other, "Savings", "EUR").await;

    let second = api.create_account(&uid, "Travel", "USD").await;
    let path = format!("{}/{}", accounts(&uid), second["id"].as_str().unwrap());
    api.patch(&path, json!({"alias": "SAVINGS"}))
        .await
        .expect_error(409, "CONFLICT");
    let renamed = api
        .patch(&path, json!({"alias": "Holidays"}))
        .await
        .ok()
        .clone();
    assert_eq!(renamed["alias"], "Holidays");
    assert_eq!(renamed["id"], second["id"]);
    // Renaming to its own alias is fine.
    let own = format!("{}/{}", accounts(&uid), first["id"].as_str().unwrap());
    api.patch(&own, json!({"alias": "Savings"})).await.ok();
    assert_eq!(
        api.patch(&own, json!({})).await.violation_fields(),
        ["alias"]
    );
}

#[tokio::test]
async fn accounts_of_another_user_are_forbidden() {
    let api = Api::start().await;
    let owner = api.regular_user().await;
    let other = api.regular_user().await;
    let account = api.create_account(&owner, "Main", "EUR").await;
    let aid = account["id"].as_str().unwrap();
    api.get(&format!("{}/{aid}", accounts(&other)))
        .await
        .expect_error(403, "FORBIDDEN");
    api.patch(
        &format!("{}/{aid}", accounts(&other)),
        json!({"alias": "mine"}),
    )
    .await
    .expect_error(403, "FORBIDDEN");
    api.get(&format!("{}/{}", accounts(&owner), uuid::Uuid::new_v4()))
        .await
        .expect_error(404, "NOT_FOUND");
    let reply = api.get(&format!("{}/not-a-uuid", accounts(&owner))).await;
    assert_eq!(reply.violation_fields(), ["aid"]);
}

#[tokio::test]
async fn list_is_a_bare_array_with_sort_filter_and_search() {
    let api = Api::start().await;
    let uid = api.regular_user().await;
    for (alias, currency) in [("Bravo", "EUR"), ("Alpha", "USD"), ("Charlie", "EUR")] {
        api.create_account(&uid, alias, currency).await;
    }
    let aliases = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["alias"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = api.get(&accounts(&uid)).await.ok().clone();
    assert_eq!(aliases(&all), ["Bravo", "Alpha", "Charlie"]);
    let sorted = api
        .get(&format!("{}?sort=-alias", accounts(&uid)))
        .await
        .ok()
        .clone();
    assert_eq!(aliases(&sorted), ["Charlie", "Bravo", "Alpha"]);
    let eur = api
        .get(&format!("{}?currency_eq=EUR&sort=alias", accounts(&uid)))
        .await
        .ok()
        .clone();
    assert_eq!(aliases(&eur), ["Bravo", "Charlie"]);
    let found = api
        .get(&format!("{}?search=usd", accounts(&uid)))
        .await
        .ok()
        .clone();
    assert_eq!(aliases(&found), ["Alpha"]);
}

#[tokio::test]
async fn without_auto_activation_accounts_wait_for_the_control_api() {
    let config = SandboxConfig {
        auto_activate: AutoActivate {
            accounts: false,
            vibans: true,
        },
        ..SandboxConfig::for_tests()
    };
    let api = Api::start_with(config).await;
    let uid = api.regular_user().await;
    let account = api.create_account(&uid, "Main", "EUR").await;
    assert_eq!(account["state"], "PENDING");
    assert!(api.events_named("account_activated").is_empty());
    let aid = account["id"].as_str().unwrap();
    let activated = api
        .control(&format!("/sandbox/v1/accounts/{aid}/activate"), Value::Null)
        .await;
    assert_eq!(activated.ok()["state"], "ACTIVE");
    assert_eq!(
        api.events_named("account_activated"),
        [json!({"accountId": aid})]
    );
    api.control(&format!("/sandbox/v1/accounts/{aid}/activate"), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    api.control(
        &format!("/sandbox/v1/accounts/{}/activate", uuid::Uuid::new_v4()),
        Value::Null,
    )
    .await
    .expect_error(404, "NOT_FOUND");
}
