//! The client against the real local sandbox (`ralio-sandbox` on port 0, real HTTP): the whole
//! money flow from user creation to the ledger, with the sandbox portal's actions driven through
//! its control API (`/sandbox/v1`, spec/NOTES.md D13) with plain reqwest.

use ralio_core::model::*;
use ralio_core::{CallOptions, ClientConfig, FilterOp, ListQuery, RalioClient, Secret};
use ralio_sandbox::config::{DEV_API_CODE, DEV_API_KEY};
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

async fn start() -> (SandboxHandle, RalioClient) {
    let sandbox = Sandbox::start(SandboxConfig::for_tests()).await.unwrap();
    let config = ClientConfig::builder(sandbox.base_url(), DEV_API_CODE, DEV_API_KEY)
        .build()
        .unwrap();
    (sandbox, RalioClient::new(config).unwrap())
}

/// A sandbox portal action.
async fn control(sandbox: &SandboxHandle, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/sandbox/v1/{path}", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn individual(email: &str) -> IndividualUserCreate {
    IndividualUserCreate {
        activity: "SALES_MANAGER".into(),
        address: "Calle Mayor 1".into(),
        address_line2: None,
        birth_country: "ES".into(),
        birthdate: "1990-05-01T00:00:00Z".into(),
        city: "Madrid".into(),
        country: "ES".into(),
        document_number: "X1234567".into(),
        document_type: IdentityDocumentType::Passport,
        email: email.into(),
        employment_status: EmploymentStatus::Employed,
        estimated_annual_income: 50_000,
        estimated_annual_transaction_volume: 20_000,
        estimated_net_worth: 100_000,
        has_pep_close_associate: false,
        is_public_office: false,
        name: "Ann".into(),
        nationality: "ES".into(),
        pep_associate_country: None,
        pep_associate_name: None,
        pep_associate_position: None,
        phone_number: "600000000".into(),
        phone_number_country: "ES".into(),
        postal_code: "28001".into(),
        professional_sector: "IT".into(),
        province: "Madrid".into(),
        public_office_country: None,
        public_office_position: None,
        source_of_funds: SourceOfFunds::Salary,
        surname: "Lee".into(),
        terms_and_conditions_accepted: true,
    }
}

fn payout_body(amount: i64) -> BankPayoutCreate {
    BankPayoutCreate {
        amounts: PayoutAmounts {
            debited_amount: Some(Money::new(Currency::Eur, amount)),
            received_amount: Some(Money::new(Currency::Eur, 0)),
        },
        description: "Rent".into(),
        own_reference: "PO-1".into(),
        recipient: BankPayoutRecipient {
            account_number: "ES9121000418450200051332".into(),
            address: PostalAddress {
                city: Some("Madrid".into()),
                country: Some("ES".into()),
                line1: Some("Calle 1".into()),
                postal_code: Some("28001".into()),
                province: Some("Madrid".into()),
            },
            beneficiary_type: BeneficiaryType::Person,
            document: PayoutDocument {
                document_type: PayoutDocumentType::Passport,
                number: "X1".into(),
            },
            routing_data: "IBAN".into(),
            company_name: None,
            contact: None,
            name: Some("Bob".into()),
            relation: Some("FRIEND".into()),
            surname: Some("Ray".into()),
            swift: None,
        },
        quote_id: None,
    }
}

