//! UserService end to end: the three user kinds, validation on both sides, conflicts and
//! idempotent creation.

mod common;

use common::{TestEnv, assert_status, individual_user_request, violation_fields, with_metadata};
use ralio_gateway::proto::ralio::v1 as pb;
use tonic::Code;
use tonic_types::StatusExt;

#[tokio::test]
async fn creates_an_individual_user_at_light_level() {
    let env = TestEnv::start().await;
    let request = individual_user_request();
    let user = env
        .grpc()
        .users()
        .create_individual_user(request.clone())
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert!(uuid::Uuid::parse_str(&user.id).is_ok());
    assert_eq!(user.email, request.email);
    assert_eq!(user.name, "Ada");
    assert_eq!(user.surname, "Lovelace");
    assert_eq!(user.birthdate, "1990-12-10");
    assert_eq!(user.kyc_level, pb::KycLevel::Light as i32);
    assert_eq!(
        user.document_type,
        pb::IdentityDocumentType::NationalId as i32
    );
    assert_eq!(user.source_of_funds, pb::SourceOfFunds::Salary as i32);
    assert_eq!(
        user.employment_status,
        pb::EmploymentStatus::Employed as i32
    );
    assert_eq!(user.estimated_annual_income, 50_000);
    assert!(user.terms_and_conditions_accepted);
    // The sandbox expands the activity slug into the catalogue entry (D15).
    let activity = user.activity.unwrap();
    assert_eq!(activity.slug, "SOFTWARE_ENGINEER");
    assert!(activity.id > 0 && !activity.name.is_empty());
}

#[tokio::test]
async fn creates_a_personal_user_regular_when_the_forwarded_kyc_is_verified() {
    let env = TestEnv::start().await;
    let base = pb::CreatePersonalUserRequest {
        address: "Calle Mayor 1".into(),
        birthdate: "1985-01-31".into(),
        city: "Madrid".into(),
        country: "ES".into(),
        document_number: "X1234567".into(),
        document_type: pb::IdentityDocumentType::Passport as i32,
        email: format!("p-{}@example.com", uuid::Uuid::new_v4()),
        name: "Grace".into(),
        postal_code: "28013".into(),
        surname: "Hopper".into(),
        activity: "TEACHER".into(),
        is_public_office: false,
        kyc: None,
    };
    let light = env
        .grpc()
        .users()
        .create_personal_user(base.clone())
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(light.kyc_level, pb::KycLevel::Light as i32);
    assert_eq!(
        light.document_type,
        pb::IdentityDocumentType::Passport as i32
    );
    assert_eq!(light.activity.unwrap().slug, "TEACHER");

    let verified = pb::CreatePersonalUserRequest {
        email: format!("p-{}@example.com", uuid::Uuid::new_v4()),
        kyc: Some(pb::PersonalUserKyc {
            data: Some(pb::KycVerificationData {
                id: "verification-1".into(),
                identity: Some(pb::KycIdentity {
                    id: "identity-1".into(),
                    status: "verified".into(),
                }),
                ..Default::default()
            }),
        }),
        ..base
    };
    let regular = env
        .grpc()
        .users()
        .create_personal_user(verified)
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(regular.kyc_level, pb::KycLevel::Regular as i32);
    assert_eq!(regular.name, "Grace");
}

#[tokio::test]
async fn creates_a_business_user_and_passes_extra_fields_through() {
    let env = TestEnv::start().await;
    let contact = serde_json::json!({"email": format!("b-{}@example.com", uuid::Uuid::new_v4())});
    let user = env
        .grpc()
        .users()
        .create_business_user(pb::CreateBusinessUserRequest {
            business_activity: Some(pb::BusinessActivity {
                business_nature: "Software".into(),
                business_type: "B2B".into(),
                industry_type: pb::IndustryType::CryptoFintech as i32,
                revenue_model: "Subscriptions".into(),
                ..Default::default()
            }),
            company: Some(pb::Company {
                contact: ralio_gateway::convert::common::json_to_struct(&contact),
                incorporation: Some(pb::CompanyIncorporation {
                    constitution_type: pb::ConstitutionType::Llc as i32,
                    constitution_type_other: String::new(),
                    additional: ralio_gateway::convert::common::json_to_struct(
                        &serde_json::json!({"legalName": "Acme SL"}),
                    ),
                }),
                addresses: None,
            }),
            additional: None,
        })
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert!(uuid::Uuid::parse_str(&user.id).is_ok());
    assert_eq!(user.kyc_level, pb::KycLevel::Light as i32);
    let additional =
        ralio_gateway::convert::common::struct_to_json(&user.additional.expect("rest of the body"));
    assert!(additional.to_string().contains("Acme SL"), "{additional}");
}

#[tokio::test]
async fn gateway_validation_names_every_bad_proto_field() {
    let env = TestEnv::start().await;
    let request = pb::CreateIndividualUserRequest {
        birthdate: "1990-02-30".into(),
        country: "Spain".into(),
        estimated_net_worth: -1,
        ..individual_user_request()
    };
    let request = pb::CreateIndividualUserRequest {
        document_type: 0,
        email: String::new(),
        ..request
    };
    let users_before = env.sandbox.state().store().users.len();
    let status = assert_status(
        env.grpc().users().create_individual_user(request).await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    let mut fields = violation_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "birthdate",
            "country",
            "document_type",
            "email",
            "estimated_net_worth"
        ]
    );
    // Nothing reached the sandbox.
    assert_eq!(env.sandbox.state().store().users.len(), users_before);
}

#[tokio::test]
async fn upstream_validation_errors_pass_through_with_their_fields() {
    let env = TestEnv::start().await;
    let request = pb::CreateIndividualUserRequest {
        terms_and_conditions_accepted: false,
        activity: "NOT_AN_ACTIVITY".into(),
        ..individual_user_request()
    };
    let status = assert_status(
        env.grpc().users().create_individual_user(request).await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    let mut fields = violation_fields(&status);
    fields.sort();
    // RalioPay's JSON field names, as it reported them.
    assert_eq!(fields, ["activity", "termsAndConditionsAccepted"]);
    let info = status.get_details_error_info().unwrap();
    assert_eq!(
        info.metadata.get("http_status").map(String::as_str),
        Some("400")
    );
    assert!(info.metadata.contains_key("request_id"));
}

#[tokio::test]
async fn a_taken_email_is_already_exists() {
    let env = TestEnv::start().await;
    let request = individual_user_request();
    env.grpc()
        .users()
        .create_individual_user(request.clone())
        .await
        .unwrap();
    let status = assert_status(
        env.grpc().users().create_individual_user(request).await,
        Code::AlreadyExists,
        "CONFLICT",
    );
    let info = status.get_details_error_info().unwrap();
    assert_eq!(
        info.metadata.get("http_status").map(String::as_str),
        Some("409")
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_first_user() {
    let env = TestEnv::start().await;
    let request = individual_user_request();
    let key = [("idempotency-key", "create-user-1")];
    let first = env
        .grpc()
        .users()
        .create_individual_user(with_metadata(request.clone(), &key))
        .await
        .unwrap()
        .into_inner();
    // Without the gateway's record this would be a 409 (same e-mail).
    let second = env
        .grpc()
        .users()
        .create_individual_user(with_metadata(request.clone(), &key))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first, second);
    let other = pb::CreateIndividualUserRequest {
        name: "Other".into(),
        ..request
    };
    assert_status(
        env.grpc()
            .users()
            .create_individual_user(with_metadata(other, &key))
            .await,
        Code::FailedPrecondition,
        "IDEMPOTENCY_KEY_REUSED",
    );
}
