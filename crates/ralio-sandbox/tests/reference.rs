//! `GET /api/v1/reference/activities` with `Accept-Language`.

mod common;

use common::Api;

#[tokio::test]
async fn activities_are_english_by_default_and_spanish_on_request() {
    let api = Api::start().await;
    let reply = api.get("/api/v1/reference/activities").await;
    let body = reply.ok();
    assert_eq!(body["activities"][0]["slug"], "SALES_MANAGER");
    assert_eq!(body["activities"][0]["name"], "Sales");
    assert_eq!(body["pagination"]["page"], 1);
    let total = body["pagination"]["total"].as_u64().unwrap();
    assert!(total >= 10);

    let reply = api
        .send_raw(
            api.http
                .get(api.url("/api/v1/reference/activities"))
                .bearer_auth(&api.token)
                .header("Accept-Language", "es-ES,es;q=0.9,en;q=0.8"),
        )
        .await;
    assert_eq!(reply.ok()["activities"][0]["name"], "Ventas");
    assert_eq!(reply.body["activities"][0]["slug"], "SALES_MANAGER");

    let reply = api
        .send_raw(
            api.http
                .get(api.url("/api/v1/reference/activities?pageSize=3&page=2"))
                .bearer_auth(&api.token)
                .header("Accept-Language", "fr, en"),
        )
        .await;
    let body = reply.ok();
    assert_eq!(body["activities"].as_array().unwrap().len(), 3);
    assert_eq!(body["activities"][0]["name"], "Education");
    assert_eq!(body["pagination"]["previous"], "1");
    assert_eq!(body["pagination"]["next"], "3");
}
