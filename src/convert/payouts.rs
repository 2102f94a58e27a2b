//! Bank and crypto payouts, their quotes and OTPs (spec/NOTES.md D9, D19, D22).

use ralio_core::Secret;
use ralio_core::model::{self, BeneficiaryType, Money, PayoutDocumentType, PostalAddress};
use tonic::Status;

use super::common::{self, Violations};
use super::orders::{self, order_of_kind, routing_type_to_wire};
use crate::proto::ralio::v1 as pb;
use crate::status;

/// The owner and account a payout debits: `(uid, aid)`.
pub type AccountPath = (String, String);

/// createBankPayout: path ids and the newest body (D19).
pub fn create_bank_payout(
    request: &pb::CreateBankPayoutRequest,
) -> Result<(AccountPath, model::BankPayoutCreate), Status> {
    let mut v = Violations::new();
    let path = account_path(&mut v, &request.uid, &request.aid);
    let amounts = payout_amounts(&mut v, request.amounts.as_ref());
    let description = v.required("description", &request.description);
    let own_reference = v.required("own_reference", &request.own_reference);
    let recipient = bank_recipient(&mut v, request.recipient.as_ref());
    let quote_id = v.optional_uuid("quote_id", &request.quote_id);
    v.into_result()?;
    let (Some(amounts), Some(recipient)) = (amounts, recipient) else {
        return Err(validated_but_missing());
    };
    Ok((
        path,
        model::BankPayoutCreate {
            amounts,
            description,
            own_reference,
            recipient,
            quote_id,
        },
    ))
}

/// simulateBankPayout.
pub fn simulate_bank_payout(
    request: &pb::SimulateBankPayoutRequest,
) -> Result<(AccountPath, model::BankPayoutSimulateRequest), Status> {
    let mut v = Violations::new();
    let path = account_path(&mut v, &request.uid, &request.aid);
    let amounts = payout_amounts(&mut v, request.amounts.as_ref());
    let recipient = match request.recipient.as_ref() {
        None => model::SimulateRecipient::default(),
        Some(recipient) => model::SimulateRecipient {
            country: Violations::optional(&recipient.country),
            routing_data: routing(&mut v, "recipient.routing_type", recipient.routing_type)
                .map(str::to_owned),
        },
    };
    v.into_result()?;
    let Some(amounts) = amounts else {
        return Err(validated_but_missing());
    };
    Ok((
        path,
        model::BankPayoutSimulateRequest { amounts, recipient },
    ))
}

/// createCryptoPayout (body mirrors the bank payout, D19).
pub fn create_crypto_payout(
    request: &pb::CreateCryptoPayoutRequest,
) -> Result<(AccountPath, model::CryptoPayoutCreate), Status> {
    let mut v = Violations::new();
    let path = account_path(&mut v, &request.uid, &request.aid);
    let amounts = payout_amounts(&mut v, request.amounts.as_ref());
    let description = v.required("description", &request.description);
    let own_reference = v.required("own_reference", &request.own_reference);
    let recipient = match request.recipient.as_ref() {
        None => {
            v.add("recipient", "required");
            None
        }
        Some(recipient) => {
            let address = v.required("recipient.address", &recipient.address);
            let currency = match pb::Currency::try_from(recipient.currency) {
                Ok(pb::Currency::Eur) => Some("EUR"),
                Ok(pb::Currency::Usd) => Some("USD"),
                Ok(pb::Currency::Usdt) => Some("USDT"),
                Ok(pb::Currency::Unspecified) | Err(_) => {
                    v.add("recipient.currency", "required: a known currency");
                    None
                }
            };
            let network = match pb::CryptoNetwork::try_from(recipient.network) {
                Ok(pb::CryptoNetwork::Solana) => Some("SOLANA"),
                Ok(pb::CryptoNetwork::Unspecified) | Err(_) => {
                    v.add("recipient.network", "required: a known network");
                    None
                }
            };
            currency
                .zip(network)
                .map(|(currency, network)| model::CryptoRecipient {
                    address,
                    currency: currency.to_owned(),
                    network: network.to_owned(),
                    amount: None,
                })
        }
    };
    v.into_result()?;
    let (Some(amounts), Some(recipient)) = (amounts, recipient) else {
        return Err(validated_but_missing());
    };
    Ok((
        path,
        model::CryptoPayoutCreate {
            amounts,
            description,
            own_reference,
            recipient,
        },
    ))
}

