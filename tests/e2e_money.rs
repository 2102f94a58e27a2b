//! Every RPC of the money services (payins, transfers, payouts + OTP, orders, transactions)
//! through the real gateway against the real sandbox, and their error mappings.
//!
//! The tests use the sandbox's seeded merchant (spec/NOTES.md D15: REGULAR user, ACTIVE EUR
//! and USD accounts), funded through the sandbox control API.

mod common;

use common::{
    MERCHANT_EUR, MERCHANT_USD, MERCHANT_USER, OTP, TOKEN_READ, TestEnv, assert_status,
    violation_fields,
};
use ralio_gateway::proto::ralio::v1 as pb;
use serde_json::json;
use tonic::Code;

fn money(currency: &str, amount: i64) -> Option<pb::Money> {
    Some(pb::Money {
        currency: currency.into(),
        amount,
    })
}

/// Credits `aid` with a settled bank (or crypto) payin through the control API; returns the
/// order id.
async fn fund(env: &TestEnv, aid: &str, method: &str, currency: &str, amount: i64) -> String {
    let order = env
        .control(
            &format!("/sandbox/v1/accounts/{aid}/payins"),
            json!({"method": method, "amount": amount, "currency": currency}),
        )
        .await;
    order["id"].as_str().expect("order id").to_owned()
}

fn bank_payout(aid: &str, amount: i64, own_reference: &str) -> pb::CreateBankPayoutRequest {
    pb::CreateBankPayoutRequest {
        uid: MERCHANT_USER.into(),
        aid: aid.into(),
        amounts: Some(pb::PayoutAmounts {
            debited_amount: money("EUR", amount),
            received_amount: money("EUR", 0),
        }),
        description: "supplier invoice".into(),
        own_reference: own_reference.into(),
        recipient: Some(pb::BankPayoutRecipient {
            beneficiary_type: pb::BeneficiaryType::Business as i32,
            account_number: "ES9121000418450200051332".into(),
            routing_type: pb::RoutingType::Iban as i32,
            swift: "CAIXESBBXXX".into(),
            company_name: "Proveedor SL".into(),
            document: Some(pb::PayoutDocument {
                document_type: pb::PayoutDocumentType::TaxId as i32,
                number: "B12345678".into(),
            }),
            address: Some(pb::PostalAddress {
                line1: "Calle Mayor 1".into(),
                city: "Madrid".into(),
                postal_code: "28013".into(),
                country: "ES".into(),
                ..Default::default()
            }),
            contact: Some(pb::BeneficiaryContact {
                phone: "+34600000001".into(),
                ..Default::default()
            }),
            ..Default::default()
        }),
        quote_id: String::new(),
    }
}

fn order_of(order: Option<pb::Order>) -> pb::Order {
    order.expect("order in response")
}

