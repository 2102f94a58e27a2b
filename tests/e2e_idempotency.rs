//! Idempotent replay of money movement through the real gateway and sandbox: concurrent
//! repeats of one payout create one order, a reused key with another request is refused, and
//! the record survives a gateway restart on the same data directory.

mod common;

use common::{MERCHANT_EUR, MERCHANT_USER, TestEnv, assert_status, with_metadata};
use futures::future::join_all;
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

const REPEATS: usize = 100;

fn payout(amount: i64) -> pb::CreateBankPayoutRequest {
    pb::CreateBankPayoutRequest {
        uid: MERCHANT_USER.into(),
        aid: MERCHANT_EUR.into(),
        amounts: Some(pb::PayoutAmounts {
            debited_amount: Some(pb::Money {
                currency: "EUR".into(),
                amount,
            }),
            received_amount: None,
        }),
        description: "idempotent payout".into(),
        own_reference: "IDEM-1".into(),
        recipient: Some(pb::BankPayoutRecipient {
            beneficiary_type: pb::BeneficiaryType::Person as i32,
            account_number: "ES9121000418450200051332".into(),
            routing_type: pb::RoutingType::Iban as i32,
            name: "Ana".into(),
            surname: "Ruiz".into(),
            relation: "FRIEND".into(),
            document: Some(pb::PayoutDocument {
                document_type: pb::PayoutDocumentType::NationalId as i32,
                number: "12345678Z".into(),
            }),
            address: Some(pb::PostalAddress {
                line1: "Calle Mayor 1".into(),
                city: "Madrid".into(),
                country: "ES".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        quote_id: String::new(),
    }
}

/// Bank payouts of the merchant's EUR account, counted by the sandbox's own order list.
async fn bank_payouts_in_sandbox(env: &TestEnv) -> Vec<pb::Order> {
    env.grpc()
        .orders()
        .list_account_orders(pb::ListAccountOrdersRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            page: Some(pb::PageRequest {
                page: 1,
                page_size: 100,
            }),
            query: None,
            filter: Some(pb::OrderListFilter {
                r#type: pb::OrderType::BankPayOut as i32,
                ..Default::default()
            }),
        })
        .await
        .expect("list orders")
        .into_inner()
        .orders
}

#[tokio::test]
async fn concurrent_repeats_create_one_payout_and_survive_a_restart() {
    let mut env = TestEnv::start().await;
    env.control(
        &format!("/sandbox/v1/accounts/{MERCHANT_EUR}/payins"),
        json!({"method": "BANK", "amount": 1_000_000, "currency": "EUR"}),
    )
    .await;
    let key = format!("payout-{}", uuid::Uuid::new_v4());

    // 100 concurrent calls with one key over one HTTP/2 connection.
    let payouts = env.grpc().payouts();
    let calls = (0..REPEATS).map(|_| {
        let mut client = payouts.clone();
        let request = with_metadata(payout(2_500), &[("idempotency-key", key.as_str())]);
        async move { client.create_bank_payout(request).await }
    });
    let responses: Vec<pb::CreateBankPayoutResponse> = join_all(calls)
        .await
        .into_iter()
        .map(|result| result.expect("every repeat succeeds").into_inner())
        .collect();
    assert_eq!(responses.len(), REPEATS);
    let first = responses[0].clone();
    assert!(responses.iter().all(|response| *response == first));
    let order_id = first
        .payout
        .as_ref()
        .and_then(|payout| payout.order.as_ref())
        .map(|order| order.id.clone())
        .expect("order in response");

    let orders = bank_payouts_in_sandbox(&env).await;
    assert_eq!(
        orders.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [order_id.as_str()],
        "exactly one order in the sandbox"
    );

    // Same key, different request: refused, nothing created.
    assert_status(
        env.grpc()
            .payouts()
            .create_bank_payout(with_metadata(
                payout(9_999),
                &[("idempotency-key", key.as_str())],
            ))
            .await,
        Code::FailedPrecondition,
        "IDEMPOTENCY_KEY_REUSED",
    );
    // Without a key the same request is a new payout (the gateway adds no implicit dedup).
    let other = env
        .grpc()
        .payouts()
        .create_bank_payout(payout(2_500))
        .await
        .expect("unkeyed payout")
        .into_inner();
    assert_ne!(other, first);
    assert_eq!(bank_payouts_in_sandbox(&env).await.len(), 2);

    // After a restart on the same data directory the record answers the repeat.
    env.restart_gateway().await;
    let replayed = env
        .grpc()
        .payouts()
        .create_bank_payout(with_metadata(
            payout(2_500),
            &[("idempotency-key", key.as_str())],
        ))
        .await
        .expect("replay after restart")
        .into_inner();
    assert_eq!(replayed, first);
    assert_eq!(bank_payouts_in_sandbox(&env).await.len(), 2);
}

#[tokio::test]
async fn otp_validation_and_failures_are_replayed_too() {
    let env = TestEnv::start().await;
    env.control(
        &format!("/sandbox/v1/accounts/{MERCHANT_EUR}/payins"),
        json!({"method": "BANK", "amount": 100_000, "currency": "EUR"}),
    )
    .await;
    let payouts = env.grpc().payouts();
    let created = payouts
        .clone()
        .create_bank_payout(payout(1_000))
        .await
        .expect("create")
        .into_inner();
    let oid = created
        .payout
        .and_then(|p| p.order)
        .map(|o| o.id)
        .expect("order id");

    // A validated OTP repeated with its key answers the first outcome instead of
    // RalioPay's INVALID_STATE for a second validation.
    let validate = |code: &str, key: &str| {
        with_metadata(
            pb::ValidateBankPayoutOtpRequest {
                oid: oid.clone(),
                code: code.into(),
            },
            &[("idempotency-key", key)],
        )
    };
    let first = payouts
        .clone()
        .validate_bank_payout_otp(validate(common::OTP, "otp-1"))
        .await
        .expect("validate")
        .into_inner();
    let again = payouts
        .clone()
        .validate_bank_payout_otp(validate(common::OTP, "otp-1"))
        .await
        .expect("replayed validation")
        .into_inner();
    assert_eq!(first, again);

    // A definitive failure (insufficient funds) is stored and replayed as the same status.
    let key = [("idempotency-key", "too-big")];
    for _ in 0..2 {
        assert_status(
            payouts
                .clone()
                .create_bank_payout(with_metadata(payout(50_000_000), &key))
                .await,
            Code::FailedPrecondition,
            "INSUFFICIENT_FUNDS",
        );
    }
    // A malformed key is refused before anything happens.
    assert_status(
        payouts
            .clone()
            .create_bank_payout(with_metadata(payout(1_000), &[("idempotency-key", "a b")]))
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    // A request the gateway refuses does not use up its key (D27): the fixed request may
    // still use it.
    let reused = [("idempotency-key", "fix-and-retry")];
    assert_status(
        payouts
            .clone()
            .create_bank_payout(with_metadata(payout(-1), &reused))
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    payouts
        .clone()
        .create_bank_payout(with_metadata(payout(1_000), &reused))
        .await
        .expect("the key is still free");
    assert_eq!(bank_payouts_in_sandbox(&env).await.len(), 2);
}

#[tokio::test]
async fn a_key_whose_upstream_outcome_is_unknown_is_never_sent_twice() {
    let env = TestEnv::start().await;
    env.control(
        &format!("/sandbox/v1/accounts/{MERCHANT_EUR}/payins"),
        json!({"method": "BANK", "amount": 100_000, "currency": "EUR"}),
    )
    .await;
    let payouts = env.grpc().payouts();
    let key = [("idempotency-key", "unknown-outcome")];

    // RalioPay answers 500: the payout may or may not exist, and the caller is told so.
    env.set_faults(
        json!({"route": "/api/v1/account/users/*/accounts/*/bank-payouts", "errorStatus": 500}),
    )
    .await;
    let first = payouts
        .clone()
        .create_bank_payout(with_metadata(payout(1_000), &key))
        .await
        .expect_err("the sandbox failed the call");
    assert_eq!(first.code(), Code::Unavailable, "{first:?}");
    assert!(
        ralio_gateway::status::is_outcome_unknown(&first),
        "a 500 after a write must be flagged as an unknown outcome: {first:?}"
    );
    env.clear_faults().await;

    // The repeat is not sent again (it could move money twice): it is refused with a reason
    // that tells the caller to look the payout up first.
    for _ in 0..2 {
        assert_status(
            payouts
                .clone()
                .create_bank_payout(with_metadata(payout(1_000), &key))
                .await,
            Code::Aborted,
            "IDEMPOTENCY_OUTCOME_UNKNOWN",
        );
    }
    assert!(bank_payouts_in_sandbox(&env).await.is_empty());

    // A fresh key is a new request and goes through.
    payouts
        .clone()
        .create_bank_payout(with_metadata(
            payout(1_000),
            &[("idempotency-key", "fresh")],
        ))
        .await
        .expect("a new key is a new payout");
    assert_eq!(bank_payouts_in_sandbox(&env).await.len(), 1);
}
