//! Stored event → proto `Event` (spec/NOTES.md D20): the normalised envelope, the ids the
//! gateway extracted, the raw `data` JSON always, and the typed payload when the type is known
//! and its data has the documented shape.

use std::str::FromStr;

use prost_types::{ListValue, Struct, Timestamp, value::Kind};
use ralio_core::model::{Money, PostalAddress};
use ralio_core::webhook::{
    Beneficiary, Envelope, EventPayload, EventType, FundEventData, KycCheck, KycSessionEventData,
    PayinEventData, PayinSource, PayoutEventData, VibanEventData, WebhookEvent, WebhookFees,
    WebhookFx,
};
use serde_json::Value;

use super::log::LoggedEvent;
use crate::proto::ralio::v1 as pb;
use pb::event::Payload;

/// The proto form of a stored event.
pub fn to_proto(logged: &LoggedEvent) -> pb::Event {
    let event = &logged.event;
    let event_type = EventType::normalise(&event.type_name);
    let data = serde_json::from_str::<Value>(&event.data).ok();
    let mut payload = data.clone().and_then(|data| {
        WebhookEvent {
            id: event.id.clone(),
            event_type: event_type.clone(),
            timestamp: event.occurred_at.clone(),
            data,
            envelope: event.envelope,
        }
        .payload()
        .ok()
        .and_then(payload)
    });
    // `routingNumber` (ACH vIBANs) is in the contract but not in the core's payload type.
    if let (Some(Payload::VibanActivated(viban)), Some(data)) = (&mut payload, &data) {
        viban.routing_number = data
            .get("routingNumber")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
    }
    pb::Event {
        id: event.id.clone(),
        r#type: event.type_name.clone(),
        event_type: event_type_enum(&event_type) as i32,
        occurred_at: Timestamp::from_str(event.occurred_at.trim()).ok(),
        received_at: Some(timestamp_ms(logged.received_at_ms)),
        envelope_version: match event.envelope {
            Envelope::V1 => pb::EnvelopeVersion::V1,
            Envelope::V2 => pb::EnvelopeVersion::V2,
        } as i32,
        cursor: logged.cursor,
        user_id: event.user_id.clone().unwrap_or_default(),
        account_id: event.account_id.clone().unwrap_or_default(),
        raw_json: event.data.clone(),
        payload,
    }
}

