//! The merchant's own user and seeded accounts (D15).

mod common;

use common::Api;
use ralio_sandbox::store::merchant::{
    FEES_EUR_ACCOUNT_ID, MERCHANT_USER_ID, OPERATIONAL_EUR_ACCOUNT_ID,
};

#[tokio::test]
async fn merchant_user_is_seeded() {
    let api = Api::start().await;
    let user = api.get("/api/v1/merchant/user").await.ok().clone();
    assert_eq!(user["id"], MERCHANT_USER_ID.to_string());
    assert!(user["name"].is_string() && user["email"].is_string());
}

#[tokio::test]
async fn merchant_accounts_are_listed_and_filterable() {
    let api = Api::start().await;
    let list = api.get("/api/v1/merchant/user/accounts").await.ok().clone();
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 4);
    for item in items {
        assert_eq!(item["userId"], MERCHANT_USER_ID.to_string());
        assert_eq!(item["state"], "ACTIVE");
        for field in [
            "alias",
            "balance",
            "currency",
            "id",
            "pendingIn",
            "pendingOut",
            "purpose",
        ] {
            assert!(item.get(field).is_some(), "{field}");
        }
    }
    let ops = api
        .get("/api/v1/merchant/user/accounts?purpose_eq=OPERATIONAL&currency=EUR")
        .await
        .ok()
        .clone();
    assert_eq!(ops.as_array().unwrap().len(), 1);
    assert_eq!(ops[0]["id"], OPERATIONAL_EUR_ACCOUNT_ID.to_string());
    let fees = api
        .get("/api/v1/merchant/user/accounts?search=fees&sort=-currency")
        .await
        .ok()
        .clone();
    let currencies: Vec<_> = fees
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["USD", "EUR"]);
    assert_eq!(fees[1]["purpose"], "FEES");
}

#[tokio::test]
async fn merchant_account_detail_carries_the_user() {
    let api = Api::start().await;
    let account = api
        .get(&format!(
            "/api/v1/merchant/user/accounts/{FEES_EUR_ACCOUNT_ID}"
        ))
        .await
        .ok()
        .clone();
    assert_eq!(account["purpose"], "FEES");
    assert!(account["type"].is_string());
    assert_eq!(account["user"]["id"], MERCHANT_USER_ID.to_string());
    assert_eq!(account["user"]["type"], 1);

    api.get(&format!(
        "/api/v1/merchant/user/accounts/{}",
        uuid::Uuid::new_v4()
    ))
    .await
    .expect_error(404, "NOT_FOUND");
    // An end user's account is not a merchant account.
    let uid = api.regular_user().await;
    let aid = api.create_account(&uid, "Main", "EUR").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.get(&format!("/api/v1/merchant/user/accounts/{aid}"))
        .await
        .expect_error(404, "NOT_FOUND");
}