#[tokio::test]
async fn user_to_ledger_flow() {
    let (sandbox, client) = start().await;

    // A user, verified through an IDV session approved in the sandbox portal.
    let user = client
        .users()
        .create_individual(&individual("ann@example.com"))
        .await
        .unwrap();
    let uid = user.id.clone();
    let session = client.identity().create_session(&uid).await.unwrap();
    assert_eq!(session.state, Some(IdvSessionState::NotStarted));
    control(
        &sandbox,
        &format!("identity-verifications/{}/start", session.id),
        json!({}),
    )
    .await;
    control(
        &sandbox,
        &format!("identity-verifications/{}/approve", session.id),
        json!({}),
    )
    .await;
    let sessions = client
        .identity()
        .list_sessions(&uid, &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(sessions.sessions[0].state, Some(IdvSessionState::Verified));
    let history = client
        .identity()
        .session_state_history(&uid, &session.id)
        .await
        .unwrap();
    assert_eq!(
        history.logs.last().and_then(|log| log.new_state.clone()),
        Some(IdvSessionState::Verified)
    );

    // Two EUR accounts.
    let main = client
        .accounts()
        .create(
            &uid,
            &AccountCreate {
                alias: "Main".into(),
                currency: Currency::Eur,
            },
        )
        .await
        .unwrap();
    let savings = client
        .accounts()
        .create(
            &uid,
            &AccountCreate {
                alias: "Savings".into(),
                currency: Currency::Eur,
            },
        )
        .await
        .unwrap();
    assert_eq!(main.state, Some(AccountState::Active));

    // 1000.00 EUR arrive by bank; the payin fee is 1% (D7).
    let payin = control(
        &sandbox,
        &format!("accounts/{}/payins", main.id),
        json!({"method": "BANK", "amount": 100_000, "currency": "EUR"}),
    )
    .await;
    let payin_id = payin["id"].as_str().unwrap().to_owned();
    let bank_payin = client.payins().get_bank(&payin_id).await.unwrap();
    assert_eq!(bank_payin.order.state, Some(OrderState::Settled));
    assert_eq!(
        client.accounts().get(&uid, &main.id).await.unwrap().balance,
        99_000
    );

    // A quoted, idempotency-keyed transfer of 100.00 EUR to the savings account.
    let transfers = client.transfers();
    let quote = transfers
        .simulate(
            &uid,
            &main.id,
            &TransferSimulateRequest {
                origin: Money::new(Currency::Eur, 10_000),
                recipient: AccountRef::new(&savings.id),
            },
        )
        .await
        .unwrap();
    assert_eq!(quote.destination, Money::new(Currency::Eur, 10_000));
    let transfer = transfers
        .with_options(CallOptions::new().idempotency_key("transfer-INV-1"))
        .create(
            &uid,
            &main.id,
            &TransferCreate {
                code2fa: Secret::new("123456"),
                origin: Money::new(Currency::Eur, 10_000),
                recipient: AccountRef::new(&savings.id),
                reference: "INV-1".into(),
                quote_id: quote.quote_id.clone(),
            },
        )
        .await
        .unwrap();
    let transfer = client.transfers().get(&transfer.id).await.unwrap();
    assert_eq!(transfer.order.state, Some(OrderState::Settled));
    assert_eq!(transfer.recipient, Some(AccountRef::new(&savings.id)));

    // A bank payout of 100.00 EUR (+1.00 fee), released by OTP.
    let payout = client
        .payouts()
        .create_bank(&uid, &main.id, &payout_body(10_000))
        .await
        .unwrap();
    assert_eq!(payout.is_otp_required, Some(true));
    assert_eq!(payout.order.state, Some(OrderState::Created));
    client
        .payouts()
        .send_otp(&OtpSendRequest {
            order_id: payout.order.id.clone(),
            phone_number: "600000000".into(),
            phone_number_country: "ES".into(),
        })
        .await
        .unwrap();
    let wrong = client
        .payouts()
        .validate_bank_otp(&payout.order.id, Secret::new("000000"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some("INVALID_OTP"));
    let validated = client
        .payouts()
        .validate_bank_otp(&payout.order.id, Secret::new("123456"))
        .await
        .unwrap();
    assert!(validated.validated_at.is_some());
    let settled = client.payouts().get_bank(&payout.order.id).await.unwrap();
    assert_eq!(settled.order.state, Some(OrderState::Settled));

    // Balances: 99000 - 10000 - (10000 + 100).
    let main_now = client.accounts().get(&uid, &main.id).await.unwrap();
    assert_eq!((main_now.balance, main_now.pending_out), (78_900, 0));
    assert_eq!(
        client
            .accounts()
            .get(&uid, &savings.id)
            .await
            .unwrap()
            .balance,
        10_000
    );

    // More than is available: a typed 422 and nothing created.
    let too_much = client
        .transfers()
        .create(
            &uid,
            &main.id,
            &TransferCreate {
                code2fa: Secret::new("123456"),
                origin: Money::new(Currency::Eur, 1_000_000),
                recipient: AccountRef::new(&savings.id),
                reference: "INV-2".into(),
                quote_id: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (too_much.status(), too_much.code()),
        (Some(422), Some("INSUFFICIENT_FUNDS"))
    );

    // Orders: three on the main account; filters reach the server.
    let orders = client
        .orders()
        .list_account(&uid, &main.id, &ListQuery::new().sort("-createdAt"))
        .await
        .unwrap();
    assert_eq!(orders.orders.len(), 3);
    assert_eq!(orders.pagination.as_ref().map(|p| p.total), Some(3));
    let transfers_only = client
        .orders()
        .list_merchant(&ListQuery::new().filter("type", FilterOp::Eq, "TRANSFER"))
        .await
        .unwrap();
    assert!(!transfers_only.orders.is_empty());
    assert!(
        transfers_only
            .orders
            .iter()
            .all(|o| o.order_type == Some(OrderType::Transfer))
    );
    assert_eq!(
        client.orders().get(&payin_id).await.unwrap().order_type,
        Some(OrderType::BankPayIn)
    );

    // The ledger: balance == sum of signed amounts, and the detail agrees with the list.
    let ledger = client
        .transactions()
        .list(&uid, &main.id, &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(ledger.len(), 3);
    assert_eq!(ledger.iter().map(|t| t.amount).sum::<i64>(), 78_900);
    let newest = ledger.iter().find(|t| t.running_balance == 78_900).unwrap();
    let detail = client
        .transactions()
        .get(&uid, &main.id, &newest.id)
        .await
        .unwrap();
    assert_eq!(
        (detail.amount, detail.running_balance),
        (newest.amount, newest.running_balance)
    );

    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_read_resource_group_answers_through_the_client() {
    let (sandbox, client) = start().await;
    let merchant = client.merchant().user().await.unwrap();
    assert!(!merchant.id.is_empty());
    let accounts = client
        .merchant()
        .list_accounts(&ListQuery::new())
        .await
        .unwrap();
    if let Some(first) = accounts.first() {
        assert_eq!(
            client.merchant().account(&first.id).await.unwrap().id,
            first.id
        );
    }
    let activities = client
        .reference()
        .list_activities(&ListQuery::new(), Some("es".into()))
        .await
        .unwrap();
    assert!(!activities.activities.is_empty());
    let login = client.login(&CallOptions::new()).await.unwrap();
    assert_eq!(login.token.expose().split('.').count(), 3, "a JWT");
    // Unknown ids come back as typed 404s.
    let missing = client
        .orders()
        .get("7b0c7f0e-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(
        (missing.status(), missing.code()),
        (Some(404), Some("NOT_FOUND"))
    );
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn vibans_card_payins_kyb_and_crypto_payouts() {
    let (sandbox, client) = start().await;
    let user = client
        .users()
        .create_individual(&individual("bo@example.com"))
        .await
        .unwrap();
    let session = client.identity().create_session(&user.id).await.unwrap();
    control(
        &sandbox,
        &format!("identity-verifications/{}/start", session.id),
        json!({}),
    )
    .await;
    control(
        &sandbox,
        &format!("identity-verifications/{}/approve", session.id),
        json!({}),
    )
    .await;
    let account = client
        .accounts()
        .create(
            &user.id,
            &AccountCreate {
                alias: "Ops".into(),
                currency: Currency::Eur,
            },
        )
        .await
        .unwrap();
    let renamed = client
        .accounts()
        .update(
            &user.id,
            &account.id,
            &AccountUpdate {
                alias: "Operations".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.alias.as_deref(), Some("Operations"));
    let listed = client
        .accounts()
        .list(&user.id, &ListQuery::new().search("operations"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    // vIBAN lifecycle.
    let vibans = client.vibans();
    let viban = vibans
        .create(
            &user.id,
            &account.id,
            &VirtualIbanCreate {
                name: "Rent".into(),
                rail: VibanRail::Sepa,
            },
        )
        .await
        .unwrap();
    let viban = vibans.get(&user.id, &account.id, &viban.id).await.unwrap();
    assert_eq!(viban.state, Some(VibanState::Active));
    let renamed = vibans
        .update_alias(
            &user.id,
            &account.id,
            &viban.id,
            &VirtualIbanUpdate {
                name: "Rent 2".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Rent 2"));
    assert_eq!(vibans.list(&user.id, &account.id).await.unwrap().len(), 1);
    let inactive = vibans
        .deactivate(&user.id, &account.id, &viban.id)
        .await
        .unwrap();
    assert_eq!(inactive.state, Some(VibanState::Inactive));

    // A card payin settled in the portal.
    let card = client
        .payins()
        .create_card(
            &user.id,
            &account.id,
            &CardPayinCreate {
                amount: 20_000,
                currency: Currency::Eur,
                reference: "CARD-1".into(),
                url_failed: "https://shop.example/failed".into(),
                url_success: "https://shop.example/ok".into(),
                payer: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(card.order.state, Some(OrderState::Pending));
    control(
        &sandbox,
        &format!("orders/{}/settle", card.order.id),
        json!({}),
    )
    .await;
    let card = client.payins().get_card(&card.order.id).await.unwrap();
    assert_eq!(card.order.state, Some(OrderState::Settled));

    // A crypto payin, then a crypto payout.
    let crypto_in = control(
        &sandbox,
        &format!("accounts/{}/payins", account.id),
        json!({"method": "CRYPTO", "amount": 5_000, "currency": "EUR"}),
    )
    .await;
    let crypto_in = client
        .payins()
        .get_crypto(crypto_in["id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(crypto_in.sender.and_then(|s| s.tx_hash).is_some());
    let payout = client
        .payouts()
        .create_crypto(
            &user.id,
            &account.id,
            &CryptoPayoutCreate {
                amounts: PayoutAmounts {
                    debited_amount: Some(Money::new(Currency::Eur, 1_000)),
                    received_amount: Some(Money::new(Currency::Usdt, 0)),
                },
                description: "Crypto out".into(),
                own_reference: "CP-1".into(),
                recipient: CryptoRecipient {
                    address: "So1anaAddress111111111111111111111111111111".into(),
                    currency: "USDT".into(),
                    network: "SOLANA".into(),
                    amount: None,
                },
            },
        )
        .await
        .unwrap();
    client
        .payouts()
        .validate_crypto_otp(&payout.order.id, Secret::new("123456"))
        .await
        .unwrap();
    let payout = client.payouts().get_crypto(&payout.order.id).await.unwrap();
    assert_eq!(payout.order.state, Some(OrderState::Settled));

    // KYB for a business user; an incomplete business body is a typed 400 naming the field.
    let refused = client
        .users()
        .create_business(&BusinessUserCreate::default())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("VALIDATION_ERROR"));
    assert!(
        refused
            .violations()
            .iter()
            .any(|v| v.field == "businessActivity"),
        "{refused:?}"
    );
    let business = client
        .users()
        .create_business(&BusinessUserCreate {
            business_activity: Some(BusinessActivity {
                business_nature: "Online retail".into(),
                business_type: "LLC".into(),
                industry_type: IndustryType::Ecommerce,
                revenue_model: "Sales".into(),
                business_type_other: None,
                company_size: None,
                existing_providers: None,
                expected_monthly_volume: Some("50K_TO_250K".into()),
                funds_flow: None,
                industry_type_other: None,
                msb_relationship: None,
                products_and_services: Some(vec!["shoes".into()]),
                revenue_breakdown: None,
            }),
            company: Some(Company {
                addresses: None,
                contact: Some(json!({"email": "ops@acme.example"})),
                incorporation: Some(json!({"constitutionType": "LLC", "legalName": "Acme S.L."})),
            }),
            other: Default::default(),
        })
        .await
        .unwrap();
    let kyb = client.kyb().create_session(&business.id).await.unwrap();
    assert_eq!(kyb.state, Some(KybSessionState::Created));
    let document = client
        .kyb()
        .upload_document(
            &business.id,
            &kyb.id,
            KybDocumentUpload {
                category: "COMPANY_INFO".into(),
                document_type: "BUSINESS_NUMBER".into(),
                file_name: "number.pdf".into(),
                mime_type: "application/pdf".into(),
                content: b"%PDF-1.4 sandbox".to_vec(),
            },
        )
        .await
        .unwrap();
    assert_eq!(document.file_name.as_deref(), Some("number.pdf"));
    let submitted = client
        .kyb()
        .submit_session(&business.id, &kyb.id)
        .await
        .unwrap();
    assert_eq!(submitted.state, Some(KybSessionState::Submitted));
    let sessions = client
        .kyb()
        .list_sessions(&business.id, &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].documents.len(), 1);
    sandbox.shutdown().await.unwrap();
}