/// Unix milliseconds → `Timestamp`.
pub fn timestamp_ms(ms: i64) -> Timestamp {
    Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

fn event_type_enum(event_type: &EventType) -> pb::EventType {
    use pb::EventType as P;
    match event_type {
        EventType::AccountActivated => P::AccountActivated,
        EventType::PayinProcessing => P::PayinProcessing,
        EventType::PayinCompleted => P::PayinCompleted,
        EventType::PayinFailed => P::PayinFailed,
        EventType::PayoutCompleted => P::PayoutCompleted,
        EventType::TransferStateUpdated => P::TransferStateUpdated,
        EventType::KycStateUpdated => P::KycStateUpdated,
        EventType::KycExpirationWarning => P::KycExpirationWarning,
        EventType::KycSessionVerified => P::KycSessionVerified,
        EventType::KycSessionManualReview => P::KycSessionManualReview,
        EventType::KycSessionFailed => P::KycSessionFailed,
        EventType::KycSessionExpired => P::KycSessionExpired,
        EventType::RelatedPartyKycSessionCreated => P::RelatedPartyKycSessionCreated,
        EventType::KybStateUpdated => P::KybStateUpdated,
        EventType::VibanActivated => P::VibanActivated,
        EventType::VibanFailed => P::VibanFailed,
        EventType::VibanDeactivated => P::VibanDeactivated,
        EventType::FundPending => P::FundPending,
        EventType::FundReceived => P::FundReceived,
        EventType::FundError => P::FundError,
        EventType::Unknown(_) => P::Unspecified,
    }
}

/// A wire enum value (`bankPayin`, `IN_PROGRESS`, `related-party`, `Validated`) as the proto
/// enum `PREFIX_SCREAMING_NAME`; 0 (UNSPECIFIED) when the proto has no such value.
fn wire_enum(prefix: &str, wire: &str, lookup: fn(&str) -> Option<i32>) -> i32 {
    let mut name = String::with_capacity(prefix.len() + wire.len() + 4);
    name.push_str(prefix);
    name.push('_');
    let mut previous_lower = false;
    for c in wire.trim().chars() {
        if c == '-' || c == '.' || c == ' ' {
            name.push('_');
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            name.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        name.push(c.to_ascii_uppercase());
    }
    lookup(&name).unwrap_or(0)
}

macro_rules! enum_of {
    ($ty:ty, $prefix:literal, $wire:expr) => {
        wire_enum($prefix, $wire, |name| {
            <$ty>::from_str_name(name).map(|value| value as i32)
        })
    };
}

fn opt_enum(value: Option<&str>, convert: impl Fn(&str) -> i32) -> i32 {
    value.map_or(0, convert)
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn money(value: &Option<Money>) -> Option<pb::Money> {
    value.as_ref().map(|money| pb::Money {
        currency: money.currency.as_str().to_owned(),
        amount: money.amount,
    })
}

fn fees(value: &Option<WebhookFees>) -> Option<pb::Fee> {
    value.as_ref().map(|fees| pb::Fee {
        currency: fees.currency.as_str().to_owned(),
        amount: fees.total,
        breakdown: fees.breakdown.as_ref().map(|breakdown| pb::FeeBreakdown {
            merchant_fee: breakdown.merchant_fee.unwrap_or_default(),
            system_fee: breakdown.system_fee.unwrap_or_default(),
        }),
    })
}

fn fx(value: &Option<WebhookFx>) -> Option<pb::Fx> {
    value.as_ref().map(|fx| pb::Fx {
        pair: text(&fx.pair),
        rate: text(&fx.rate),
        timestamp: None,
    })
}

fn timestamp(value: &Option<String>) -> Option<Timestamp> {
    value
        .as_deref()
        .and_then(|value| Timestamp::from_str(value.trim()).ok())
}

/// The four KYC-session events carry the same fields in distinct proto messages.
macro_rules! kyc_session {
    ($data:expr, $variant:ident, $message:ident) => {{
        let (session_id, entity_type, user_id, related_party_id, checks) = kyc_session($data);
        Payload::$variant(pb::$message {
            session_id,
            entity_type,
            user_id,
            related_party_id,
            checks,
        })
    }};
}

fn payload(payload: EventPayload) -> Option<Payload> {
    Some(match payload {
        EventPayload::PayinProcessing(data) => {
            let (order_id, status, payin_type, own_reference, source, destination, amounts) =
                payin_parts(&data);
            Payload::PayinProcessing(pb::PayinProcessingEvent {
                order_id,
                status,
                payin_type,
                own_reference,
                source,
                destination,
                received_amount: money(&amounts.received_amount),
                fx: fx(&amounts.fx),
            })
        }
        EventPayload::PayinCompleted(data) => {
            let (order_id, status, payin_type, own_reference, source, destination, amounts) =
                payin_parts(&data);
            Payload::PayinCompleted(pb::PayinCompletedEvent {
                order_id,
                status,
                payin_type,
                own_reference,
                source,
                destination,
                received_amount: money(&amounts.received_amount),
                fx: fx(&amounts.fx),
                fees: fees(&amounts.fees),
                amount_after_fees: money(&amounts.amount_after_fees),
                credited_amount: money(&amounts.credited_amount),
            })
        }
        EventPayload::PayinFailed(data) => {
            let (order_id, status, payin_type, own_reference, source, destination, amounts) =
                payin_parts(&data);
            Payload::PayinFailed(pb::PayinFailedEvent {
                order_id,
                status,
                payin_type,
                own_reference,
                source,
                destination,
                received_amount: money(&amounts.received_amount),
                fx: fx(&amounts.fx),
                failure: data.failure.as_ref().map(|failure| pb::PayinFailure {
                    code: text(&failure.code),
                    reason: text(&failure.reason),
                }),
            })
        }
        EventPayload::PayoutCompleted(data) => Payload::PayoutCompleted(payout(&data)),
        EventPayload::VibanActivated(data) => {
            let (viban_id, account_id, rail, status) = viban_parts(&data);
            Payload::VibanActivated(pb::VibanActivatedEvent {
                viban_id,
                account_id,
                rail,
                status,
                iban: text(&data.iban),
                bic: text(&data.bic),
                routing_number: String::new(),
            })
        }
        EventPayload::VibanFailed(data) => {
            let (viban_id, account_id, rail, status) = viban_parts(&data);
            Payload::VibanFailed(pb::VibanFailedEvent {
                viban_id,
                account_id,
                rail,
                status,
                reason: text(&data.reason),
            })
        }
        EventPayload::VibanDeactivated(data) => {
            let (viban_id, account_id, rail, status) = viban_parts(&data);
            Payload::VibanDeactivated(pb::VibanDeactivatedEvent {
                viban_id,
                account_id,
                rail,
                status,
                iban: text(&data.iban),
            })
        }
        EventPayload::KybStateUpdated(data) => Payload::KybStateUpdated(pb::KybStateUpdatedEvent {
            kyb_id: data.kyb_id,
            user_id: data.user_id,
            state: enum_of!(pb::KycLevel, "KYC_LEVEL", data.state.as_str()),
        }),
        EventPayload::RelatedPartyKycSessionCreated(data) => {
            Payload::RelatedPartyKycSessionCreated(pb::RelatedPartyKycSessionCreatedEvent {
                business_user: data.business_user.as_ref().map(|business| {
                    pb::RelatedPartyBusinessUser {
                        id: business.id.unwrap_or_default(),
                        name: text(&business.name),
                    }
                }),
                related_party: data.related_party.as_ref().map(|party| pb::RelatedParty {
                    id: text(&party.id),
                    role_type: opt_enum(
                        party.role_type.as_ref().map(|role| role.as_str()),
                        |wire| enum_of!(pb::RelatedPartyRole, "RELATED_PARTY_ROLE", wire),
                    ),
                    first_name: text(&party.first_name),
                    last_name: text(&party.last_name),
                    email: text(&party.email),
                    phone_number: text(&party.phone_number),
                    nationality: text(&party.nationality),
                    ownership_percentage: party
                        .ownership_percentage
                        .map(|share| share.to_string())
                        .unwrap_or_default(),
                    residential_address: party.residential_address.as_ref().map(|address| {
                        pb::RelatedPartyAddress {
                            address_line1: text(&address.address_line1),
                            city: text(&address.city),
                            province_state: text(&address.province_state),
                            postal_code: text(&address.postal_code),
                            country: text(&address.country),
                        }
                    }),
                    status: text(&party.status),
                }),
                kyc_session: data
                    .kyc_session
                    .as_ref()
                    .map(|session| pb::RelatedPartyKycSession {
                        id: text(&session.id),
                        provider: text(&session.provider),
                        url: text(&session.url),
                        expires_at: timestamp(&session.expires_at),
                    }),
            })
        }
        EventPayload::KycStateUpdated(data) => Payload::KycStateUpdated(pb::KycStateUpdatedEvent {
            kyc_id: data.kyc_id.unwrap_or_default(),
            entity_type: entity_type(data.entity_type.as_ref().map(|e| e.as_str())),
            user_id: text(&data.user_id),
            related_party_id: text(&data.related_party_id),
            state: enum_of!(pb::KycLevel, "KYC_LEVEL", data.state.as_str()),
        }),
        EventPayload::KycExpirationWarning(data) => {
            Payload::KycExpirationWarning(pb::KycExpirationWarningEvent {
                kyc_id: data.kyc_id.unwrap_or_default(),
                entity_type: entity_type(data.entity_type.as_ref().map(|e| e.as_str())),
                user_id: text(&data.user_id),
                related_party_id: text(&data.related_party_id),
                expiration_date: text(&data.expiration_date),
                days_remaining: data
                    .days_remaining
                    .and_then(|days| i32::try_from(days).ok())
                    .unwrap_or_default(),
                action: text(&data.action),
            })
        }
        EventPayload::KycSessionVerified(data) => {
            kyc_session!(data, KycSessionVerified, KycSessionVerifiedEvent)
        }
        EventPayload::KycSessionManualReview(data) => {
            kyc_session!(data, KycSessionManualReview, KycSessionManualReviewEvent)
        }
        EventPayload::KycSessionFailed(data) => {
            kyc_session!(data, KycSessionFailed, KycSessionFailedEvent)
        }
        EventPayload::KycSessionExpired(data) => {
            kyc_session!(data, KycSessionExpired, KycSessionExpiredEvent)
        }
        EventPayload::AccountActivated(data) => {
            Payload::AccountActivated(pb::AccountActivatedEvent {
                account_id: data.account_id,
            })
        }
        EventPayload::TransferStateUpdated(data) => {
            Payload::TransferStateUpdated(pb::TransferStateUpdatedEvent {
                transfer_id: data.transfer_id,
                state: enum_of!(pb::TransferState, "TRANSFER_STATE", data.state.as_str()),
                error: text(&data.error),
            })
        }
        EventPayload::FundPending(data) => {
            let (funding_id, account_id, method, source, received, reference) = fund_parts(&data);
            Payload::FundPending(pb::FundPendingEvent {
                funding_id,
                account_id,
                method,
                source,
                received,
                reference,
            })
        }
        EventPayload::FundReceived(data) => {
            let (funding_id, account_id, method, source, received, reference) = fund_parts(&data);
            Payload::FundReceived(pb::FundReceivedEvent {
                funding_id,
                account_id,
                method,
                source,
                received,
                reference,
                fee: money(&data.fee),
                settled: money(&data.settled),
                quote: data.quote.as_ref().map(|quote| pb::FundQuote {
                    rate: text(&quote.rate),
                    provider: text(&quote.provider),
                    timestamp: timestamp(&quote.timestamp),
                    valid_until: timestamp(&quote.valid_until),
                    spread: text(&quote.spread),
                }),
            })
        }
        EventPayload::FundError(data) => {
            let (funding_id, account_id, method, source, received, reference) = fund_parts(&data);
            Payload::FundError(pb::FundErrorEvent {
                funding_id,
                account_id,
                method,
                source,
                received,
                reference,
                error_message: data
                    .error
                    .as_ref()
                    .map(|error| text(&error.message))
                    .unwrap_or_default(),
            })
        }
        EventPayload::Unknown => return None,
    })
}

type PayinParts = (
    String,
    i32,
    i32,
    String,
    Option<pb::PayinSource>,
    Option<pb::PayinDestination>,
    ralio_core::webhook::PayinAmounts,
);

fn payin_parts(data: &PayinEventData) -> PayinParts {
    (
        data.order_id.clone(),
        enum_of!(pb::PayinStatus, "PAYIN_STATUS", data.status.as_str()),
        enum_of!(pb::PayinType, "PAYIN_TYPE", data.payin_type.as_str()),
        text(&data.own_reference),
        data.source.as_ref().map(payin_source),
        data.destination
            .as_ref()
            .map(|destination| pb::PayinDestination {
                r#type: text(&destination.destination_type),
                credited_account_id: text(&destination.credited_account_id),
                credited_user_id: text(&destination.credited_user_id),
            }),
        data.amounts.clone().unwrap_or_default(),
    )
}

fn payin_source(source: &PayinSource) -> pb::PayinSource {
    pb::PayinSource {
        r#type: opt_enum(source.source_type.as_deref(), |wire| {
            enum_of!(pb::PayinSourceType, "PAYIN_SOURCE_TYPE", wire)
        }),
        payer: source.payer.as_ref().map(|payer| pb::PayinEventPayer {
            name: text(&payer.name),
            email: text(&payer.email),
            phone: text(&payer.phone),
        }),
        card_bin: text(&source.card_bin),
        card_last_four: text(&source.card_last_four),
        routing_type: routing(source.routing_type.as_deref()),
        account_number: text(&source.account_number),
        bank_concept_transfer: text(&source.bank_concept_transfer),
    }
}

fn routing(value: Option<&str>) -> i32 {
    opt_enum(value, |wire| {
        enum_of!(pb::RoutingType, "ROUTING_TYPE", wire)
    })
}

fn payout(data: &PayoutEventData) -> pb::PayoutCompletedEvent {
    let amounts = data.amounts.clone().unwrap_or_default();
    pb::PayoutCompletedEvent {
        order_id: data.order_id.clone(),
        status: data.status.clone(),
        payout_type: opt_enum(data.payout_type.as_deref(), |wire| {
            enum_of!(pb::PayoutType, "PAYOUT_TYPE", wire)
        }),
        own_reference: text(&data.own_reference),
        source: data.source.as_ref().map(|source| pb::PayoutSource {
            r#type: text(&source.source_type),
            debited_account_id: text(&source.debited_account_id),
            debited_user_id: text(&source.debited_user_id),
        }),
        destination: data
            .destination
            .as_ref()
            .map(|destination| pb::PayoutDestination {
                r#type: text(&destination.destination_type),
                routing_type: routing(destination.routing_type.as_deref()),
                account_number: text(&destination.account_number),
                bank_wire_ref: text(&destination.bank_wire_ref),
                swift: text(&destination.swift),
                beneficiary: destination.beneficiary.as_ref().map(beneficiary),
            }),
        debited_amount: money(&amounts.debited_amount),
        fees: fees(&amounts.fees),
        amount_after_fees: money(&amounts.amount_after_fees),
        fx: fx(&amounts.fx),
    }
}

fn beneficiary(beneficiary: &Beneficiary) -> pb::PayoutBeneficiary {
    pb::PayoutBeneficiary {
        r#type: opt_enum(beneficiary.beneficiary_type.as_deref(), |wire| {
            enum_of!(pb::BeneficiaryType, "BENEFICIARY_TYPE", wire)
        }),
        name: text(&beneficiary.name),
        surname: text(&beneficiary.surname),
        relation: text(&beneficiary.relation),
        document: beneficiary
            .document
            .as_ref()
            .map(|document| pb::PayoutDocument {
                document_type: opt_enum(document.document_type.as_deref(), |wire| {
                    enum_of!(pb::PayoutDocumentType, "PAYOUT_DOCUMENT_TYPE", wire)
                }),
                number: text(&document.number),
            }),
        contact: beneficiary
            .contact
            .as_ref()
            .map(|contact| pb::BeneficiaryContact {
                email: text(&contact.email),
                phone: text(&contact.phone),
            }),
        address: beneficiary.address.as_ref().map(address),
    }
}

