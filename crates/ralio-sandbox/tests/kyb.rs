//! KYB sessions: create, upload (multipart), list, submit, control approve/reject (D10).

mod common;

use common::{Api, Reply};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

async fn business(api: &Api) -> String {
    let reply = api
        .post(
            "/api/v1/account/business-user",
            json!({"businessActivity": {"businessNature": "n", "businessType": "LLC",
                   "industryType": "RETAIL", "revenueModel": "r"}}),
        )
        .await;
    reply.ok()["id"].as_str().unwrap().to_owned()
}

fn sessions(uid: &str) -> String {
    format!("/api/v1/account/business-user/{uid}/kyb-sessions")
}

async fn upload(api: &Api, uid: &str, sid: &str, form: Form) -> Reply {
    api.send_raw(
        api.http
            .post(api.url(&format!("{}/{sid}/documents", sessions(uid))))
            .bearer_auth(&api.token)
            .multipart(form),
    )
    .await
}

fn document_form() -> Form {
    Form::new()
        .text("category", "COMPANY_INFO")
        .text("type", "MEMORANDUM_ARTICLES")
        .part(
            "file",
            Part::bytes(b"%PDF-1.4 sandbox".to_vec())
                .file_name("articles.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
}

async fn submitted_session(api: &Api, uid: &str) -> String {
    let sid = api.post(&sessions(uid), Value::Null).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    upload(api, uid, &sid, document_form()).await.ok();
    api.post(&format!("{}/{sid}/submit", sessions(uid)), Value::Null)
        .await
        .ok();
    sid
}

#[tokio::test]
async fn full_kyb_flow_makes_the_business_regular() {
    let api = Api::start().await;
    let uid = business(&api).await;
    let reply = api.post(&sessions(&uid), Value::Null).await;
    assert_eq!(reply.status, 201);
    let session = reply.ok().clone();
    assert_eq!(session["state"], "CREATED");
    assert_eq!(session["documents"], json!([]));
    assert!(session["kybId"].is_i64());
    let sid = session["id"].as_str().unwrap().to_owned();

    let reply = upload(&api, &uid, &sid, document_form()).await;
    assert_eq!(reply.status, 201);
    let doc = reply.ok();
    assert_eq!(doc["kybSessionId"], sid.as_str());
    assert_eq!(doc["category"], "COMPANY_INFO");
    assert_eq!(doc["type"], "MEMORANDUM_ARTICLES");
    assert_eq!(doc["fileName"], "articles.pdf");
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(doc["fileSize"], 16);
    assert_eq!(doc["reviewState"], "PENDING");

    let list = api.get(&sessions(&uid)).await.ok().clone();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["documents"].as_array().unwrap().len(), 1);

    let reply = api
        .post(&format!("{}/{sid}/submit", sessions(&uid)), Value::Null)
        .await;
    assert_eq!(reply.ok()["state"], "SUBMITTED");
    api.post(&format!("{}/{sid}/submit", sessions(&uid)), Value::Null)
        .await
        .expect_error(422, "INVALID_STATE");
    upload(&api, &uid, &sid, document_form())
        .await
        .expect_error(422, "INVALID_STATE");

    // Accounts need KYB first.
    let account = json!({"alias": "main", "currency": "EUR"});
    api.post(
        &format!("/api/v1/account/users/{uid}/accounts"),
        account.clone(),
    )
    .await
    .expect_error(422, "KYC_REQUIRED");
    let reply = api
        .control(
            &format!("/sandbox/v1/kyb-sessions/{sid}/approve"),
            Value::Null,
        )
        .await;
    let approved = reply.ok();
    assert_eq!(approved["state"], "APPROVED");
    assert_eq!(approved["documents"][0]["reviewState"], "APPROVED");
    let events = api.events_named("kyb_state_updated");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0],
        json!({"kybId": session["kybId"], "userId": uid, "state": "REGULAR"})
    );
    api.post(&format!("/api/v1/account/users/{uid}/accounts"), account)
        .await
        .ok();
    api.control(
        &format!("/sandbox/v1/kyb-sessions/{sid}/approve"),
        Value::Null,
    )
    .await
    .expect_error(422, "INVALID_STATE");
}

