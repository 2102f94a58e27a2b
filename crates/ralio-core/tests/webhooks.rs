//! Webhook parsing and verification on payloads shaped like the upstream catalogue
//! (webhooks.md §5) in both envelopes and both naming styles.

use ralio_core::Secret;
use ralio_core::model::{Currency, KycCheckState, KycLevel, Money, VibanState};
use ralio_core::webhook::{
    Envelope, EventPayload, EventType, PayinStatus, PayinType, TransferState, WebhookError,
    parse_envelope, parse_event, sign, verify_signature,
};
use serde_json::json;

fn parse(value: serde_json::Value) -> ralio_core::webhook::WebhookEvent {
    parse_event(value.to_string().as_bytes()).unwrap()
}

#[test]
fn v2_payin_completed_with_string_rate() {
    let event = parse(json!({
        "eventId": "0b6f7c1e-3f4a-4d8e-9a51-1c2d3e4f5a6b",
        "eventType": "payin_completed",
        "timestamp": "2026-02-26T17:02:28.7667797-05:00",
        "data": {
            "status": "COMPLETED", "payinType": "bankPayin", "orderId": "o-1",
            "source": {"type": "bankAccount", "routingType": "IBAN", "accountNumber": "ES91...", "bankConceptTransfer": "INV", "payer": {"name": "Ann"}},
            "destination": {"type": "account", "creditedAccountId": "a-1", "creditedUserId": "u-1"},
            "amounts": {
                "receivedAmount": {"amount": 15000, "currency": "USD"},
                "fees": {"currency": "EUR", "total": 506, "breakdown": {"systemFee": 253, "merchantFee": 253}},
                "amountAfterFees": {"amount": 12124, "currency": "EUR"},
                "fx": {"pair": "USD/EUR", "rate": "0.8420077465"},
                "creditedAmount": {"amount": 12124, "currency": "EUR"}
            }
        }
    }));
    assert_eq!(event.envelope, Envelope::V2);
    assert_eq!(event.id, "0b6f7c1e-3f4a-4d8e-9a51-1c2d3e4f5a6b");
    assert_eq!(event.event_type, EventType::PayinCompleted);
    assert_eq!(event.timestamp, "2026-02-26T17:02:28.7667797-05:00");
    let EventPayload::PayinCompleted(data) = event.payload().unwrap() else {
        panic!("wrong payload")
    };
    assert_eq!(data.status, PayinStatus::Completed);
    assert_eq!(data.payin_type, PayinType::BankPayin);
    let amounts = data.amounts.unwrap();
    assert_eq!(
        amounts.credited_amount,
        Some(Money::new(Currency::Eur, 12124))
    );
    assert_eq!(amounts.fees.unwrap().total, 506);
    assert_eq!(amounts.fx.unwrap().rate.as_deref(), Some("0.8420077465"));
}

#[test]
fn v1_transfer_state_updated() {
    let event = parse(json!({
        "id": "7d3c2b1a-0000-4000-8000-000000000001", "event": "transfer_state_updated",
        "timestamp": "2026-02-26T17:14:13.123Z",
        "data": {"transferId": "t-1", "state": "ERROR", "error": "insufficient"}
    }));
    assert_eq!(event.envelope, Envelope::V1);
    assert_eq!(event.id, "7d3c2b1a-0000-4000-8000-000000000001");
    let EventPayload::TransferStateUpdated(data) = event.payload().unwrap() else {
        panic!("wrong payload")
    };
    assert_eq!(data.state, TransferState::Error);
    assert_eq!(data.error.as_deref(), Some("insufficient"));
}

#[test]
fn dotted_names_normalise_to_wire_names() {
    for (name, expected) in [
        ("payin.completed", EventType::PayinCompleted),
        ("account.activated", EventType::AccountActivated),
        ("kyc.state_updated", EventType::KycStateUpdated),
        ("kyc.session_verified", EventType::KycSessionVerified),
        (
            "related_party.kyc_session_created",
            EventType::RelatedPartyKycSessionCreated,
        ),
        (
            "related_party_kyc_session_created",
            EventType::RelatedPartyKycSessionCreated,
        ),
        (
            "payout.processing",
            EventType::Unknown("payout_processing".into()),
        ),
    ] {
        let event = parse(json!({"id": "e", "event": name, "timestamp": "t", "data": {}}));
        assert_eq!(event.event_type, expected, "{name}");
    }
    assert_eq!(EventType::PayinCompleted.as_str(), "payin_completed");
    // Unknown events still parse, with their data kept.
    let event = parse(
        json!({"eventId": "e", "eventType": "transfer.completed", "timestamp": "t", "data": {"x": 1}}),
    );
    assert_eq!(event.payload().unwrap(), EventPayload::Unknown);
    assert_eq!(event.data, json!({"x": 1}));
}

