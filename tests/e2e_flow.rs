//! The seed's whole integration flow through the gateway, against the real sandbox: create a
//! user → IDV session → approve (control API) → accounts → payin (control API) → transfer →
//! bank payout with OTP → orders → ledger, checking that balances reconcile (spec/NOTES.md D8).

mod common;

use common::{OTP, TestEnv, with_metadata};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;

fn eur(amount: i64) -> Option<pb::Money> {
    Some(pb::Money {
        currency: "EUR".into(),
        amount,
    })
}

async fn account(env: &TestEnv, uid: &str, aid: &str) -> pb::Account {
    env.grpc()
        .accounts()
        .get_user_account(pb::GetUserAccountRequest {
            uid: uid.into(),
            aid: aid.into(),
        })
        .await
        .expect("get account")
        .into_inner()
        .account
        .expect("account")
}

async fn ledger(env: &TestEnv, uid: &str, aid: &str) -> Vec<pb::Transaction> {
    env.grpc()
        .transactions()
        .list_transactions(pb::ListTransactionsRequest {
            uid: uid.into(),
            aid: aid.into(),
            query: Some(pb::ListQuery {
                sort: vec![pb::SortField {
                    field: "created_at".into(),
                    direction: pb::SortDirection::Asc as i32,
                }],
                ..Default::default()
            }),
        })
        .await
        .expect("list transactions")
        .into_inner()
        .transactions
}

/// D8's invariant for one account: balance = sum of its ledger, each running balance the
/// balance right after its transaction.
fn assert_reconciles(account: &pb::Account, ledger: &[pb::Transaction]) {
    let mut running = 0;
    for transaction in ledger {
        running += transaction.amount;
        assert_eq!(transaction.running_balance, running, "{transaction:?}");
    }
    assert_eq!(account.balance, running, "balance of {}", account.id);
}

