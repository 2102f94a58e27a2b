//! Internal transfers and their quotes (spec/NOTES.md D9, D22).

use ralio_core::Secret;
use ralio_core::model::{self, AccountRef};
use tonic::Status;

use super::common::Violations;
use super::orders::{self, order_of_kind};
use crate::proto::ralio::v1 as pb;

/// createTransfer: `(uid, aid)` and the body. The 2FA code is wrapped at once so it never
/// reaches a log.
pub fn create_transfer(
    request: &pb::CreateTransferRequest,
) -> Result<((String, String), model::TransferCreate), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &request.uid);
    let aid = v.uuid("aid", &request.aid);
    let origin = v.money("origin", request.origin.as_ref());
    let recipient = recipient(&mut v, request.recipient.as_ref());
    let reference = v.required("reference", &request.reference);
    if request.code2fa.is_empty() {
        v.add("code2fa", "is required");
    }
    let quote_id = v.optional_uuid("quote_id", &request.quote_id);
    v.finish((
        (uid, aid),
        model::TransferCreate {
            code2fa: Secret::new(request.code2fa.as_str()),
            origin,
            recipient,
            reference,
            quote_id,
        },
    ))
}

/// simulateTransfer.
pub fn simulate_transfer(
    request: &pb::SimulateTransferRequest,
) -> Result<((String, String), model::TransferSimulateRequest), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &request.uid);
    let aid = v.uuid("aid", &request.aid);
    let origin = v.money("origin", request.origin.as_ref());
    let recipient = recipient(&mut v, request.recipient.as_ref());
    v.finish((
        (uid, aid),
        model::TransferSimulateRequest { origin, recipient },
    ))
}

fn recipient(v: &mut Violations, recipient: Option<&pb::AccountRef>) -> AccountRef {
    match v.present("recipient", recipient) {
        Some(recipient) => AccountRef::new(v.uuid("recipient.account_id", &recipient.account_id)),
        None => AccountRef::default(),
    }
}

/// getTransfer.
pub fn transfer_to_proto(detail: model::TransferDetail) -> Result<pb::Transfer, Status> {
    Ok(pb::Transfer {
        order: Some(order_of_kind(detail.order, Some(pb::OrderType::Transfer))?),
        sender: detail.sender.map(orders::account_ref_to_proto),
        recipient: detail.recipient.map(orders::account_ref_to_proto),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::StatusExt;

    #[test]
    fn transfer_needs_money_recipient_and_code() {
        let request = pb::CreateTransferRequest {
            uid: "00000000-0000-4000-8000-000000000001".into(),
            aid: "00000000-0000-4000-8000-000000000101".into(),
            origin: Some(pb::Money {
                currency: "EUR".into(),
                amount: -1,
            }),
            recipient: Some(pb::AccountRef {
                account_id: "x".into(),
            }),
            reference: "T-1".into(),
            code2fa: String::new(),
            quote_id: String::new(),
        };
        let err = create_transfer(&request).unwrap_err();
        let fields: Vec<String> = err
            .get_details_bad_request()
            .unwrap()
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        assert_eq!(fields, ["origin.amount", "recipient.account_id", "code2fa"]);
    }

    #[test]
    fn transfer_body_keeps_the_code_out_of_debug() {
        let request = pb::CreateTransferRequest {
            uid: "00000000-0000-4000-8000-000000000001".into(),
            aid: "00000000-0000-4000-8000-000000000101".into(),
            origin: Some(pb::Money {
                currency: "EUR".into(),
                amount: 100,
            }),
            recipient: Some(pb::AccountRef {
                account_id: "00000000-0000-4000-8000-000000000102".into(),
            }),
            reference: "T-1".into(),
            code2fa: "123456".into(),
            quote_id: String::new(),
        };
        let (_, body) = create_transfer(&request).unwrap();
        assert!(!format!("{body:?}").contains("123456"));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code2fa"], "123456");
        assert_eq!(json["origin"]["amount"], 100);
    }
}
