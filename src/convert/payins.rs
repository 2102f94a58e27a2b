//! Payins: card payins are created here; bank and crypto payins (which arrive from outside,
//! spec/NOTES.md D9) are only read.

use ralio_core::model::{self, Currency};
use tonic::Status;

use super::common::{self, Violations};
use super::orders::{self, order_of_kind};
use crate::proto::ralio::v1 as pb;

/// createCardPayin: `(uid, aid)` and the body. The body's flat `amount` + `currency` mirror the
/// REST shape (D19).
pub fn create_card_payin(
    request: &pb::CreateCardPayinRequest,
) -> Result<((String, String), model::CardPayinCreate), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &request.uid);
    let aid = v.uuid("aid", &request.aid);
    let amount = v.positive_amount("amount", request.amount);
    let currency = account_currency(&mut v, "currency", request.currency);
    let reference = v.required("reference", &request.reference);
    let url_success = v.required("url_success", &request.url_success);
    let url_failed = v.required("url_failed", &request.url_failed);
    let payer = request
        .payer
        .as_ref()
        .map(|payer| payer_from_proto(&mut v, payer));
    v.finish((
        (uid, aid),
        model::CardPayinCreate {
            amount,
            currency,
            reference,
            url_failed,
            url_success,
            payer,
        },
    ))
}

/// `AccountCurrency` (EUR/USD only) as the model's currency.
fn account_currency(v: &mut Violations, field: &str, value: i32) -> Currency {
    match pb::AccountCurrency::try_from(value) {
        Ok(pb::AccountCurrency::Eur) => Currency::Eur,
        Ok(pb::AccountCurrency::Usd) => Currency::Usd,
        Ok(pb::AccountCurrency::Unspecified) => {
            v.add(field, "is required");
            Currency::Unknown(String::new())
        }
        Err(_) => {
            v.add(field, format!("unknown value {value}"));
            Currency::Unknown(String::new())
        }
    }
}

fn payer_from_proto(v: &mut Violations, payer: &pb::Payer) -> model::Payer {
    let document_type = match pb::IdentityDocumentType::try_from(payer.document_type) {
        Ok(kind) => identity_document_to_wire(kind),
        Err(_) => {
            v.add(
                "payer.document_type",
                format!("unknown value {}", payer.document_type),
            );
            None
        }
    };
    model::Payer {
        address: Violations::optional(&payer.address),
        birthdate: v.optional_date("payer.birthdate", &payer.birthdate),
        city: Violations::optional(&payer.city),
        country: Violations::optional(&payer.country),
        document_number: Violations::optional(&payer.document_number),
        document_type: document_type.map(str::to_owned),
        email: Violations::optional(&payer.email),
        name: Violations::optional(&payer.name),
        phone: Violations::optional(&payer.phone),
        postal_code: Violations::optional(&payer.postal_code),
        province: Violations::optional(&payer.province),
        surname: Violations::optional(&payer.surname),
    }
}

fn identity_document_to_wire(kind: pb::IdentityDocumentType) -> Option<&'static str> {
    match kind {
        pb::IdentityDocumentType::Unspecified => None,
        pb::IdentityDocumentType::NationalId => Some("NATIONAL_ID"),
        pb::IdentityDocumentType::ResidenceCard => Some("RESIDENCE_CARD"),
        pb::IdentityDocumentType::Passport => Some("PASSPORT"),
        pb::IdentityDocumentType::DrivingLicense => Some("DRIVING_LICENSE"),
    }
}

fn identity_document_from_wire(wire: &str) -> pb::IdentityDocumentType {
    match wire {
        "NATIONAL_ID" => pb::IdentityDocumentType::NationalId,
        "RESIDENCE_CARD" => pb::IdentityDocumentType::ResidenceCard,
        "PASSPORT" => pb::IdentityDocumentType::Passport,
        "DRIVING_LICENSE" => pb::IdentityDocumentType::DrivingLicense,
        _ => pb::IdentityDocumentType::Unspecified,
    }
}

fn payer_to_proto(payer: model::Payer) -> pb::Payer {
    pb::Payer {
        name: payer.name.unwrap_or_default(),
        surname: payer.surname.unwrap_or_default(),
        email: payer.email.unwrap_or_default(),
        phone: payer.phone.unwrap_or_default(),
        // Upstream types it date-time; only the date part is meaningful (D17).
        birthdate: payer
            .birthdate
            .map(|date| date.chars().take(10).collect())
            .unwrap_or_default(),
        document_type: payer.document_type.as_deref().map_or(
            pb::IdentityDocumentType::Unspecified,
            identity_document_from_wire,
        ) as i32,
        document_number: payer.document_number.unwrap_or_default(),
        address: payer.address.unwrap_or_default(),
        city: payer.city.unwrap_or_default(),
        province: payer.province.unwrap_or_default(),
        postal_code: payer.postal_code.unwrap_or_default(),
        country: payer.country.unwrap_or_default(),
    }
}