fn address(address: &PostalAddress) -> pb::PostalAddress {
    pb::PostalAddress {
        line1: text(&address.line1),
        city: text(&address.city),
        postal_code: text(&address.postal_code),
        province: text(&address.province),
        country: text(&address.country),
    }
}

fn viban_parts(data: &VibanEventData) -> (String, String, i32, i32) {
    (
        data.viban_id.clone(),
        text(&data.account_id),
        opt_enum(data.rail.as_ref().map(|rail| rail.as_str()), |wire| {
            enum_of!(pb::VibanRail, "VIBAN_RAIL", wire)
        }),
        opt_enum(data.status.as_ref().map(|state| state.as_str()), |wire| {
            enum_of!(pb::VibanState, "VIBAN_STATE", wire)
        }),
    )
}

fn entity_type(value: Option<&str>) -> i32 {
    opt_enum(value, |wire| {
        enum_of!(pb::KycEntityType, "KYC_ENTITY_TYPE", wire)
    })
}

fn kyc_session(data: KycSessionEventData) -> (String, i32, String, String, Vec<pb::KycCheck>) {
    (
        data.session_id.clone(),
        entity_type(data.entity_type.as_ref().map(|e| e.as_str())),
        text(&data.user_id),
        text(&data.related_party_id),
        data.checks
            .unwrap_or_default()
            .iter()
            .map(kyc_check)
            .collect(),
    )
}

