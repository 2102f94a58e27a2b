//! User creation: individual, personal and business users (API reference schemas, D3, D12).

mod common;

use common::{Api, individual_user_body};
use serde_json::{Value, json};

const INDIVIDUAL: &str = "/api/v1/account/individual-users";
const PERSONAL: &str = "/api/v1/account/personal-users";
const BUSINESS: &str = "/api/v1/account/business-user";

fn personal_body(email: &str) -> Value {
    json!({
        "address": "Calle Luna 2", "birthdate": "1985-01-30", "city": "Sevilla", "country": "ES",
        "documentNumber": "X1234567L", "documentType": "PASSPORT", "email": email, "name": "Luis",
        "postalCode": "41001", "surname": "Pérez", "activity": "TEACHER", "isPublicOffice": false
    })
}

fn business_body() -> Value {
    json!({
        "businessActivity": {
            "businessNature": "Online retail of books", "businessType": "LLC",
            "industryType": "ECOMMERCE", "revenueModel": "Sales",
            "companySize": {"totalEmployees": 12}
        },
        "company": {
            "incorporation": {"constitutionType": "LLC", "legalName": "Acme Books S.L."},
            "contact": {"email": "ops@acme-books.example"},
            "addresses": {"registered": {"line1": "Gran Vía 1", "city": "Madrid", "country": "ES"}}
        }
    })
}

#[tokio::test]
async fn individual_user_is_created_with_the_documented_shape() {
    let api = Api::start().await;
    let body = individual_user_body("ana@example.com");
    let reply = api.post(INDIVIDUAL, body.clone()).await;
    assert_eq!(reply.status, 201);
    let user = reply.ok();
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert_eq!(
        user["activity"],
        json!({"id": 1, "name": "Sales", "slug": "SALES_MANAGER"})
    );
    assert_eq!(user["kycLevel"], "LIGHT");
    for field in [
        "email",
        "documentType",
        "employmentStatus",
        "sourceOfFunds",
        "birthCountry",
        "estimatedNetWorth",
        "hasPepCloseAssociate",
        "termsAndConditionsAccepted",
        "surname",
    ] {
        assert_eq!(user[field], body[field], "{field}");
    }
}

#[tokio::test]
async fn individual_user_names_every_missing_field() {
    let api = Api::start().await;
    let reply = api.post(INDIVIDUAL, json!({})).await;
    let mut fields = reply.violation_fields();
    fields.sort();
    let mut expected = vec![
        "activity",
        "address",
        "birthCountry",
        "birthdate",
        "city",
        "country",
        "documentNumber",
        "documentType",
        "email",
        "employmentStatus",
        "estimatedAnnualIncome",
        "estimatedAnnualTransactionVolume",
        "estimatedNetWorth",
        "hasPepCloseAssociate",
        "isPublicOffice",
        "name",
        "nationality",
        "phoneNumber",
        "phoneNumberCountry",
        "postalCode",
        "professionalSector",
        "province",
        "sourceOfFunds",
        "surname",
        "termsAndConditionsAccepted",
    ];
    expected.sort();
    assert_eq!(fields, expected);
}

#[tokio::test]
async fn individual_user_rejects_bad_enums_types_and_codes() {
    let api = Api::start().await;
    let mut body = individual_user_body("bad@example.com");
    body["documentType"] = json!("ID_CARD");
    body["employmentStatus"] = json!("BUSY");
    body["sourceOfFunds"] = json!("LOTTERY");
    body["country"] = json!("es");
    body["estimatedAnnualIncome"] = json!("lots");
    body["isPublicOffice"] = json!("no");
    body["activity"] = json!("ASTRONAUT");
    body["email"] = json!("not-an-email");
    body["termsAndConditionsAccepted"] = json!(false);
    let reply = api.post(INDIVIDUAL, body).await;
    let mut fields = reply.violation_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "activity",
            "country",
            "documentType",
            "email",
            "employmentStatus",
            "estimatedAnnualIncome",
            "isPublicOffice",
            "sourceOfFunds",
            "termsAndConditionsAccepted"
        ]
    );
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("documentType")
    );
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_whatever_the_case() {
    let api = Api::start().await;
    api.post(INDIVIDUAL, individual_user_body("dup@example.com"))
        .await
        .ok();
    api.post(INDIVIDUAL, individual_user_body("DUP@example.com"))
        .await
        .expect_error(409, "CONFLICT");
    api.post(PERSONAL, personal_body("dup@example.com"))
        .await
        .expect_error(409, "CONFLICT");
}

#[tokio::test]
async fn personal_user_is_created_light_and_validated() {
    let api = Api::start().await;
    let reply = api.post(PERSONAL, personal_body("luis@example.com")).await;
    assert_eq!(reply.status, 201);
    let user = reply.ok();
    assert_eq!(user["kycLevel"], "LIGHT");
    assert_eq!(user["activity"]["slug"], "TEACHER");
    assert_eq!(user["documentType"], "PASSPORT");
    assert_eq!(user["isPublicOffice"], false);

    let reply = api
        .post(
            PERSONAL,
            json!({"email": "x@example.com", "documentType": "VISA", "kyc": 3}),
        )
        .await;
    let mut fields = reply.violation_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "address",
            "birthdate",
            "city",
            "country",
            "documentNumber",
            "documentType",
            "kyc",
            "name",
            "postalCode",
            "surname"
        ]
    );
}

#[tokio::test]
async fn personal_user_with_a_verified_kyc_payload_is_regular() {
    let api = Api::start().await;
    let mut body = personal_body("kyc@example.com");
    body["kyc"] =
        json!({"data": {"identity": {"id": "abc", "status": "verified"}, "expired": false}});
    let user = api.post(PERSONAL, body).await.ok().clone();
    assert_eq!(user["kycLevel"], "REGULAR");
    let events = api.events_named("kyc_state_updated");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["userId"], user["id"]);
    assert_eq!(events[0]["state"], "REGULAR");
    assert_eq!(events[0]["entityType"], "user");
    assert!(events[0]["kycId"].is_i64());
}

#[tokio::test]
async fn business_user_is_created_and_validated() {
    let api = Api::start().await;
    let reply = api.post(BUSINESS, business_body()).await;
    assert_eq!(reply.status, 201);
    let user = reply.ok();
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert_eq!(user["kycLevel"], "LIGHT");
    assert_eq!(user["businessActivity"]["industryType"], "ECOMMERCE");

    api.post(BUSINESS, business_body())
        .await
        .expect_error(409, "CONFLICT");

    let reply = api.post(BUSINESS, json!({})).await;
    assert_eq!(reply.violation_fields(), ["businessActivity"]);

    let mut body = business_body();
    body["businessActivity"]["industryType"] = json!("OTHER");
    body["businessActivity"]["revenueModel"] = json!(null);
    body["company"]["incorporation"]["constitutionType"] = json!("GUILD");
    body["company"]["addresses"]["registered"]["country"] = json!("Spain");
    body["company"]["contact"]["email"] = json!("other@example.com");
    let reply = api.post(BUSINESS, body).await;
    let mut fields = reply.violation_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "businessActivity.industryTypeOther",
            "businessActivity.revenueModel",
            "company.addresses.registered.country",
            "company.incorporation.constitutionType"
        ]
    );
}
