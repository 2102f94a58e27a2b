//! VibanService end to end: SEPA and ACH vIBANs through create, list, get, rename, deactivate,
//! plus the state-machine and rail refusals.

mod common;

use common::{TestEnv, assert_status, violation_fields};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

#[tokio::test]
async fn sepa_viban_lifecycle() {
    let env = TestEnv::start().await;
    let (uid, account) = env.user_with_account(pb::AccountCurrency::Eur).await;
    let mut vibans = env.grpc().vibans();
    let viban = vibans
        .create_viban(pb::CreateVibanRequest {
            uid: uid.clone(),
            aid: account.id.clone(),
            name: "Invoices".into(),
            rail: pb::VibanRail::Sepa as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert!(uuid::Uuid::parse_str(&viban.id).is_ok());
    assert_eq!(viban.account_id, account.id);
    assert_eq!(viban.name, "Invoices");
    assert_eq!(viban.rail, pb::VibanRail::Sepa as i32);
    // Auto-activate (D10); Spanish IBAN and the sandbox BIC (D15).
    assert_eq!(viban.state, pb::VibanState::Active as i32);
    assert!(
        viban.account_number.starts_with("ES"),
        "{}",
        viban.account_number
    );
    assert_eq!(viban.bic, "RALIESM2XXX");
    assert!(viban.created_at.is_some());

    let listed = vibans
        .list_vibans(pb::ListVibansRequest {
            uid: uid.clone(),
            aid: account.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .vibans;
    assert_eq!(listed, vec![viban.clone()]);

    let one = |viban_id: &str| pb::GetVibanRequest {
        uid: uid.clone(),
        aid: account.id.clone(),
        viban_id: viban_id.to_owned(),
    };
    let got = vibans
        .get_viban(one(&viban.id))
        .await
        .unwrap()
        .into_inner()
        .viban;
    assert_eq!(got.as_ref(), Some(&viban));

    let renamed = vibans
        .update_viban_alias(pb::UpdateVibanAliasRequest {
            uid: uid.clone(),
            aid: account.id.clone(),
            viban_id: viban.id.clone(),
            name: "Rent".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert_eq!(renamed.name, "Rent");

    let deactivated = vibans
        .deactivate_viban(pb::DeactivateVibanRequest {
            uid: uid.clone(),
            aid: account.id.clone(),
            viban_id: viban.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert_eq!(deactivated.state, pb::VibanState::Inactive as i32);
    // INACTIVE is final: a second deactivation is a failed precondition.
    assert_status(
        vibans
            .deactivate_viban(pb::DeactivateVibanRequest {
                uid: uid.clone(),
                aid: account.id.clone(),
                viban_id: viban.id.clone(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_STATE",
    );
    assert_status(
        vibans
            .get_viban(one(&uuid::Uuid::new_v4().to_string()))
            .await,
        Code::NotFound,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn ach_viban_on_a_usd_account_and_rail_refusals() {
    let env = TestEnv::start().await;
    let (uid, usd) = env.user_with_account(pb::AccountCurrency::Usd).await;
    let mut vibans = env.grpc().vibans();
    let ach = vibans
        .create_viban(pb::CreateVibanRequest {
            uid: uid.clone(),
            aid: usd.id.clone(),
            name: "US payers".into(),
            rail: pb::VibanRail::Ach as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert_eq!(ach.rail, pb::VibanRail::Ach as i32);
    assert_eq!(ach.account_number.len(), 12);
    assert_eq!(ach.routing_number, "011000015");
    assert_eq!(ach.aba_routing_code, "011000015");

    // SEPA on a USD account: RalioPay's 400 naming `rail`.
    let status = assert_status(
        vibans
            .create_viban(pb::CreateVibanRequest {
                uid: uid.clone(),
                aid: usd.id.clone(),
                name: "wrong".into(),
                rail: pb::VibanRail::Sepa as i32,
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["rail"]);
    // The gateway's own check: no rail, no name, bad ids.
    let status = assert_status(
        vibans
            .create_viban(pb::CreateVibanRequest {
                uid: uid.clone(),
                aid: "not-a-uuid".into(),
                name: String::new(),
                rail: 0,
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["aid", "name", "rail"]);
}

#[tokio::test]
async fn pending_vibans_cannot_be_deactivated_and_rejections_carry_a_reason() {
    let mut sandbox = ralio_sandbox::SandboxConfig::for_tests();
    sandbox.auto_activate.vibans = false;
    let env = TestEnv::start_with(common::EnvOptions {
        sandbox,
        ..Default::default()
    })
    .await;
    let (uid, account) = env.user_with_account(pb::AccountCurrency::Eur).await;
    let mut vibans = env.grpc().vibans();
    let create = || pb::CreateVibanRequest {
        uid: uid.clone(),
        aid: account.id.clone(),
        name: "pending".into(),
        rail: pb::VibanRail::Sepa as i32,
    };
    let pending = vibans
        .create_viban(create())
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert_eq!(pending.state, pb::VibanState::Pending as i32);
    assert_status(
        vibans
            .deactivate_viban(pb::DeactivateVibanRequest {
                uid: uid.clone(),
                aid: account.id.clone(),
                viban_id: pending.id.clone(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_STATE",
    );
    env.control(
        &format!("/sandbox/v1/virtual-ibans/{}/reject", pending.id),
        json!({"reason": "provider refused"}),
    )
    .await;
    let rejected = vibans
        .get_viban(pb::GetVibanRequest {
            uid: uid.clone(),
            aid: account.id.clone(),
            viban_id: pending.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .viban
        .unwrap();
    assert_eq!(rejected.state, pb::VibanState::Rejected as i32);
    assert_eq!(rejected.rejection_reason, "provider refused");
}