/// The order id and OTP of a validate-otp call. The code is wrapped at once so it never
/// reaches a log.
pub fn validate_otp(oid: &str, code: &str) -> Result<(String, Secret), Status> {
    let mut v = Violations::new();
    let oid = v.uuid("oid", oid);
    if code.is_empty() {
        v.add("code", "required");
    }
    v.into_result()?;
    Ok((oid, Secret::new(code)))
}

/// sendOtp.
pub fn send_otp(request: &pb::SendOtpRequest) -> Result<model::OtpSendRequest, Status> {
    let mut v = Violations::new();
    let order_id = v.uuid("order_id", &request.order_id);
    let phone_number = v.required("phone_number", &request.phone_number);
    let phone_number_country = v.required("phone_number_country", &request.phone_number_country);
    v.into_result()?;
    Ok(model::OtpSendRequest {
        order_id,
        phone_number,
        phone_number_country,
    })
}

fn account_path(v: &mut Violations, uid: &str, aid: &str) -> AccountPath {
    (v.uuid("uid", uid), v.uuid("aid", aid))
}

/// `amounts`: exactly one side carries a positive amount; the other may carry only its
/// currency (amount 0), which names that side's currency (D19, D22).
fn payout_amounts(
    v: &mut Violations,
    amounts: Option<&pb::PayoutAmounts>,
) -> Option<model::PayoutAmounts> {
    let Some(amounts) = amounts else {
        v.add("amounts", "required");
        return None;
    };
    let debited = amount_side(v, "amounts.debited_amount", amounts.debited_amount.as_ref());
    let received = amount_side(
        v,
        "amounts.received_amount",
        amounts.received_amount.as_ref(),
    );
    let (debited, received) = (debited?, received?);
    let positive = |side: &Option<Money>| side.as_ref().is_some_and(|m| m.amount > 0);
    match (positive(&debited), positive(&received)) {
        (true, false) | (false, true) => Some(model::PayoutAmounts {
            debited_amount: debited,
            received_amount: received,
        }),
        (false, false) => {
            v.add(
                "amounts.debited_amount.amount",
                "exactly one of amounts.debited_amount.amount and \
                 amounts.received_amount.amount must be greater than zero",
            );
            None
        }
        (true, true) => {
            v.add(
                "amounts.received_amount.amount",
                "must be 0 when amounts.debited_amount.amount is set (exactly one side is fixed)",
            );
            None
        }
    }
}

/// One side of `amounts`: `Ok(None)` when absent or empty, a zero amount with a currency, or a
/// positive amount with a currency. `None` after recording a violation.
fn amount_side(
    v: &mut Violations,
    field: &str,
    money: Option<&pb::Money>,
) -> Option<Option<Money>> {
    let Some(money) = money else {
        return Some(None);
    };
    if money.amount == 0 && money.currency.is_empty() {
        return Some(None);
    }
    let mut valid = true;
    if money.amount < 0 {
        v.add(format!("{field}.amount"), "must not be negative");
        valid = false;
    } else if money.amount > common::MAX_AMOUNT {
        v.add(
            format!("{field}.amount"),
            "must be at most 10^15 minor units",
        );
        valid = false;
    }
    let currency = currency(v, &format!("{field}.currency"), &money.currency);
    match currency {
        Some(currency) if valid => Some(Some(Money::new(currency, money.amount))),
        _ => None,
    }
}

/// Unreachable: every `None` a converter returns was recorded as a violation first. Answered
/// as INTERNAL rather than a panic should that ever stop being true.
fn validated_but_missing() -> Status {
    status::internal("the request passed validation but could not be converted")
}

/// A required currency code, passed on as given (upper-cased) like `Violations::money` does:
/// RalioPay rejects codes it does not know.
fn currency(v: &mut Violations, field: &str, code: &str) -> Option<model::Currency> {
    let code = v.required(field, code);
    (!code.trim().is_empty()).then(|| model::Currency::from_wire(&code.to_ascii_uppercase()))
}

/// The recipient's postal address: street, city and country are required (API reference).
fn postal_address(v: &mut Violations, field: &str, address: &pb::PostalAddress) -> PostalAddress {
    PostalAddress {
        line1: Some(v.required(&common::path(field, "line1"), &address.line1)),
        city: Some(v.required(&common::path(field, "city"), &address.city)),
        country: Some(v.required(&common::path(field, "country"), &address.country)),
        postal_code: Violations::optional(&address.postal_code),
        province: Violations::optional(&address.province),
    }
}