fn kyc_check(check: &KycCheck) -> pb::KycCheck {
    pb::KycCheck {
        r#type: text(&check.check_type),
        state: opt_enum(check.state.as_ref().map(|state| state.as_str()), |wire| {
            // D20: the states are "Validated"/"Refused", also sent as 1/2.
            match wire {
                "1" => pb::IdvCheckState::Validated as i32,
                "2" => pb::IdvCheckState::Refused as i32,
                other => enum_of!(pb::IdvCheckState, "IDV_CHECK_STATE", other),
            }
        }),
        data: check
            .data
            .as_ref()
            .and_then(|data| match json_to_proto(data).kind {
                Some(Kind::StructValue(object)) => Some(object),
                _ => None,
            }),
        reasons: check
            .reasons
            .iter()
            .map(|reason| pb::KycCheckReason {
                r#type: text(&reason.reason_type),
                code: text(&reason.code),
                message: text(&reason.message),
                category: text(&reason.category),
            })
            .collect(),
    }
}

fn json_to_proto(value: &Value) -> prost_types::Value {
    let kind = match value {
        Value::Null => Kind::NullValue(0),
        Value::Bool(flag) => Kind::BoolValue(*flag),
        Value::Number(number) => Kind::NumberValue(number.as_f64().unwrap_or_default()),
        Value::String(text) => Kind::StringValue(text.clone()),
        Value::Array(items) => Kind::ListValue(ListValue {
            values: items.iter().map(json_to_proto).collect(),
        }),
        Value::Object(map) => Kind::StructValue(Struct {
            fields: map
                .iter()
                .map(|(key, value)| (key.clone(), json_to_proto(value)))
                .collect(),
        }),
    };
    prost_types::Value { kind: Some(kind) }
}

