//! The model's JSON is exactly the API's: request bodies serialise to the documented field
//! names, and documented response shapes round-trip unchanged.

use ralio_core::model::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Deserialises `raw`, serialises back, and demands the identical JSON.
fn round_trip<T: Serialize + DeserializeOwned + std::fmt::Debug>(raw: Value) -> T {
    let typed: T = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), raw, "{typed:?}");
    typed
}

#[test]
fn individual_user_create_body() {
    let body = IndividualUserCreate {
        activity: "SALES_MANAGER".into(),
        address: "Calle 1".into(),
        address_line2: None,
        birth_country: "ES".into(),
        birthdate: "1990-01-01T00:00:00Z".into(),
        city: "Madrid".into(),
        country: "ES".into(),
        document_number: "X123".into(),
        document_type: IdentityDocumentType::Passport,
        email: "ann@example.com".into(),
        employment_status: EmploymentStatus::Employed,
        estimated_annual_income: 50000,
        estimated_annual_transaction_volume: 10000,
        estimated_net_worth: 100000,
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
    };
    let value = serde_json::to_value(&body).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for expected in [
        "activity",
        "birthCountry",
        "documentType",
        "employmentStatus",
        "estimatedAnnualIncome",
        "estimatedAnnualTransactionVolume",
        "estimatedNetWorth",
        "hasPepCloseAssociate",
        "isPublicOffice",
        "phoneNumberCountry",
        "postalCode",
        "professionalSector",
        "sourceOfFunds",
        "termsAndConditionsAccepted",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    assert!(
        !keys.contains(&"addressLine2"),
        "unset optional fields are omitted"
    );
    assert_eq!(value["documentType"], "PASSPORT");
    assert_eq!(value["sourceOfFunds"], "SALARY");
}

#[test]
fn user_response_with_activity_object() {
    let user: IndividualUser = round_trip(json!({
        "id": "7f1e", "activity": {"id": 3, "name": "Sales", "slug": "SALES_MANAGER"},
        "email": "ann@example.com", "documentType": "PASSPORT", "estimatedNetWorth": 100000
    }));
    assert!(
        matches!(user.activity, Some(UserActivity::Detail(ref a)) if a.slug == "SALES_MANAGER")
    );
}

#[test]
fn accounts_and_merchant_accounts() {
    let account: Account = round_trip(json!({
        "id": "a-1", "alias": "Main", "currency": "EUR", "balance": 10000, "pendingIn": 0,
        "pendingOut": 5100, "state": "ACTIVE", "type": "USER"
    }));
    assert_eq!(account.pending_out, 5100);
    let list: Vec<MerchantAccountListItem> = round_trip(json!([{
        "id": "m-a", "alias": "Fees", "currency": "USD", "balance": 40, "pendingIn": 0, "pendingOut": 0,
        "purpose": "OPERATIONAL", "state": "ACTIVE", "userId": "m-u"
    }]));
    assert_eq!(list[0].purpose, Some(AccountPurpose::Operational));
    let detail: MerchantAccount = round_trip(json!({
        "id": "m-a", "currency": "EUR", "balance": 0, "pendingIn": 0, "pendingOut": 0,
        "user": {"id": "m-u", "type": 1, "displayType": "Business", "createdAt": "t"}
    }));
    assert_eq!(detail.user.unwrap().user_type, Some(1));
    assert_eq!(
        serde_json::to_value(AccountCreate {
            alias: "Main".into(),
            currency: Currency::Usd
        })
        .unwrap(),
        json!({"alias": "Main", "currency": "USD"})
    );
}

#[test]
fn viban_kyb_and_card_payin() {
    let viban: VirtualIban = round_trip(json!({
        "id": "v-1", "accountId": "a-1", "accountNumber": "ES9121000418450200051332", "bic": "MOCKESM1",
        "name": "Rent", "provider": "MOCK", "rail": "SEPA", "state": "PENDING", "createdAt": "t", "updatedAt": "t"
    }));
    assert_eq!(viban.state, Some(VibanState::Pending));
    let kyb: KybSession = round_trip(json!({
        "id": "k-1", "kybId": 12, "state": "CREATED", "documents": [
            {"id": "d-1", "category": "COMPANY_INFO", "type": "BUSINESS_NUMBER", "fileName": "a.pdf",
             "fileSize": 1024, "mimeType": "application/pdf", "kybSessionId": "k-1"}
        ], "createdAt": "t", "updatedAt": "t"
    }));
    assert_eq!(
        kyb.documents[0].document_type.as_deref(),
        Some("BUSINESS_NUMBER")
    );
    let body = CardPayinCreate {
        amount: 5000,
        currency: Currency::Eur,
        reference: "CARD-PAY-2025-001234".into(),
        url_failed: "https://shop/failed".into(),
        url_success: "https://shop/ok".into(),
        payer: None,
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"amount": 5000, "currency": "EUR", "reference": "CARD-PAY-2025-001234",
               "urlFailed": "https://shop/failed", "urlSuccess": "https://shop/ok"})
    );
    let created: CardPayinCreated = round_trip(json!({
        "order": {"id": "o-1", "state": "PENDING", "type": "CARD_PAY_IN", "origin": {"currency": "EUR", "amount": 5000}},
        "paymentUrl": "https://pay/o-1"
    }));
    assert_eq!(created.order.order_type, Some(OrderType::CardPayIn));
    let bank: BankPayinDetail = round_trip(json!({
        "id": "o-2", "state": "SETTLED", "type": "BANK_PAY_IN", "bankConceptTransfer": "INV",
        "recipient": {"accountId": "a-1"}, "sender": {"accountNumber": "ES..", "routingData": "BIC"}
    }));
    assert_eq!(bank.order.state, Some(OrderState::Settled));
}