#[tokio::test]
async fn user_to_payout_flow_reconciles() {
    let env = TestEnv::start().await;
    let grpc = env.grpc();

    // 1. A user, verified through an IDV session approved in the sandbox portal.
    let user = env.individual_user().await;
    let uid = user.id.clone();
    let session = grpc
        .identity()
        .create_idv_session(pb::CreateIdvSessionRequest { uid: uid.clone() })
        .await
        .expect("create IDV session")
        .into_inner()
        .session
        .expect("session");
    env.approve_idv(&session.id).await;

    // 2. Two EUR accounts (ACTIVE at once, D10).
    let mut ids = Vec::new();
    for alias in ["main", "savings"] {
        let created = grpc
            .accounts()
            .create_user_account(pb::CreateUserAccountRequest {
                uid: uid.clone(),
                alias: alias.into(),
                currency: pb::AccountCurrency::Eur as i32,
            })
            .await
            .expect("create account")
            .into_inner()
            .account
            .expect("account");
        assert_eq!(created.state, pb::AccountState::Active as i32);
        ids.push(created.id);
    }
    let (main, savings) = (ids[0].clone(), ids[1].clone());

    // 3. A bank payin of 1 000.00 EUR arrives (control API); 1% fee (D7) → 990.00 credited.
    let payin = env
        .control(
            &format!("/sandbox/v1/accounts/{main}/payins"),
            json!({"method": "BANK", "amount": 100_000, "currency": "EUR", "reference": "SALARY"}),
        )
        .await;
    let payin_id = payin["id"].as_str().expect("payin id").to_owned();
    let bank_payin = grpc
        .payins()
        .get_bank_payin(pb::GetBankPayinRequest {
            oid: payin_id.clone(),
        })
        .await
        .expect("get bank payin")
        .into_inner()
        .bank_payin
        .expect("bank payin");
    assert_eq!(bank_payin.recipient.expect("recipient").account_id, main);
    assert_eq!(account(&env, &uid, &main).await.balance, 99_000);

    // 4. Transfer 200.00 EUR to the savings account (settles at once, no fee).
    let transfer = grpc
        .transfers()
        .create_transfer(with_metadata(
            pb::CreateTransferRequest {
                uid: uid.clone(),
                aid: main.clone(),
                origin: eur(20_000),
                recipient: Some(pb::AccountRef {
                    account_id: savings.clone(),
                }),
                reference: "TO-SAVINGS".into(),
                code2fa: OTP.into(),
                quote_id: String::new(),
            },
            &[("idempotency-key", "flow-transfer-1")],
        ))
        .await
        .expect("create transfer")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(transfer.state, pb::OrderState::Settled as i32);

    // 5. Bank payout of 100.00 EUR: CREATED with the money reserved (amount + 1.00 fee), then
    //    released by the OTP.
    let payout = grpc
        .payouts()
        .create_bank_payout(with_metadata(
            pb::CreateBankPayoutRequest {
                uid: uid.clone(),
                aid: main.clone(),
                amounts: Some(pb::PayoutAmounts {
                    debited_amount: eur(10_000),
                    received_amount: eur(0),
                }),
                description: "rent".into(),
                own_reference: "RENT-1".into(),
                recipient: Some(pb::BankPayoutRecipient {
                    beneficiary_type: pb::BeneficiaryType::Person as i32,
                    account_number: "ES9121000418450200051332".into(),
                    routing_type: pb::RoutingType::Iban as i32,
                    name: "Grace".into(),
                    surname: "Hopper".into(),
                    relation: "FRIEND".into(),
                    document: Some(pb::PayoutDocument {
                        document_type: pb::PayoutDocumentType::Passport as i32,
                        number: "P1234567".into(),
                    }),
                    address: Some(pb::PostalAddress {
                        line1: "Gran Via 1".into(),
                        city: "Madrid".into(),
                        country: "ES".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                quote_id: String::new(),
            },
            &[("idempotency-key", "flow-payout-1")],
        ))
        .await
        .expect("create bank payout")
        .into_inner()
        .payout
        .expect("payout");
    assert!(payout.is_otp_required);
    let payout_order = payout.order.expect("order");
    assert_eq!(payout_order.state, pb::OrderState::Created as i32);
    let reserved = account(&env, &uid, &main).await;
    assert_eq!(reserved.balance, 79_000);
    assert_eq!(reserved.pending_out, 10_100);

    grpc.payouts()
        .send_otp(pb::SendOtpRequest {
            order_id: payout_order.id.clone(),
            phone_number: "600000000".into(),
            phone_number_country: "+34".into(),
        })
        .await
        .expect("send OTP");
    let validated = grpc
        .payouts()
        .validate_bank_payout_otp(pb::ValidateBankPayoutOtpRequest {
            oid: payout_order.id.clone(),
            code: OTP.into(),
        })
        .await
        .expect("validate OTP")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(validated.state, pb::OrderState::Settled as i32);

    // 6. Orders: the merchant's view filtered by kind and state, the account's by direction.
    let settled_payouts = grpc
        .orders()
        .list_merchant_orders(pb::ListMerchantOrdersRequest {
            filter: Some(pb::OrderListFilter {
                state: pb::OrderState::Settled as i32,
                r#type: pb::OrderType::BankPayOut as i32,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("merchant orders")
        .into_inner();
    assert_eq!(
        settled_payouts
            .orders
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        [payout_order.id.as_str()]
    );
    assert_eq!(settled_payouts.pagination.expect("pagination").total, 1);
    let outgoing = grpc
        .orders()
        .list_account_orders(pb::ListAccountOrdersRequest {
            uid: uid.clone(),
            aid: main.clone(),
            page: None,
            query: Some(pb::ListQuery {
                sort: vec![pb::SortField {
                    field: "createdAt".into(),
                    direction: pb::SortDirection::Asc as i32,
                }],
                ..Default::default()
            }),
            filter: Some(pb::OrderListFilter {
                direction: pb::OrderDirection::Out as i32,
                ..Default::default()
            }),
        })
        .await
        .expect("account orders")
        .into_inner()
        .orders;
    assert_eq!(
        outgoing.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [transfer.id.as_str(), payout_order.id.as_str()]
    );
    let order = grpc
        .orders()
        .get_order(pb::GetOrderRequest {
            oid: payout_order.id.clone(),
        })
        .await
        .expect("get order")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(order.r#type, pb::OrderType::BankPayOut as i32);
    assert_eq!(order.origin, eur(10_000));
    assert_eq!(order.fee.expect("fee").amount, 100);
    assert!(order.validated_at.is_some() && order.settled_at.is_some());

    // 7. Ledger: one signed transaction per settled order, and the balances reconcile.
    let main_ledger = ledger(&env, &uid, &main).await;
    assert_eq!(
        main_ledger.iter().map(|t| t.amount).collect::<Vec<_>>(),
        [99_000, -20_000, -10_100]
    );
    let main_account = account(&env, &uid, &main).await;
    assert_reconciles(&main_account, &main_ledger);
    assert_eq!(main_account.balance, 68_900);
    assert_eq!((main_account.pending_in, main_account.pending_out), (0, 0));

    let savings_ledger = ledger(&env, &uid, &savings).await;
    let savings_account = account(&env, &uid, &savings).await;
    assert_reconciles(&savings_account, &savings_ledger);
    assert_eq!(savings_account.balance, 20_000);

    let payout_entry = grpc
        .transactions()
        .get_transaction(pb::GetTransactionRequest {
            uid: uid.clone(),
            aid: main.clone(),
            tid: main_ledger[2].id.clone(),
        })
        .await
        .expect("get transaction")
        .into_inner()
        .transaction
        .expect("transaction");
    assert_eq!(payout_entry.amount, -10_100);
    assert_eq!(payout_entry.running_balance, 68_900);
    assert_eq!(payout_entry.order.expect("order").id, payout_order.id);
}