fn fund_parts(
    data: &FundEventData,
) -> (
    String,
    String,
    i32,
    Option<pb::FundSource>,
    Option<pb::Money>,
    String,
) {
    (
        text(&data.funding_id),
        text(&data.account_id),
        opt_enum(data.method.as_ref().map(|method| method.as_str()), |wire| {
            enum_of!(pb::FundMethod, "FUND_METHOD", wire)
        }),
        data.source.as_ref().map(|source| pb::FundSource {
            bank_account_number: text(&source.bank_account_number),
            bank_routing_type: routing(source.bank_routing_type.as_deref()),
            card_bin: text(&source.card_bin),
            card_last_four: text(&source.card_last_four),
            internal_account_id: text(&source.internal_account_id),
            transfer_id: text(&source.transfer_id),
            description: text(&source.description),
        }),
        money(&data.received),
        text(&data.reference),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_map_to_proto_enums() {
        assert_eq!(
            enum_of!(pb::PayinType, "PAYIN_TYPE", "bankPayin"),
            pb::PayinType::BankPayin as i32
        );
        assert_eq!(
            enum_of!(pb::VibanState, "VIBAN_STATE", "IN_PROGRESS"),
            pb::VibanState::InProgress as i32
        );
        assert_eq!(
            enum_of!(pb::KycEntityType, "KYC_ENTITY_TYPE", "related-party"),
            pb::KycEntityType::RelatedParty as i32
        );
        assert_eq!(
            enum_of!(pb::IdvCheckState, "IDV_CHECK_STATE", "Validated"),
            pb::IdvCheckState::Validated as i32
        );
        assert_eq!(
            enum_of!(pb::PayinSourceType, "PAYIN_SOURCE_TYPE", "bankAccount"),
            pb::PayinSourceType::BankAccount as i32
        );
        assert_eq!(
            enum_of!(pb::FundMethod, "FUND_METHOD", "bank_transfer"),
            pb::FundMethod::BankTransfer as i32
        );
        assert_eq!(enum_of!(pb::PayinType, "PAYIN_TYPE", "teleport"), 0);
        assert_eq!(timestamp_ms(1_500).nanos, 500_000_000);
        assert_eq!(timestamp_ms(-1).seconds, -1);
    }
}