#[tokio::test]
async fn payins_card_bank_and_crypto() {
    let env = TestEnv::start().await;
    let payins = env.grpc().payins();

    // Card payin: created PENDING with a hosted page, settled through the control API.
    let created = payins
        .clone()
        .create_card_payin(pb::CreateCardPayinRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            amount: 10_000,
            currency: pb::AccountCurrency::Eur as i32,
            reference: "CARD-1".into(),
            url_success: "https://shop.example/ok".into(),
            url_failed: "https://shop.example/ko".into(),
            payer: Some(pb::Payer {
                name: "Ana".into(),
                surname: "Ruiz".into(),
                email: "ana@example.com".into(),
                birthdate: "1990-02-03".into(),
                document_type: pb::IdentityDocumentType::Passport as i32,
                document_number: "X1234567".into(),
                country: "ES".into(),
                ..Default::default()
            }),
        })
        .await
        .expect("create card payin")
        .into_inner()
        .card_payin
        .expect("card payin");
    assert!(!created.payment_url.is_empty());
    let order = order_of(created.order);
    assert_eq!(order.r#type, pb::OrderType::CardPayIn as i32);
    assert_eq!(order.state, pb::OrderState::Pending as i32);
    assert_eq!(order.reference, "CARD-1");
    assert!(order.created_at.is_some());

    env.control(
        &format!("/sandbox/v1/orders/{}/settle", order.id),
        json!({}),
    )
    .await;
    let card = payins
        .clone()
        .get_card_payin(pb::GetCardPayinRequest {
            oid: order.id.clone(),
        })
        .await
        .expect("get card payin")
        .into_inner()
        .card_payin
        .expect("card payin");
    let card_order = order_of(card.order);
    assert_eq!(card_order.state, pb::OrderState::Settled as i32);
    assert!(card_order.settled_at.is_some());
    // D7: 1% fee, D22: destination is the net credit.
    assert_eq!(card_order.origin, money("EUR", 10_000));
    assert_eq!(card_order.destination, money("EUR", 9_900));
    assert_eq!(card_order.fee.expect("fee").amount, 100);
    assert_eq!(card.recipient.expect("recipient").account_id, MERCHANT_EUR);
    let payer = card.payer.expect("payer");
    assert_eq!(payer.name, "Ana");
    assert_eq!(
        payer.document_type,
        pb::IdentityDocumentType::Passport as i32
    );

    // Bank payin (arrives from outside: control API) read through the gateway.
    let bank_id = fund(&env, MERCHANT_EUR, "BANK", "EUR", 5_000).await;
    let bank = payins
        .clone()
        .get_bank_payin(pb::GetBankPayinRequest {
            oid: bank_id.clone(),
        })
        .await
        .expect("get bank payin")
        .into_inner()
        .bank_payin
        .expect("bank payin");
    let bank_order = order_of(bank.order);
    assert_eq!(bank_order.id, bank_id);
    assert_eq!(bank_order.r#type, pb::OrderType::BankPayIn as i32);
    assert_eq!(bank_order.state, pb::OrderState::Settled as i32);
    assert!(!bank.sender.expect("sender").account_number.is_empty());

    // Crypto payin in USDT to the USD account (D22: converted, 1:1 peg).
    let crypto_id = fund(&env, MERCHANT_USD, "CRYPTO", "USDT", 5_000_000).await;
    let crypto = payins
        .clone()
        .get_crypto_payin(pb::GetCryptoPayinRequest {
            oid: crypto_id.clone(),
        })
        .await
        .expect("get crypto payin")
        .into_inner()
        .crypto_payin
        .expect("crypto payin");
    let crypto_order = order_of(crypto.order);
    assert_eq!(crypto_order.r#type, pb::OrderType::CryptoPayIn as i32);
    assert_eq!(crypto_order.origin, money("USDT", 5_000_000));
    assert_eq!(crypto_order.destination, money("USD", 495));
    assert!(!crypto.sender.expect("sender").tx_hash.is_empty());

    // A card payin id is not a bank payin.
    let wrong = payins
        .clone()
        .get_bank_payin(pb::GetBankPayinRequest { oid: order.id })
        .await;
    assert_eq!(wrong.expect_err("not a bank payin").code(), Code::NotFound);
    // A malformed id never reaches RalioPay.
    let status = assert_status(
        payins
            .clone()
            .get_crypto_payin(pb::GetCryptoPayinRequest { oid: "42".into() })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["oid"]);
}

#[tokio::test]
async fn transfers_with_a_quote() {
    let env = TestEnv::start().await;
    fund(&env, MERCHANT_EUR, "BANK", "EUR", 100_000).await; // 99 000 net
    let transfers = env.grpc().transfers();

    let quote = transfers
        .clone()
        .simulate_transfer(pb::SimulateTransferRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            origin: money("EUR", 10_000),
            recipient: Some(pb::AccountRef {
                account_id: MERCHANT_USD.into(),
            }),
        })
        .await
        .expect("simulate transfer")
        .into_inner()
        .quote
        .expect("quote");
    // D6: EUR/USD 1.085, rounded down, the rate's digits kept as a string.
    assert_eq!(quote.origin, money("EUR", 10_000));
    assert_eq!(quote.destination, money("USD", 10_850));
    assert!(quote.rate.starts_with("1.085"), "{}", quote.rate);
    assert!(!quote.quote_id.is_empty());
    assert!(quote.valid_until.is_some());

    let order = transfers
        .clone()
        .create_transfer(pb::CreateTransferRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            origin: money("EUR", 10_000),
            recipient: Some(pb::AccountRef {
                account_id: MERCHANT_USD.into(),
            }),
            reference: "FX-1".into(),
            code2fa: OTP.into(),
            quote_id: quote.quote_id.clone(),
        })
        .await
        .expect("create transfer")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(order.r#type, pb::OrderType::Transfer as i32);
    assert_eq!(order.destination, money("USD", 10_850));

    let transfer = transfers
        .clone()
        .get_transfer(pb::GetTransferRequest {
            oid: order.id.clone(),
        })
        .await
        .expect("get transfer")
        .into_inner()
        .transfer
        .expect("transfer");
    assert_eq!(
        order_of(transfer.order).state,
        pb::OrderState::Settled as i32
    );
    assert_eq!(transfer.sender.expect("sender").account_id, MERCHANT_EUR);
    assert_eq!(
        transfer.recipient.expect("recipient").account_id,
        MERCHANT_USD
    );

    // Wrong 2FA code: RalioPay's INVALID_OTP as FAILED_PRECONDITION.
    let mut wrong_code = pb::CreateTransferRequest {
        uid: MERCHANT_USER.into(),
        aid: MERCHANT_EUR.into(),
        origin: money("EUR", 100),
        recipient: Some(pb::AccountRef {
            account_id: MERCHANT_USD.into(),
        }),
        reference: "FX-2".into(),
        code2fa: "000000".into(),
        quote_id: String::new(),
    };
    assert_status(
        transfers.clone().create_transfer(wrong_code.clone()).await,
        Code::FailedPrecondition,
        "INVALID_OTP",
    );

    // More than the available balance: nothing is created (D8).
    wrong_code.code2fa = OTP.into();
    wrong_code.origin = money("EUR", 10_000_000);
    assert_status(
        transfers.clone().create_transfer(wrong_code.clone()).await,
        Code::FailedPrecondition,
        "INSUFFICIENT_FUNDS",
    );

    // Non-positive amounts are refused by the gateway, naming the proto field.
    wrong_code.origin = money("EUR", 0);
    let status = assert_status(
        transfers.clone().create_transfer(wrong_code.clone()).await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["origin.amount"]);
    wrong_code.origin = money("", -5);
    let status = assert_status(
        transfers
            .clone()
            .simulate_transfer(pb::SimulateTransferRequest {
                uid: MERCHANT_USER.into(),
                aid: MERCHANT_EUR.into(),
                origin: wrong_code.origin.clone(),
                recipient: None,
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        violation_fields(&status),
        ["origin.currency", "origin.amount", "recipient"]
    );
}

#[tokio::test]
async fn bank_and_crypto_payouts_with_otp() {
    let env = TestEnv::start().await;
    fund(&env, MERCHANT_EUR, "BANK", "EUR", 100_000).await; // 99 000 net
    fund(&env, MERCHANT_USD, "BANK", "USD", 100_000).await; // 99 000 net
    let payouts = env.grpc().payouts();

    let quote = payouts
        .clone()
        .simulate_bank_payout(pb::SimulateBankPayoutRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            amounts: Some(pb::PayoutAmounts {
                debited_amount: money("EUR", 20_000),
                received_amount: money("USD", 0),
            }),
            recipient: Some(pb::BankPayoutSimulateRecipient {
                country: "US".into(),
                routing_type: pb::RoutingType::Swift as i32,
            }),
        })
        .await
        .expect("simulate bank payout")
        .into_inner()
        .quote
        .expect("quote");
    assert_eq!(quote.origin, money("EUR", 20_000));
    assert_eq!(quote.destination, money("USD", 21_700));

    // Bank payout: CREATED awaiting OTP, money reserved.
    let created = payouts
        .clone()
        .create_bank_payout(bank_payout(MERCHANT_EUR, 20_000, "PO-1"))
        .await
        .expect("create bank payout")
        .into_inner()
        .payout
        .expect("payout");
    assert!(created.is_otp_required);
    let order = order_of(created.order);
    assert_eq!(order.state, pb::OrderState::Created as i32);
    assert_eq!(order.r#type, pb::OrderType::BankPayOut as i32);
    assert_eq!(order.fee.clone().expect("fee").amount, 100);

    let otp = payouts
        .clone()
        .send_otp(pb::SendOtpRequest {
            order_id: order.id.clone(),
            phone_number: "600000001".into(),
            phone_number_country: "+34".into(),
        })
        .await
        .expect("send OTP")
        .into_inner()
        .otp
        .expect("otp");
    assert!(otp.expires_at.is_some());

    assert_status(
        payouts
            .clone()
            .validate_bank_payout_otp(pb::ValidateBankPayoutOtpRequest {
                oid: order.id.clone(),
                code: "999999".into(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_OTP",
    );
    let validated = payouts
        .clone()
        .validate_bank_payout_otp(pb::ValidateBankPayoutOtpRequest {
            oid: order.id.clone(),
            code: OTP.into(),
        })
        .await
        .expect("validate OTP")
        .into_inner()
        .order
        .expect("order");
    assert!(validated.validated_at.is_some());
    // Auto-settle (D9): settled at once.
    assert_eq!(validated.state, pb::OrderState::Settled as i32);
    // Validating a settled payout again is a state error.
    assert_status(
        payouts
            .clone()
            .validate_bank_payout_otp(pb::ValidateBankPayoutOtpRequest {
                oid: order.id.clone(),
                code: OTP.into(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_STATE",
    );

    let bank = payouts
        .clone()
        .get_bank_payout(pb::GetBankPayoutRequest {
            oid: order.id.clone(),
        })
        .await
        .expect("get bank payout")
        .into_inner()
        .bank_payout
        .expect("bank payout");
    assert_eq!(bank.description, "supplier invoice");
    assert_eq!(bank.sender.expect("sender").account_id, MERCHANT_EUR);
    let recipient = bank.recipient.expect("recipient");
    assert_eq!(recipient.account_number, "ES9121000418450200051332");
    assert_eq!(
        recipient.beneficiary_type,
        pb::BeneficiaryType::Business as i32
    );

    // Crypto payout from the USD account, delivered in USDT on Solana.
    let created = payouts
        .clone()
        .create_crypto_payout(pb::CreateCryptoPayoutRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_USD.into(),
            amounts: Some(pb::PayoutAmounts {
                debited_amount: money("USD", 1_000),
                received_amount: money("USDT", 0),
            }),
            description: "treasury".into(),
            own_reference: "CPO-1".into(),
            recipient: Some(pb::CryptoPayoutRecipient {
                address: "So1anaAddre55".into(),
                currency: pb::Currency::Usdt as i32,
                network: pb::CryptoNetwork::Solana as i32,
            }),
        })
        .await
        .expect("create crypto payout")
        .into_inner()
        .payout
        .expect("payout");
    assert!(created.is_otp_required);
    let crypto_order = order_of(created.order);
    assert_eq!(crypto_order.r#type, pb::OrderType::CryptoPayOut as i32);
    assert_status(
        payouts
            .clone()
            .validate_crypto_payout_otp(pb::ValidateCryptoPayoutOtpRequest {
                oid: crypto_order.id.clone(),
                code: "111111".into(),
            })
            .await,
        Code::FailedPrecondition,
        "INVALID_OTP",
    );
    let validated = payouts
        .clone()
        .validate_crypto_payout_otp(pb::ValidateCryptoPayoutOtpRequest {
            oid: crypto_order.id.clone(),
            code: OTP.into(),
        })
        .await
        .expect("validate crypto OTP")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(validated.state, pb::OrderState::Settled as i32);
    let crypto = payouts
        .clone()
        .get_crypto_payout(pb::GetCryptoPayoutRequest {
            oid: crypto_order.id.clone(),
        })
        .await
        .expect("get crypto payout")
        .into_inner()
        .crypto_payout
        .expect("crypto payout");
    let recipient = crypto.recipient.expect("recipient");
    assert_eq!(recipient.address, "So1anaAddre55");
    assert_eq!(recipient.network, pb::CryptoNetwork::Solana as i32);
    assert_eq!(recipient.currency, "USDT");
    assert_eq!(
        order_of(crypto.order).destination,
        money("USDT", 10_000_000)
    );
    assert_eq!(crypto.sender.expect("sender").account_id, MERCHANT_USD);

    // Insufficient funds: FAILED_PRECONDITION with RalioPay's code, nothing created.
    assert_status(
        payouts
            .clone()
            .create_bank_payout(bank_payout(MERCHANT_EUR, 90_000_000, "PO-BIG"))
            .await,
        Code::FailedPrecondition,
        "INSUFFICIENT_FUNDS",
    );

    // Invalid amounts are refused by the gateway, naming the proto field.
    for (amounts, field) in [
        (
            pb::PayoutAmounts {
                debited_amount: money("EUR", -1),
                received_amount: None,
            },
            "amounts.debited_amount.amount",
        ),
        (
            pb::PayoutAmounts {
                debited_amount: money("EUR", 0),
                received_amount: money("EUR", 0),
            },
            "amounts.debited_amount.amount",
        ),
        (
            pb::PayoutAmounts {
                debited_amount: money("", 500),
                received_amount: None,
            },
            "amounts.debited_amount.currency",
        ),
    ] {
        let mut request = bank_payout(MERCHANT_EUR, 1, "PO-BAD");
        request.amounts = Some(amounts);
        let status = assert_status(
            payouts.clone().create_bank_payout(request).await,
            Code::InvalidArgument,
            "VALIDATION_ERROR",
        );
        assert_eq!(violation_fields(&status), [field]);
    }
}

#[tokio::test]
async fn money_movement_needs_the_money_move_scope() {
    let env = TestEnv::start().await;
    fund(&env, MERCHANT_EUR, "BANK", "EUR", 100_000).await;
    let reader = env.grpc_as(TOKEN_READ);

    assert_status(
        reader
            .payouts()
            .create_bank_payout(bank_payout(MERCHANT_EUR, 1_000, "PO-R"))
            .await,
        Code::PermissionDenied,
        "MISSING_SCOPE",
    );
    assert_status(
        reader
            .transfers()
            .create_transfer(pb::CreateTransferRequest {
                uid: MERCHANT_USER.into(),
                aid: MERCHANT_EUR.into(),
                origin: money("EUR", 100),
                recipient: Some(pb::AccountRef {
                    account_id: MERCHANT_USD.into(),
                }),
                reference: "R".into(),
                code2fa: OTP.into(),
                quote_id: String::new(),
            })
            .await,
        Code::PermissionDenied,
        "MISSING_SCOPE",
    );
    assert_status(
        reader
            .payouts()
            .send_otp(pb::SendOtpRequest {
                order_id: MERCHANT_EUR.into(),
                phone_number: "1".into(),
                phone_number_country: "+34".into(),
            })
            .await,
        Code::PermissionDenied,
        "MISSING_SCOPE",
    );
    assert_status(
        reader
            .payins()
            .create_card_payin(pb::CreateCardPayinRequest::default())
            .await,
        Code::PermissionDenied,
        "MISSING_SCOPE",
    );
    for validate in [
        reader
            .payouts()
            .validate_bank_payout_otp(pb::ValidateBankPayoutOtpRequest {
                oid: MERCHANT_EUR.into(),
                code: OTP.into(),
            })
            .await
            .map(|_| ()),
        reader
            .payouts()
            .validate_crypto_payout_otp(pb::ValidateCryptoPayoutOtpRequest {
                oid: MERCHANT_EUR.into(),
                code: OTP.into(),
            })
            .await
            .map(|_| ()),
    ] {
        assert_status(validate, Code::PermissionDenied, "MISSING_SCOPE");
    }
    // Reads and quotes only need `read`.
    reader
        .orders()
        .list_merchant_orders(pb::ListMerchantOrdersRequest::default())
        .await
        .expect("read scope lists orders");
    reader
        .transfers()
        .simulate_transfer(pb::SimulateTransferRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            origin: money("EUR", 100),
            recipient: Some(pb::AccountRef {
                account_id: MERCHANT_USD.into(),
            }),
        })
        .await
        .expect("read scope simulates");
    // No token at all.
    let anonymous = env
        .grpc_anonymous()
        .orders()
        .get_order(pb::GetOrderRequest {
            oid: MERCHANT_EUR.into(),
        })
        .await;
    assert_eq!(
        anonymous.expect_err("no token").code(),
        Code::Unauthenticated
    );
}

#[tokio::test]
async fn orders_and_transactions() {
    let env = TestEnv::start().await;
    let payin = fund(&env, MERCHANT_EUR, "BANK", "EUR", 50_000).await; // 49 500 net
    let grpc = env.grpc();
    let transfer = grpc
        .transfers()
        .create_transfer(pb::CreateTransferRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            origin: money("EUR", 4_500),
            recipient: Some(pb::AccountRef {
                account_id: MERCHANT_USD.into(),
            }),
            reference: "T-ORD".into(),
            code2fa: OTP.into(),
            quote_id: String::new(),
        })
        .await
        .expect("transfer")
        .into_inner()
        .order
        .expect("order");

    // Merchant orders: paged, sorted, typed filter.
    let all = grpc
        .orders()
        .list_merchant_orders(pb::ListMerchantOrdersRequest {
            page: Some(pb::PageRequest {
                page: 1,
                page_size: 1,
            }),
            query: Some(pb::ListQuery {
                sort: vec![pb::SortField {
                    field: "createdAt".into(),
                    direction: pb::SortDirection::Desc as i32,
                }],
                ..Default::default()
            }),
            filter: None,
        })
        .await
        .expect("list merchant orders")
        .into_inner();
    let pagination = all.pagination.expect("pagination");
    assert_eq!(pagination.total, 2);
    assert_eq!(pagination.num_pages, 2);
    assert_eq!(pagination.next.as_deref(), Some("2"));
    assert_eq!(pagination.previous, None);
    assert_eq!(all.orders.len(), 1);
    let transfers_only = grpc
        .orders()
        .list_merchant_orders(pb::ListMerchantOrdersRequest {
            filter: Some(pb::OrderListFilter {
                r#type: pb::OrderType::Transfer as i32,
                state: pb::OrderState::Settled as i32,
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("filtered list")
        .into_inner()
        .orders;
    assert_eq!(transfers_only.len(), 1);
    assert_eq!(transfers_only[0].id, transfer.id);

    // Account orders with a generic filter plus direction.
    let incoming = grpc
        .orders()
        .list_account_orders(pb::ListAccountOrdersRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            page: None,
            query: Some(pb::ListQuery {
                filters: vec![pb::Filter {
                    field: "origin.amount".into(),
                    op: pb::FilterOp::Gte as i32,
                    value: "10000".into(),
                }],
                ..Default::default()
            }),
            filter: Some(pb::OrderListFilter {
                direction: pb::OrderDirection::In as i32,
                ..Default::default()
            }),
        })
        .await
        .expect("account orders")
        .into_inner()
        .orders;
    assert_eq!(
        incoming.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        [payin.as_str()]
    );
    // Search is refused on orders (D19); bad paging too, naming the fields.
    let status = assert_status(
        grpc.orders()
            .list_account_orders(pb::ListAccountOrdersRequest {
                uid: MERCHANT_USER.into(),
                aid: MERCHANT_EUR.into(),
                page: Some(pb::PageRequest {
                    page: 0,
                    page_size: 101,
                }),
                query: Some(pb::ListQuery {
                    search: "T-ORD".into(),
                    ..Default::default()
                }),
                filter: None,
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        violation_fields(&status),
        ["page.page_size", "query.search"]
    );
    // An unknown filter field is RalioPay's 400, passed on with its violation.
    let status = grpc
        .orders()
        .list_merchant_orders(pb::ListMerchantOrdersRequest {
            query: Some(pb::ListQuery {
                filters: vec![pb::Filter {
                    field: "colour".into(),
                    op: pb::FilterOp::Eq as i32,
                    value: "red".into(),
                }],
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect_err("unknown filter field");
    assert_eq!(status.code(), Code::InvalidArgument);

    let order = grpc
        .orders()
        .get_order(pb::GetOrderRequest {
            oid: transfer.id.clone(),
        })
        .await
        .expect("get order")
        .into_inner()
        .order
        .expect("order");
    assert_eq!(order.reference, "T-ORD");
    assert_eq!(order.origin, money("EUR", 4_500));
    assert_status(
        grpc.orders()
            .get_order(pb::GetOrderRequest {
                oid: uuid::Uuid::new_v4().to_string(),
            })
            .await,
        Code::NotFound,
        "NOT_FOUND",
    );

    // Ledger: one transaction per settled order touching the account, signed.
    let ledger = grpc
        .transactions()
        .list_transactions(pb::ListTransactionsRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
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
        .transactions;
    assert_eq!(
        ledger.iter().map(|t| t.amount).collect::<Vec<_>>(),
        [49_500, -4_500]
    );
    assert_eq!(ledger[1].running_balance, 45_000);
    let last = grpc
        .transactions()
        .get_transaction(pb::GetTransactionRequest {
            uid: MERCHANT_USER.into(),
            aid: MERCHANT_EUR.into(),
            tid: ledger[1].id.clone(),
        })
        .await
        .expect("get transaction")
        .into_inner()
        .transaction
        .expect("transaction");
    assert_eq!(last, ledger[1]);
    assert_eq!(last.order.expect("order").id, transfer.id);
    let status = assert_status(
        grpc.transactions()
            .get_transaction(pb::GetTransactionRequest {
                uid: MERCHANT_USER.into(),
                aid: MERCHANT_EUR.into(),
                tid: "t-1".into(),
            })
            .await,
        Code::InvalidArgument,
        "VALIDATION_ERROR",
    );
    assert_eq!(violation_fields(&status), ["tid"]);
}