fn routing(v: &mut Violations, field: &str, value: i32) -> Option<&'static str> {
    match pb::RoutingType::try_from(value) {
        Ok(routing) => routing_type_to_wire(routing),
        Err(_) => {
            v.add(field, "unknown routing type");
            None
        }
    }
}

fn bank_recipient(
    v: &mut Violations,
    recipient: Option<&pb::BankPayoutRecipient>,
) -> Option<model::BankPayoutRecipient> {
    let Some(r) = recipient else {
        v.add("recipient", "required");
        return None;
    };
    let beneficiary_type = match pb::BeneficiaryType::try_from(r.beneficiary_type) {
        Ok(pb::BeneficiaryType::Person) => Some(BeneficiaryType::Person),
        Ok(pb::BeneficiaryType::Business) => Some(BeneficiaryType::Business),
        Ok(pb::BeneficiaryType::Unspecified) | Err(_) => {
            v.add("recipient.beneficiary_type", "required: PERSON or BUSINESS");
            None
        }
    };
    let account_number = v.required("recipient.account_number", &r.account_number);
    let routing_data = routing(v, "recipient.routing_type", r.routing_type);
    if routing_data.is_none() && pb::RoutingType::try_from(r.routing_type).is_ok() {
        v.add("recipient.routing_type", "required");
    }
    // PERSON needs the person's names and relation, BUSINESS the company name (API reference).
    let person = beneficiary_type == Some(BeneficiaryType::Person);
    let business = beneficiary_type == Some(BeneficiaryType::Business);
    let (name, surname, relation) = if person {
        (
            Some(v.required("recipient.name", &r.name)),
            Some(v.required("recipient.surname", &r.surname)),
            Some(v.required("recipient.relation", &r.relation)),
        )
    } else {
        (
            Violations::optional(&r.name),
            Violations::optional(&r.surname),
            Violations::optional(&r.relation),
        )
    };
    let company_name = if business {
        Some(v.required("recipient.company_name", &r.company_name))
    } else {
        Violations::optional(&r.company_name)
    };
    let document = match r.document.as_ref() {
        None => {
            v.add("recipient.document", "required");
            None
        }
        Some(document) => {
            let document_type = document_type(v, document.document_type);
            let number = v.required("recipient.document.number", &document.number);
            document_type.map(|document_type| model::PayoutDocument {
                document_type,
                number,
            })
        }
    };
    let address = match r.address.as_ref() {
        None => {
            v.add("recipient.address", "required");
            None
        }
        Some(address) => Some(postal_address(v, "recipient.address", address)),
    };
    let contact = r
        .contact
        .as_ref()
        .and_then(|contact| Violations::optional(&contact.phone))
        .map(|phone| model::RecipientContact { phone: Some(phone) });
    Some(model::BankPayoutRecipient {
        account_number,
        address: address?,
        beneficiary_type: beneficiary_type?,
        document: document?,
        routing_data: routing_data?.to_owned(),
        company_name,
        contact,
        name,
        relation,
        surname,
        swift: Violations::optional(&r.swift),
    })
}

fn document_type(v: &mut Violations, value: i32) -> Option<PayoutDocumentType> {
    let kind = match pb::PayoutDocumentType::try_from(value) {
        Ok(pb::PayoutDocumentType::NationalId) => PayoutDocumentType::NationalId,
        Ok(pb::PayoutDocumentType::ResidenceCard) => PayoutDocumentType::ResidenceCard,
        Ok(pb::PayoutDocumentType::Passport) => PayoutDocumentType::Passport,
        Ok(pb::PayoutDocumentType::DrivingLicense) => PayoutDocumentType::DrivingLicense,
        Ok(pb::PayoutDocumentType::Cif) => PayoutDocumentType::Cif,
        Ok(pb::PayoutDocumentType::TaxId) => PayoutDocumentType::TaxId,
        Ok(pb::PayoutDocumentType::Unspecified) | Err(_) => {
            v.add(
                "recipient.document.document_type",
                "required: a known document type",
            );
            return None;
        }
    };
    Some(kind)
}