#[tokio::test]
async fn rejection_keeps_the_business_light() {
    let api = Api::start().await;
    let uid = business(&api).await;
    let sid = submitted_session(&api, &uid).await;
    let reply = api
        .control(
            &format!("/sandbox/v1/kyb-sessions/{sid}/reject"),
            json!({"reason": "unreadable"}),
        )
        .await;
    let rejected = reply.ok();
    assert_eq!(rejected["state"], "REJECTED");
    assert_eq!(rejected["documents"][0]["rejectionReason"], "unreadable");
    assert!(api.events_named("kyb_state_updated").is_empty());
    api.control(
        &format!("/sandbox/v1/kyb-sessions/{sid}/reject"),
        Value::Null,
    )
    .await
    .expect_error(422, "INVALID_STATE");
    api.post(
        &format!("/api/v1/account/users/{uid}/accounts"),
        json!({"alias": "a", "currency": "EUR"}),
    )
    .await
    .expect_error(422, "KYC_REQUIRED");
}

#[tokio::test]
async fn created_sessions_cannot_be_decided() {
    let api = Api::start().await;
    let uid = business(&api).await;
    let sid = api.post(&sessions(&uid), Value::Null).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.control(
        &format!("/sandbox/v1/kyb-sessions/{sid}/approve"),
        Value::Null,
    )
    .await
    .expect_error(422, "INVALID_STATE");
    api.control(
        &format!("/sandbox/v1/kyb-sessions/{}/approve", uuid::Uuid::new_v4()),
        Value::Null,
    )
    .await
    .expect_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn upload_names_missing_and_bad_parts() {
    let api = Api::start().await;
    let uid = business(&api).await;
    let sid = api.post(&sessions(&uid), Value::Null).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = upload(&api, &uid, &sid, Form::new().text("note", "x")).await;
    assert_eq!(reply.violation_fields(), ["category", "type", "file"]);
    let form = Form::new()
        .text("category", "PHOTOS")
        .text("type", "X")
        .part("file", Part::bytes(Vec::new()).file_name("empty.pdf"));
    let reply = upload(&api, &uid, &sid, form).await;
    assert_eq!(reply.violation_fields(), ["category", "file"]);
}

#[tokio::test]
async fn only_business_users_have_kyb_sessions() {
    let api = Api::start().await;
    let person = api.create_user().await["id"].as_str().unwrap().to_owned();
    api.post(&sessions(&person), Value::Null)
        .await
        .expect_error(404, "NOT_FOUND");
    api.get(&sessions(&uuid::Uuid::new_v4().to_string()))
        .await
        .expect_error(404, "NOT_FOUND");
    let owner = business(&api).await;
    let other = {
        let reply = api
            .post(
                "/api/v1/account/business-user",
                json!({"businessActivity": {"businessNature": "n", "businessType": "LLC",
                       "industryType": "RETAIL", "revenueModel": "r"}}),
            )
            .await;
        reply.ok()["id"].as_str().unwrap().to_owned()
    };
    let sid = api.post(&sessions(&owner), Value::Null).await.ok()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post(&format!("{}/{sid}/submit", sessions(&other)), Value::Null)
        .await
        .expect_error(403, "FORBIDDEN");
    let list = api
        .get(&format!("{}?state=CREATED", sessions(&owner)))
        .await;
    assert_eq!(list.ok().as_array().unwrap().len(), 1);
    let list = api
        .get(&format!("{}?state=SUBMITTED", sessions(&owner)))
        .await;
    assert_eq!(list.ok().as_array().unwrap().len(), 0);
}