#[test]
fn kyc_events_in_both_revisions() {
    let legacy = parse(
        json!({"id": "e1", "event": "kyc_state_updated", "timestamp": "t",
        "data": {"kyc_id": 7, "user_id": "u-1", "state": "REGULAR"}}),
    );
    let EventPayload::KycStateUpdated(data) = legacy.payload().unwrap() else {
        panic!()
    };
    assert_eq!(
        (data.kyc_id, data.user_id.as_deref(), data.state),
        (Some(7), Some("u-1"), KycLevel::Regular)
    );

    let newest = parse(
        json!({"id": "e2", "event": "kyc_state_updated", "timestamp": "t",
        "data": {"kycId": 8, "entityType": "related-party", "relatedPartyId": "rp-1", "state": "LIGHT"}}),
    );
    let EventPayload::KycStateUpdated(data) = newest.payload().unwrap() else {
        panic!()
    };
    assert_eq!(data.kyc_id, Some(8));
    assert_eq!(data.state, KycLevel::Light);

    let failed = parse(
        json!({"id": "e3", "event": "kyc_session_failed", "timestamp": "t",
        "data": {"sessionId": "s-1", "entityType": "user", "userId": "u-1", "provider": "MOCK",
            "checks": [{"type": "document-verification", "state": 2, "data": {},
                "reasons": [{"type": "DOC", "code": "KYC.DOC.DETERIORATED", "message": "m", "category": "DOC"}]},
                {"type": "face-matching", "state": "Validated"}]}}),
    );
    let EventPayload::KycSessionFailed(data) = failed.payload().unwrap() else {
        panic!()
    };
    let checks = data.checks.unwrap();
    assert_eq!(checks[0].state, Some(KycCheckState::Refused));
    assert_eq!(checks[1].state, Some(KycCheckState::Validated));
    assert_eq!(
        checks[0].reasons[0].code.as_deref(),
        Some("KYC.DOC.DETERIORATED")
    );

    // The manual-review page's newest revision is v2.
    let review = parse(
        json!({"eventId": "e4", "eventType": "kyc_session_manual_review", "timestamp": "t",
        "data": {"sessionId": "s-2", "entityType": "user", "userId": "u-1"}}),
    );
    assert_eq!(review.envelope, Envelope::V2);
    assert!(matches!(
        review.payload().unwrap(),
        EventPayload::KycSessionManualReview(_)
    ));
}

#[test]
fn viban_kyb_related_party_account_payout_and_legacy_fund_payloads() {
    let viban = parse(
        json!({"eventId": "e", "eventType": "viban_failed", "timestamp": "t",
        "data": {"vibanId": "v-1", "accountId": "a-1", "rail": "SEPA", "status": "REJECTED", "reason": "no"}}),
    );
    let EventPayload::VibanFailed(data) = viban.payload().unwrap() else {
        panic!()
    };
    assert_eq!(data.status, Some(VibanState::Rejected));

    let kyb = parse(
        json!({"eventId": "e", "eventType": "kyb_state_updated", "timestamp": "t",
        "data": {"kybId": 12, "userId": "u-9", "state": "REGULAR"}}),
    );
    assert!(matches!(kyb.payload().unwrap(), EventPayload::KybStateUpdated(d) if d.kyb_id == 12));

    let related = parse(
        json!({"eventId": "e", "eventType": "related_party.kyc_session_created", "timestamp": "t",
        "data": {"businessUser": {"id": 1234, "name": "Acme Corp S.L."},
            "relatedParty": {"id": "rp", "roleType": "UBO", "firstName": "A", "lastName": "B", "ownershipPercentage": 30,
                "residentialAddress": {"addressLine1": "x", "city": "y", "provinceState": "z", "postalCode": "1", "country": "ES"},
                "status": "KYC_PENDING"},
            "kycSession": {"id": "k", "provider": "mati", "url": "https://x", "expiresAt": "t"}}}),
    );
    let EventPayload::RelatedPartyKycSessionCreated(data) = related.payload().unwrap() else {
        panic!()
    };
    assert_eq!(data.business_user.unwrap().id, Some(1234));
    assert_eq!(data.related_party.unwrap().ownership_percentage, Some(30.0));

    let account = parse(
        json!({"id": "e", "event": "account_activated", "timestamp": "t", "data": {"accountId": "a-1"}}),
    );
    assert!(
        matches!(account.payload().unwrap(), EventPayload::AccountActivated(d) if d.account_id == "a-1")
    );

    let payout = parse(
        json!({"eventId": "e", "eventType": "payout_completed", "timestamp": "t",
        "data": {"status": "COMPLETED", "payoutType": "bankPayout", "orderId": "o-9", "ownReference": "r",
            "source": {"type": "account", "debitedAccountId": "a-1", "debitedUserId": "u-1"},
            "destination": {"type": "bankAccount", "routingType": "SWIFT", "accountNumber": "n", "beneficiary": {
                "type": "PERSON", "name": "n", "document": {"type": "PASSPORT", "number": "p"},
                "address": {"line1": "l", "postalCode": "p", "city": "c", "country": "ES"}}},
            "amounts": {"debitedAmount": {"amount": 10000, "currency": "EUR"},
                "fees": {"currency": "EUR", "total": 100, "breakdown": {"systemFee": 60, "merchantFee": 40}},
                "amountAfterFees": {"amount": 9900, "currency": "EUR"}, "fx": {"pair": "EUR/USD", "rate": 1.085}}}}),
    );
    let EventPayload::PayoutCompleted(data) = payout.payload().unwrap() else {
        panic!()
    };
    let amounts = data.amounts.unwrap();
    assert_eq!(
        amounts.fees.unwrap().breakdown.unwrap().system_fee,
        Some(60)
    );
    assert_eq!(amounts.fx.unwrap().rate.as_deref(), Some("1.085"));

    let fund = parse(
        json!({"id": "e", "event": "fund_received", "timestamp": "t",
        "data": {"method": "bank_transfer", "received": {"amount": 10000, "currency": "EUR"},
            "fee": {"amount": 250, "currency": "EUR"}, "settled": {"amount": 9750, "currency": "EUR"},
            "quote": {"rate": 1.0, "provider": "ECB", "spread": 0.0015}, "fundingId": "f", "accountId": "a"}}),
    );
    let EventPayload::FundReceived(data) = fund.payload().unwrap() else {
        panic!()
    };
    assert_eq!(data.settled, Some(Money::new(Currency::Eur, 9750)));
    assert_eq!(data.quote.unwrap().spread.as_deref(), Some("0.0015"));
}