/// A create response: the order and whether it waits for an OTP.
pub fn payout_created_to_proto(
    created: model::PayoutCreated,
    kind: pb::OrderType,
) -> Result<pb::PayoutCreated, Status> {
    Ok(pb::PayoutCreated {
        order: Some(order_of_kind(created.order, Some(kind))?),
        is_otp_required: created.is_otp_required.unwrap_or(false),
    })
}

/// getBankPayout.
pub fn bank_payout_to_proto(detail: model::BankPayoutDetail) -> Result<pb::BankPayout, Status> {
    Ok(pb::BankPayout {
        order: Some(order_of_kind(
            detail.order,
            Some(pb::OrderType::BankPayOut),
        )?),
        description: detail.description.unwrap_or_default(),
        recipient: detail.recipient.map(bank_recipient_detail_to_proto),
        sender: detail.sender.map(orders::account_ref_to_proto),
    })
}

fn bank_recipient_detail_to_proto(
    r: model::BankPayoutDetailRecipient,
) -> pb::BankPayoutRecipientDetail {
    let beneficiary_type = match r.beneficiary_type {
        Some(BeneficiaryType::Person) => pb::BeneficiaryType::Person,
        Some(BeneficiaryType::Business) => pb::BeneficiaryType::Business,
        Some(BeneficiaryType::Unknown(_)) | None => pb::BeneficiaryType::Unspecified,
    };
    let document_type = r
        .document_type
        .as_deref()
        .map(PayoutDocumentType::from_wire)
        .map_or(pb::PayoutDocumentType::Unspecified, |kind| match kind {
            PayoutDocumentType::NationalId => pb::PayoutDocumentType::NationalId,
            PayoutDocumentType::ResidenceCard => pb::PayoutDocumentType::ResidenceCard,
            PayoutDocumentType::Passport => pb::PayoutDocumentType::Passport,
            PayoutDocumentType::DrivingLicense => pb::PayoutDocumentType::DrivingLicense,
            PayoutDocumentType::Cif => pb::PayoutDocumentType::Cif,
            PayoutDocumentType::TaxId => pb::PayoutDocumentType::TaxId,
            PayoutDocumentType::Unknown(_) => pb::PayoutDocumentType::Unspecified,
        });
    pb::BankPayoutRecipientDetail {
        beneficiary_type: beneficiary_type as i32,
        account_number: r.account_number.unwrap_or_default(),
        routing_data: r.routing_data.unwrap_or_default(),
        swift: r.swift.unwrap_or_default(),
        amount: r.amount.unwrap_or_default(),
        currency: r.currency.unwrap_or_default(),
        name: r.name.unwrap_or_default(),
        surname: r.surname.unwrap_or_default(),
        relation: r.relation.unwrap_or_default(),
        document_type: document_type as i32,
        document_number: r.document_number.unwrap_or_default(),
        address: r.address.unwrap_or_default(),
        city: r.city.unwrap_or_default(),
        province: r.province.unwrap_or_default(),
        postal_code: r.postal_code.unwrap_or_default(),
        country: r.country.unwrap_or_default(),
        phone: r.phone.unwrap_or_default(),
    }
}

/// getCryptoPayout.
pub fn crypto_payout_to_proto(
    detail: model::CryptoPayoutDetail,
) -> Result<pb::CryptoPayout, Status> {
    Ok(pb::CryptoPayout {
        order: Some(order_of_kind(
            detail.order,
            Some(pb::OrderType::CryptoPayOut),
        )?),
        can_cancel: detail.can_cancel.unwrap_or(false),
        cancel_requested_at: common::timestamp(
            "cancelRequestedAt",
            detail.cancel_requested_at.as_deref(),
        )?,
        canceled_at: common::timestamp("canceledAt", detail.canceled_at.as_deref())?,
        recipient: detail.recipient.map(|r| pb::CryptoPayoutRecipientDetail {
            network: match r.network.as_str() {
                "SOLANA" => pb::CryptoNetwork::Solana,
                _ => pb::CryptoNetwork::Unspecified,
            } as i32,
            address: r.address,
            amount: r.amount.unwrap_or_default(),
            currency: r.currency,
        }),
        sender: detail.sender.map(orders::account_ref_to_proto),
    })
}

