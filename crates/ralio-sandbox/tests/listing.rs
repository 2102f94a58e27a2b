//! Paging, sorting, filters and search over real lists (D4, D5).

mod common;

use common::Api;
use serde_json::Value;

/// A REGULAR user with accounts Bravo(EUR), Alpha(USD), Charlie(EUR), Delta(USD); returns the
/// accounts path.
async fn four_accounts(api: &Api) -> String {
    let uid = api.regular_user().await;
    for (alias, currency) in [
        ("Bravo", "EUR"),
        ("Alpha", "USD"),
        ("Charlie", "EUR"),
        ("Delta", "USD"),
    ] {
        api.create_account(&uid, alias, currency).await;
    }
    format!("/api/v1/account/users/{uid}/accounts")
}

fn aliases(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a["alias"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_filter_op_works() {
    let api = Api::start().await;
    let base = four_accounts(&api).await;
    let cases: &[(&str, &[&str])] = &[
        ("alias_eq=Alpha", &["Alpha"]),
        ("alias=Alpha", &["Alpha"]),
        ("alias_neq=Alpha", &["Bravo", "Charlie", "Delta"]),
        ("alias_gt=Bravo", &["Charlie", "Delta"]),
        ("alias_gte=Bravo", &["Bravo", "Charlie", "Delta"]),
        ("alias_lt=Bravo", &["Alpha"]),
        ("alias_lte=Bravo", &["Bravo", "Alpha"]),
        ("alias_like=ar", &["Charlie"]),
        ("alias_like=%25a", &["Alpha", "Delta"]),
        ("alias_like=D%25", &["Delta"]),
        ("alias_like=alpha", &[]),
        ("alias_ilike=ALPHA", &["Alpha"]),
        ("balance_gte=0&currency_eq=USD", &["Alpha", "Delta"]),
        ("balance_gt=0", &[]),
        (
            "state_eq=ACTIVE&purpose_eq=OPERATIONAL&currency=EUR",
            &["Bravo", "Charlie"],
        ),
    ];
    for (query, expected) in cases {
        let reply = api.get(&format!("{base}?{query}")).await;
        assert_eq!(aliases(reply.ok()), *expected, "{query}");
    }
}

#[tokio::test]
async fn sort_and_search() {
    let api = Api::start().await;
    let base = four_accounts(&api).await;
    let asc = api.get(&format!("{base}?sort=alias")).await.ok().clone();
    assert_eq!(aliases(&asc), ["Alpha", "Bravo", "Charlie", "Delta"]);
    let desc = api.get(&format!("{base}?sort=-alias")).await.ok().clone();
    assert_eq!(aliases(&desc), ["Delta", "Charlie", "Bravo", "Alpha"]);
    // Ties keep creation order, whatever the direction.
    let by_currency = api
        .get(&format!("{base}?sort=-currency"))
        .await
        .ok()
        .clone();
    assert_eq!(
        aliases(&by_currency),
        ["Alpha", "Delta", "Bravo", "Charlie"]
    );
    let multi = api
        .get(&format!("{base}?sort=currency,-alias"))
        .await
        .ok()
        .clone();
    assert_eq!(aliases(&multi), ["Charlie", "Bravo", "Delta", "Alpha"]);
    let found = api.get(&format!("{base}?search=LTA")).await.ok().clone();
    assert_eq!(aliases(&found), ["Delta"]);
    let by_currency = api.get(&format!("{base}?search=eur")).await.ok().clone();
    assert_eq!(aliases(&by_currency), ["Bravo", "Charlie"]);
}

#[tokio::test]
async fn bad_list_parameters_are_named() {
    let api = Api::start().await;
    let base = four_accounts(&api).await;
    let cases = [
        ("sort=colour", "sort"),
        ("colour_eq=red", "colour_eq"),
        ("alias_approx=x", "alias_approx"),
        ("balance_gt=lots", "balance_gt"),
    ];
    for (query, field) in cases {
        let reply = api.get(&format!("{base}?{query}")).await;
        assert_eq!(reply.violation_fields(), [field], "{query}");
    }
}

#[tokio::test]
async fn pages_are_bounded_and_linked() {
    let api = Api::start().await;
    let uid = api.create_user().await["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/account/users/{uid}/identity-verifications");
    for _ in 0..5 {
        api.post(&base, serde_json::json!({})).await.ok();
    }
    let first = api.get(&format!("{base}?pageSize=2")).await.ok().clone();
    assert_eq!(first["sessions"].as_array().unwrap().len(), 2);
    let p = &first["pagination"];
    assert_eq!(
        (
            p["page"].as_u64(),
            p["pageSize"].as_u64(),
            p["numPages"].as_u64(),
            p["total"].as_u64()
        ),
        (Some(1), Some(2), Some(3), Some(5))
    );
    assert_eq!(p["next"], "2");
    assert!(p["previous"].is_null());
    let last = api
        .get(&format!("{base}?pageSize=2&page=3"))
        .await
        .ok()
        .clone();
    assert_eq!(last["sessions"].as_array().unwrap().len(), 1);
    assert!(last["pagination"]["next"].is_null());
    assert_eq!(last["pagination"]["previous"], "2");
    let beyond = api
        .get(&format!("{base}?pageSize=2&page=9"))
        .await
        .ok()
        .clone();
    assert_eq!(beyond["sessions"].as_array().unwrap().len(), 0);
    let default = api.get(&base).await.ok().clone();
    assert_eq!(default["pagination"]["pageSize"], 30);
    assert_eq!(default["pagination"]["numPages"], 1);
    let max = api.get(&format!("{base}?pageSize=100")).await;
    max.ok();

    for (query, field) in [
        ("page=0", "page"),
        ("page=x", "page"),
        ("pageSize=0", "pageSize"),
        ("pageSize=101", "pageSize"),
        ("pageSize=-1", "pageSize"),
    ] {
        let reply = api.get(&format!("{base}?{query}")).await;
        assert_eq!(reply.violation_fields(), [field], "{query}");
    }
    let reply = api.get(&format!("{base}?page=0&pageSize=500")).await;
    assert_eq!(reply.violation_fields(), ["page", "pageSize"]);
    // The session list has no free-text search.
    assert_eq!(
        api.get(&format!("{base}?search=x"))
            .await
            .violation_fields(),
        ["search"]
    );
}