#[test]
fn quotes_accept_the_rate_as_a_number() {
    let quote: QuoteResponse = serde_json::from_value(json!({
        "origin": {"currency": "EUR", "amount": 10000},
        "destination": {"currency": "USD", "amount": 10850},
        "quote": {"rate": 1.0850000000, "timestamp": "t", "validUntil": "t2"},
        "quoteId": "q-1"
    }))
    .unwrap();
    assert_eq!(quote.quote.unwrap().rate, "1.085");
    assert_eq!(quote.destination, Money::new(Currency::Usd, 10850));
}

#[test]
fn bank_payout_create_and_created_response() {
    let body = BankPayoutCreate {
        amounts: PayoutAmounts {
            debited_amount: Some(Money::new(Currency::Eur, 10000)),
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
            name: Some("Ann".into()),
            relation: Some("FRIEND".into()),
            surname: Some("Lee".into()),
            swift: None,
        },
        quote_id: None,
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "amounts": {"debitedAmount": {"currency": "EUR", "amount": 10000}, "receivedAmount": {"currency": "EUR", "amount": 0}},
            "description": "Rent", "ownReference": "PO-1",
            "recipient": {"accountNumber": "ES9121000418450200051332",
                "address": {"city": "Madrid", "country": "ES", "line1": "Calle 1", "postalCode": "28001", "province": "Madrid"},
                "beneficiaryType": "PERSON", "document": {"documentType": "PASSPORT", "number": "X1"},
                "routingData": "IBAN", "name": "Ann", "relation": "FRIEND", "surname": "Lee"}
        })
    );
    let created: PayoutCreated = round_trip(json!({
        "id": "o-3", "state": "CREATED", "type": "BANK_PAY_OUT", "isOTPRequired": true,
        "origin": {"currency": "EUR", "amount": 10000},
        "fee": {"currency": "EUR", "amount": 100, "breakdown": {"merchantFee": 40, "systemFee": 60}}
    }));
    assert_eq!(created.is_otp_required, Some(true));
    assert_eq!(created.order.fee.unwrap().amount, 100);
    let crypto: CryptoPayoutDetail = round_trip(json!({
        "id": "o-4", "canCancel": false, "recipient": {"address": "So1...", "currency": "USDT", "network": "SOLANA", "amount": 1000000},
        "sender": {"accountId": "a-1"}
    }));
    assert_eq!(crypto.recipient.unwrap().network, "SOLANA");
}

#[test]
fn unknown_enum_values_never_break_deserialisation() {
    let account: Account = serde_json::from_value(json!({
        "id": "a", "currency": "GBP", "balance": 1, "pendingIn": 0, "pendingOut": 0, "state": "FROZEN"
    }))
    .unwrap();
    assert_eq!(account.currency, Currency::Unknown("GBP".into()));
    assert_eq!(account.state, Some(AccountState::Unknown("FROZEN".into())));
}