/// sendOtp's response.
pub fn otp_sent_to_proto(sent: model::OtpSendResponse) -> Result<pb::OtpSent, Status> {
    Ok(pb::OtpSent {
        expires_at: common::timestamp("expiresAt", sent.expires_at.as_deref())?,
        message: sent.message.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ralio_core::model::Currency;
    use tonic::Code;
    use tonic_types::StatusExt;

    const UID: &str = "00000000-0000-4000-8000-000000000001";
    const AID: &str = "00000000-0000-4000-8000-000000000101";

    fn money(currency: &str, amount: i64) -> Option<pb::Money> {
        Some(pb::Money {
            currency: currency.into(),
            amount,
        })
    }

    fn bank_request() -> pb::CreateBankPayoutRequest {
        pb::CreateBankPayoutRequest {
            uid: UID.into(),
            aid: AID.into(),
            amounts: Some(pb::PayoutAmounts {
                debited_amount: money("EUR", 2500),
                received_amount: money("EUR", 0),
            }),
            description: "rent".into(),
            own_reference: "R-1".into(),
            recipient: Some(pb::BankPayoutRecipient {
                beneficiary_type: pb::BeneficiaryType::Person as i32,
                account_number: "ES9121000418450200051332".into(),
                routing_type: pb::RoutingType::Iban as i32,
                name: "Ana".into(),
                surname: "Ruiz".into(),
                relation: "FRIEND".into(),
                document: Some(pb::PayoutDocument {
                    document_type: pb::PayoutDocumentType::Passport as i32,
                    number: "X1".into(),
                }),
                address: Some(pb::PostalAddress {
                    line1: "Calle 1".into(),
                    city: "Madrid".into(),
                    country: "ES".into(),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            quote_id: String::new(),
        }
    }

    fn fields(status: &Status) -> Vec<String> {
        assert_eq!(status.code(), Code::InvalidArgument);
        status
            .get_details_bad_request()
            .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn bank_payout_converts_to_the_newest_body() {
        let ((uid, aid), body) = create_bank_payout(&bank_request()).unwrap();
        assert_eq!((uid.as_str(), aid.as_str()), (UID, AID));
        assert_eq!(
            body.amounts.debited_amount,
            Some(Money::new(Currency::Eur, 2500))
        );
        assert_eq!(
            body.amounts.received_amount,
            Some(Money::new(Currency::Eur, 0))
        );
        assert_eq!(body.recipient.routing_data, "IBAN");
        assert_eq!(body.recipient.beneficiary_type, BeneficiaryType::Person);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["recipient"]["document"]["documentType"], "PASSPORT");
    }

    #[test]
    fn bad_amounts_name_the_proto_field() {
        let mut request = bank_request();
        request.amounts = Some(pb::PayoutAmounts {
            debited_amount: money("EUR", -5),
            received_amount: None,
        });
        let err = create_bank_payout(&request).unwrap_err();
        assert!(fields(&err).contains(&"amounts.debited_amount.amount".to_owned()));

        request.amounts = Some(pb::PayoutAmounts {
            debited_amount: money("", 100),
            received_amount: None,
        });
        let err = create_bank_payout(&request).unwrap_err();
        assert!(fields(&err).contains(&"amounts.debited_amount.currency".to_owned()));

        request.amounts = Some(pb::PayoutAmounts {
            debited_amount: money("EUR", 0),
            received_amount: money("EUR", 0),
        });
        let err = create_bank_payout(&request).unwrap_err();
        assert!(fields(&err).contains(&"amounts.debited_amount.amount".to_owned()));

        request.amounts = None;
        request.recipient = None;
        request.uid = "nope".into();
        let err = create_bank_payout(&request).unwrap_err();
        let named = fields(&err);
        for field in ["uid", "amounts", "recipient"] {
            assert!(named.contains(&field.to_owned()), "{named:?}");
        }
    }

    #[test]
    fn business_needs_company_name_and_person_needs_names() {
        let mut request = bank_request();
        if let Some(recipient) = request.recipient.as_mut() {
            recipient.beneficiary_type = pb::BeneficiaryType::Business as i32;
        }
        let err = create_bank_payout(&request).unwrap_err();
        assert_eq!(fields(&err), vec!["recipient.company_name".to_owned()]);
    }

    #[test]
    fn otp_code_is_required_and_kept_secret() {
        let err = validate_otp("00000000-0000-4000-8000-000000000009", "").unwrap_err();
        assert_eq!(fields(&err), vec!["code".to_owned()]);
        let (_, code) = validate_otp("00000000-0000-4000-8000-000000000009", "123456").unwrap();
        assert!(!format!("{code:?}").contains("123456"));
    }
}