#[test]
fn malformed_bodies_are_rejected_with_reasons() {
    assert!(matches!(
        parse_event(b"not json"),
        Err(WebhookError::InvalidJson(_))
    ));
    assert!(matches!(
        parse_event(b"[1,2]"),
        Err(WebhookError::InvalidJson(_))
    ));
    assert_eq!(
        parse_event(br#"{"event":"x","timestamp":"t","data":{}}"#).unwrap_err(),
        WebhookError::MissingField("eventId/id")
    );
    assert_eq!(
        parse_event(br#"{"id":"x","timestamp":"t"}"#).unwrap_err(),
        WebhookError::MissingField("eventType/event")
    );
    let bad = parse(
        json!({"eventId": "e", "eventType": "payin_failed", "timestamp": "t", "data": {"status": "FAILED"}}),
    );
    assert!(matches!(
        bad.payload(),
        Err(WebhookError::InvalidPayload { .. })
    ));
}

#[test]
fn verify_then_parse_on_the_raw_bytes() {
    let secret = Secret::new("whsec_test");
    let raw =
        br#"{"eventId":"e","eventType":"viban_activated","timestamp":"t","data":{"vibanId":"v"}}"#;
    let header = sign(&secret, raw);
    assert!(verify_signature(&secret, raw, &header.to_uppercase()));
    // Re-serialising changes the bytes and so the signature: receivers must verify raw bodies.
    let reserialised =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(raw).unwrap()).unwrap();
    assert_ne!(reserialised.as_slice(), raw.as_slice());
    assert!(!verify_signature(&secret, &reserialised, &header));
    assert_eq!(
        parse_event(raw).unwrap().event_type,
        EventType::VibanActivated
    );
}

#[test]
fn the_envelope_reads_in_one_pass_and_keeps_data_as_sent() {
    let body = br#"{"eventId":"e1","id":"old","eventType":"payin.completed","event":"x","timestamp":"2026-02-26T17:02:28Z","data":{"b": 1,  "a":[true, null]}}"#;
    let fields = parse_envelope(body).unwrap();
    assert_eq!(fields.id, "e1");
    assert_eq!(fields.name, "payin.completed");
    assert_eq!(fields.timestamp, "2026-02-26T17:02:28Z");
    assert_eq!(fields.envelope, Envelope::V2);
    assert_eq!(
        fields.data.map(|raw| raw.get()),
        Some(r#"{"b": 1,  "a":[true, null]}"#)
    );

    let v1 =
        parse_envelope(br#"{"id":"e2","event":"kyc_state_updated","timestamp":"t","data":null}"#)
            .unwrap();
    assert_eq!((v1.id.as_str(), v1.envelope), ("e2", Envelope::V1));
    assert!(v1.data.is_none());
    assert!(
        parse_envelope(br#"{"id":"e3","event":"x","timestamp":"t"}"#)
            .unwrap()
            .data
            .is_none()
    );
    // The same refusals as parse_event, which is built on it.
    assert_eq!(
        parse_envelope(br#"{"id":"","event":"x","timestamp":"t"}"#).unwrap_err(),
        WebhookError::MissingField("eventId/id")
    );
    assert_eq!(
        parse_envelope(br#"{"id":"e","eventType":"","timestamp":"t"}"#).unwrap_err(),
        WebhookError::MissingField("eventType/event")
    );
    assert_eq!(
        parse_envelope(br#"{"id":"e","event":"x"}"#).unwrap_err(),
        WebhookError::MissingField("timestamp")
    );
    assert!(matches!(
        parse_envelope(br#"{"id":"e","event":"x","timestamp":"t","data":{"#),
        Err(WebhookError::InvalidJson(_))
    ));
    // parse_event: data parsed, `{}` when absent or null.
    let event = parse_event(br#"{"id":"e4","event":"x","timestamp":"t","data":null}"#).unwrap();
    assert_eq!(event.data, json!({}));
}
