//! IdentityService end to end: IDV sessions through approval and rejection (checks, history,
//! KYC level), and KYB sessions through upload and submission.

mod common;

use common::{TestEnv, assert_status, violation_fields};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

#[tokio::test]
async fn idv_session_approved_raises_the_user_to_regular() {
    let env = TestEnv::start().await;
    let user = env.individual_user().await;
    let identity = env.grpc().identity();
    let session = identity
        .clone()
        .create_idv_session(pb::CreateIdvSessionRequest {
            uid: user.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    assert!(uuid::Uuid::parse_str(&session.id).is_ok());
    assert_eq!(session.state, pb::IdvSessionState::NotStarted as i32);
    assert!(
        session.hosted_url.starts_with("http"),
        "{}",
        session.hosted_url
    );
    let created = session.created_at.unwrap();
    let expires = session.expires_at.unwrap();
    // Seven days on the sandbox clock (D10).
    assert_eq!(expires.seconds - created.seconds, 7 * 24 * 3600);

    let listed = identity
        .clone()
        .list_idv_sessions(pb::ListIdvSessionsRequest {
            uid: user.id.clone(),
            page: Some(pb::PageRequest {
                page: 1,
                page_size: 10,
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.sessions.len(), 1);
    assert_eq!(listed.sessions[0].id, session.id);
    let page = listed.pagination.unwrap();
    assert_eq!(
        (page.page, page.page_size, page.total, page.num_pages),
        (1, 10, 1, 1)
    );
    assert_eq!(page.next, None);

    env.approve_idv(&session.id).await;

    let checks = identity
        .clone()
        .get_idv_session_checks(pb::GetIdvSessionChecksRequest {
            uid: user.id.clone(),
            session_id: session.id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(checks.session_id, session.id);
    let mut types: Vec<_> = checks.checks.iter().map(|c| c.r#type.as_str()).collect();
    types.sort();
    assert_eq!(types, ["document-verification", "face-matching"]);
    assert!(
        checks
            .checks
            .iter()
            .all(|c| c.state == pb::IdvCheckState::Validated as i32 && c.created_at.is_some())
    );

    let history = identity
        .clone()
        .get_idv_session_state_history(pb::GetIdvSessionStateHistoryRequest {
            uid: user.id.clone(),
            session_id: session.id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let states: Vec<i32> = history.logs.iter().map(|l| l.new_state).collect();
    assert_eq!(
        states,
        [
            pb::IdvSessionState::NotStarted as i32,
            pb::IdvSessionState::Started as i32,
            pb::IdvSessionState::Verified as i32
        ]
    );
    assert!(history.logs.iter().all(|l| l.created_at.is_some()));

    // REGULAR now: an account can be opened (422 KYC_REQUIRED before).
    let account = env
        .grpc()
        .accounts()
        .create_user_account(pb::CreateUserAccountRequest {
            uid: user.id,
            alias: "main".into(),
            currency: pb::AccountCurrency::Eur as i32,
        })
        .await;
    assert!(account.is_ok(), "{account:?}");
}

#[tokio::test]
async fn idv_rejection_reports_refused_checks_and_the_reason() {
    let env = TestEnv::start().await;
    let user = env.individual_user().await;
    let session = env
        .grpc()
        .identity()
        .create_idv_session(pb::CreateIdvSessionRequest {
            uid: user.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    let base = format!("/sandbox/v1/identity-verifications/{}", session.id);
    env.control(&format!("{base}/start"), json!({})).await;
    env.control(&format!("{base}/reject"), json!({"reason": "blurry photo"}))
        .await;
    let checks = env
        .grpc()
        .identity()
        .get_idv_session_checks(pb::GetIdvSessionChecksRequest {
            uid: user.id.clone(),
            session_id: session.id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    let refused: Vec<_> = checks
        .checks
        .iter()
        .filter(|c| c.state == pb::IdvCheckState::Refused as i32)
        .collect();
    assert_eq!(refused.len(), 1, "{checks:?}");
    assert_eq!(refused[0].refused_reasons[0].code, "KYC.DOC.DETERIORATED");
    assert_eq!(refused[0].refused_reasons[0].message, "blurry photo");

    let listed = env
        .grpc()
        .identity()
        .list_idv_sessions(pb::ListIdvSessionsRequest {
            uid: user.id.clone(),
            page: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed.sessions[0].state,
        pb::IdvSessionState::Rejected as i32
    );

    // Still LIGHT: opening an account is a failed precondition.
    assert_status(
        env.grpc()
            .accounts()
            .create_user_account(pb::CreateUserAccountRequest {
                uid: user.id,
                alias: "main".into(),
                currency: pb::AccountCurrency::Eur as i32,
            })
            .await,
        Code::FailedPrecondition,
        "KYC_REQUIRED",
    );
}

async fn business_user(env: &TestEnv) -> String {
    env.grpc()
        .users()
        .create_business_user(pb::CreateBusinessUserRequest {
            business_activity: Some(pb::BusinessActivity {
                business_nature: "Software".into(),
                business_type: "B2B".into(),
                industry_type: pb::IndustryType::Retail as i32,
                revenue_model: "Sales".into(),
                ..Default::default()
            }),
            company: None,
            additional: None,
        })
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap()
        .id
}

#[tokio::test]
async fn kyb_session_upload_list_and_submit() {
    let env = TestEnv::start().await;
    let uid = business_user(&env).await;
    let mut identity = env.grpc().identity();
    let session = identity
        .clone()
        .create_kyb_session(pb::CreateKybSessionRequest { uid: uid.clone() })
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    assert_eq!(session.state, pb::KybSessionState::Created as i32);
    assert!(session.documents.is_empty());
    assert!(session.created_at.is_some());

    let file = b"%PDF-1.4 articles of association".to_vec();
    let document = identity
        .clone()
        .upload_kyb_document(pb::UploadKybDocumentRequest {
            uid: uid.clone(),
            session_id: session.id.clone(),
            category: pb::KybDocumentCategory::CompanyInfo as i32,
            r#type: "ARTICLES_OF_ASSOCIATION".into(),
            file: file.clone(),
            file_name: "articles.pdf".into(),
            mime_type: "application/pdf".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .document
        .unwrap();
    assert_eq!(document.kyb_session_id, session.id);
    assert_eq!(
        document.category,
        pb::KybDocumentCategory::CompanyInfo as i32
    );
    assert_eq!(document.r#type, "ARTICLES_OF_ASSOCIATION");
    assert_eq!(document.file_name, "articles.pdf");
    assert_eq!(document.file_size, file.len() as i64);
    assert_eq!(document.mime_type, "application/pdf");
    assert_eq!(document.review_state, "PENDING");

    let sessions = identity
        .clone()
        .list_kyb_sessions(pb::ListKybSessionsRequest { uid: uid.clone() })
        .await
        .unwrap()
        .into_inner()
        .sessions;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].documents.len(), 1);
    assert_eq!(sessions[0].documents[0].id, document.id);

    let submitted = identity
        .clone()
        .submit_kyb_session(pb::SubmitKybSessionRequest {
            uid: uid.clone(),
            session_id: session.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    assert_eq!(submitted.state, pb::KybSessionState::Submitted as i32);

    // Submitting twice is a state-machine refusal (D3 INVALID_STATE → FAILED_PRECONDITION).
    assert_status(
        identity
            .clone()
            .submit_kyb_session(pb::SubmitKybSessionRequest {
                uid: uid.clone(),
                session_id: session.id.clone(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_STATE",
    );

    // Approval through the control API shows up in the list.
    env.control(
        &format!("/sandbox/v1/kyb-sessions/{}/approve", session.id),
        json!({}),
    )
    .await;
    let sessions = identity
        .list_kyb_sessions(pb::ListKybSessionsRequest { uid })
        .await
        .unwrap()
        .into_inner()
        .sessions;
    assert_eq!(sessions[0].state, pb::KybSessionState::Approved as i32);
}

#[tokio::test]
async fn identity_refusals_and_validation() {
    let env = TestEnv::start().await;
    let person = env.individual_user().await;
    let business = business_user(&env).await;
    let mut identity = env.grpc().identity();

    // KYB sessions exist only for business users (D15: 404 otherwise).
    assert_status(
        identity
            .clone()
            .create_kyb_session(pb::CreateKybSessionRequest {
                uid: person.id.clone(),
            })
            .await,
        Code::NotFound,
        "NOT_FOUND",
    );
    // IDV sessions only for individual and personal users (422 INVALID_STATE).
    assert_status(
        identity
            .clone()
            .create_idv_session(pb::CreateIdvSessionRequest { uid: business })
            .await,
        Code::FailedPrecondition,
        "INVALID_STATE",
    );
    // Gateway-side: malformed ids, missing category and file, all at once.
    let status = assert_status(
        identity
            .clone()
            .upload_kyb_document(pb::UploadKybDocumentRequest {
                uid: "nope".into(),
                session_id: String::new(),
                category: 0,
                r#type: "X".into(),
                file: Vec::new(),
                file_name: "a.pdf".into(),
                mime_type: String::new(),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        violation_fields(&status),
        ["uid", "session_id", "category", "file"]
    );
    let status = assert_status(
        identity
            .get_idv_session_checks(pb::GetIdvSessionChecksRequest {
                uid: person.id,
                session_id: "12345".into(),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["session_id"]);
}