/// createCardPayin's response.
pub fn card_payin_created_to_proto(
    created: model::CardPayinCreated,
) -> Result<pb::CardPayinCreated, Status> {
    Ok(pb::CardPayinCreated {
        order: Some(order_of_kind(
            created.order,
            Some(pb::OrderType::CardPayIn),
        )?),
        payment_url: created.payment_url.unwrap_or_default(),
    })
}

/// getCardPayin.
pub fn card_payin_to_proto(detail: model::CardPayinDetail) -> Result<pb::CardPayin, Status> {
    let card = match detail.card {
        None => None,
        Some(card) => Some(pb::CardDetails {
            expiration: common::timestamp("card.expiration", card.expiration.as_deref())?,
            card_bin: card.card_bin.unwrap_or_default(),
            card_pan: card.card_pan.unwrap_or_default(),
        }),
    };
    Ok(pb::CardPayin {
        order: Some(order_of_kind(detail.order, Some(pb::OrderType::CardPayIn))?),
        card,
        payer: detail.payer.map(payer_to_proto),
        recipient: detail.recipient.map(orders::account_ref_to_proto),
    })
}

/// getBankPayin.
pub fn bank_payin_to_proto(detail: model::BankPayinDetail) -> Result<pb::BankPayin, Status> {
    Ok(pb::BankPayin {
        order: Some(order_of_kind(detail.order, Some(pb::OrderType::BankPayIn))?),
        bank_concept_transfer: detail.bank_concept_transfer.unwrap_or_default(),
        sender: detail.sender.map(|sender| pb::BankPayinSender {
            account_number: sender.account_number.unwrap_or_default(),
            routing_data: sender.routing_data.unwrap_or_default(),
        }),
        recipient: detail.recipient.map(orders::account_ref_to_proto),
    })
}

/// getCryptoPayin.
pub fn crypto_payin_to_proto(detail: model::CryptoPayinDetail) -> Result<pb::CryptoPayin, Status> {
    Ok(pb::CryptoPayin {
        order: Some(order_of_kind(
            detail.order,
            Some(pb::OrderType::CryptoPayIn),
        )?),
        sender: detail.sender.map(|sender| pb::CryptoPayinSender {
            tx_hash: sender.tx_hash.unwrap_or_default(),
        }),
        recipient: detail.recipient.map(orders::account_ref_to_proto),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::StatusExt;

    fn fields(status: &Status) -> Vec<String> {
        status
            .get_details_bad_request()
            .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
            .unwrap_or_default()
    }

    fn request() -> pb::CreateCardPayinRequest {
        pb::CreateCardPayinRequest {
            uid: "00000000-0000-4000-8000-000000000001".into(),
            aid: "00000000-0000-4000-8000-000000000101".into(),
            amount: 5000,
            currency: pb::AccountCurrency::Eur as i32,
            reference: "INV-1".into(),
            url_success: "https://shop.example/ok".into(),
            url_failed: "https://shop.example/ko".into(),
            payer: Some(pb::Payer {
                name: "Ana".into(),
                birthdate: "1990-02-03".into(),
                document_type: pb::IdentityDocumentType::Passport as i32,
                ..Default::default()
            }),
        }
    }

    #[test]
    fn card_payin_body_is_flat_amount_and_currency() {
        let (_, body) = create_card_payin(&request()).unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["amount"], 5000);
        assert_eq!(json["currency"], "EUR");
        assert_eq!(json["urlSuccess"], "https://shop.example/ok");
        assert_eq!(json["payer"]["documentType"], "PASSPORT");
        assert_eq!(json["payer"]["birthdate"], "1990-02-03");
    }

    #[test]
    fn bad_card_payin_names_every_field() {
        let mut bad = request();
        bad.amount = 0;
        bad.currency = 0;
        bad.reference.clear();
        bad.payer = Some(pb::Payer {
            birthdate: "03/02/1990".into(),
            ..Default::default()
        });
        let err = create_card_payin(&bad).unwrap_err();
        assert_eq!(
            fields(&err),
            ["amount", "currency", "reference", "payer.birthdate"]
        );
    }
}
