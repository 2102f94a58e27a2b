//! The `data` of the webhooks money movement fires (webhooks.md §5.1-5.3, spec/NOTES.md D11).
//! The envelope (v1 or v2), signing and delivery belong to the webhook dispatcher.

use super::orders::{Order, OrderDetail, OrderState};
use super::views::{CARD_BIN, CARD_LAST_FOUR};
use serde_json::{Map, Value, json};

/// Wire names of the events built here.
pub const PAYIN_PROCESSING: &str = "payin_processing";
pub const PAYIN_COMPLETED: &str = "payin_completed";
pub const PAYIN_FAILED: &str = "payin_failed";
pub const PAYOUT_COMPLETED: &str = "payout_completed";
pub const TRANSFER_STATE_UPDATED: &str = "transfer_state_updated";

/// One event to emit: its wire name and its `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct MoneyEvent {
    pub event_type: &'static str,
    pub data: Value,
}

fn amount(m: super::currency::Money) -> Value {
    json!({"amount": m.amount, "currency": m.currency})
}

fn fx(order: &Order) -> Option<Value> {
    // v2 webhooks carry the rate as a string (spec/NOTES.md D6).
    order
        .fx
        .as_ref()
        .map(|(rate, _)| json!({"pair": rate.pair(), "rate": rate.decimal_string()}))
}

fn payin_source(order: &Order) -> Value {
    match &order.detail {
        OrderDetail::CardPayin { payer, .. } => {
            let mut p = Map::new();
            for (key, value) in [
                ("name", &payer.name),
                ("email", &payer.email),
                ("phone", &payer.phone),
            ] {
                if let Some(v) = value {
                    p.insert(key.into(), json!(v));
                }
            }
            json!({"type": "card", "payer": p, "cardBin": CARD_BIN, "cardLastFour": CARD_LAST_FOUR})
        }
        OrderDetail::BankPayin {
            sender_account_number,
            bank_concept_transfer,
            payer_name,
            ..
        } => json!({
            "type": "bankAccount",
            "routingType": "IBAN",
            "accountNumber": sender_account_number,
            "bankConceptTransfer": bank_concept_transfer,
            "payer": payer_name.as_ref().map_or_else(|| json!({}), |n| json!({"name": n})),
        }),
        // Upstream never shows the crypto source (webhooks.md §5.1 gap); spec/NOTES.md D22.
        OrderDetail::CryptoPayin { tx_hash } => json!({
            "type": "cryptoWallet",
            "network": "SOLANA",
            "txHash": tx_hash,
        }),
        _ => json!({}),
    }
}

fn payin_type(order: &Order) -> &'static str {
    match order.detail {
        OrderDetail::CardPayin { .. } => "cardPayin",
        OrderDetail::CryptoPayin { .. } => "cryptoPayin",
        _ => "bankPayin",
    }
}

/// `payin_processing` (card payin created), `payin_completed` (settled) or `payin_failed`,
/// chosen by the order's state. `None` for anything that is not a payin.
pub fn payin_event(order: &Order) -> Option<MoneyEvent> {
    if !order.order_type.is_payin() {
        return None;
    }
    let (event_type, status) = match order.state {
        OrderState::Settled => (PAYIN_COMPLETED, "COMPLETED"),
        OrderState::Failed => (PAYIN_FAILED, "FAILED"),
        _ => (PAYIN_PROCESSING, "PROCESSING"),
    };
    let mut amounts = Map::new();
    amounts.insert("receivedAmount".into(), amount(order.origin));
    if order.state == OrderState::Settled {
        amounts.insert("fees".into(), order.fee.webhook_json());
        amounts.insert("amountAfterFees".into(), amount(order.destination));
    }
    if let Some(fx) = fx(order) {
        amounts.insert("fx".into(), fx);
    }
    if order.state == OrderState::Settled {
        amounts.insert("creditedAmount".into(), amount(order.destination));
    }
    let mut data = Map::new();
    data.insert("status".into(), json!(status));
    data.insert("payinType".into(), json!(payin_type(order)));
    data.insert("orderId".into(), json!(order.id));
    if let Some(own) = &order.own_reference {
        data.insert("ownReference".into(), json!(own));
    }
    data.insert("source".into(), payin_source(order));
    data.insert(
        "destination".into(),
        json!({"type": "account", "creditedAccountId": order.account_id, "creditedUserId": order.user_id}),
    );
    data.insert("amounts".into(), Value::Object(amounts));
    if let Some(f) = &order.failure {
        data.insert(
            "failure".into(),
            json!({"code": f.code, "reason": f.reason}),
        );
    }
    Some(MoneyEvent {
        event_type,
        data: Value::Object(data),
    })
}

fn some_or_skip(map: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        map.insert(key.into(), json!(v));
    }
}

fn payout_destination(order: &Order) -> Value {
    match &order.detail {
        OrderDetail::BankPayout { recipient: r, .. } => {
            let mut beneficiary = Map::new();
            beneficiary.insert("type".into(), json!(r.beneficiary_type));
            some_or_skip(
                &mut beneficiary,
                "name",
                &r.name.clone().or_else(|| r.company_name.clone()),
            );
            some_or_skip(&mut beneficiary, "surname", &r.surname);
            some_or_skip(&mut beneficiary, "relation", &r.relation);
            beneficiary.insert(
                "document".into(),
                json!({"type": r.document_type, "number": r.document_number}),
            );
            beneficiary.insert(
                "contact".into(),
                json!({"email": r.email, "phone": r.phone}),
            );
            beneficiary.insert(
                "address".into(),
                json!({
                    "line1": r.address.line1,
                    "postalCode": r.address.postal_code,
                    "province": r.address.province,
                    "city": r.address.city,
                    "country": r.address.country,
                }),
            );
            let mut d = Map::new();
            d.insert("type".into(), json!("bankAccount"));
            d.insert("routingType".into(), json!(r.routing_data));
            d.insert("accountNumber".into(), json!(r.account_number));
            d.insert("bankWireRef".into(), json!(order.reference));
            some_or_skip(&mut d, "swift", &r.swift);
            d.insert("beneficiary".into(), Value::Object(beneficiary));
            Value::Object(d)
        }
        OrderDetail::CryptoPayout { recipient, .. } => json!({
            "type": "cryptoWallet",
            "address": recipient.address,
            "network": recipient.network,
            "currency": order.destination.currency,
        }),
        _ => json!({}),
    }
}

/// `payout_completed` for a settled payout (webhooks.md §5.2). `debitedAmount` is everything the
/// account gave up, fee included, so `amountAfterFees` is what was sent (spec/NOTES.md D22).
pub fn payout_completed(order: &Order) -> Option<MoneyEvent> {
    if !order.order_type.is_payout() || order.state != OrderState::Settled {
        return None;
    }
    let payout_type = match order.detail {
        OrderDetail::CryptoPayout { .. } => "cryptoPayout",
        _ => "bankPayout",
    };
    let debited = super::currency::Money::new(
        order.origin.currency,
        order.origin.amount + order.fee.total(),
    );
    let mut amounts = Map::new();
    amounts.insert("debitedAmount".into(), amount(debited));
    amounts.insert("fees".into(), order.fee.webhook_json());
    amounts.insert("amountAfterFees".into(), amount(order.origin));
    if let Some(fx) = fx(order) {
        amounts.insert("fx".into(), fx);
    }
    amounts.insert("receivedAmount".into(), amount(order.destination));
    let mut data = Map::new();
    data.insert("status".into(), json!("COMPLETED"));
    data.insert("payoutType".into(), json!(payout_type));
    data.insert("orderId".into(), json!(order.id));
    if let Some(own) = &order.own_reference {
        data.insert("ownReference".into(), json!(own));
    }
    data.insert(
        "source".into(),
        json!({"type": "account", "debitedAccountId": order.account_id, "debitedUserId": order.user_id}),
    );
    data.insert("destination".into(), payout_destination(order));
    data.insert("amounts".into(), Value::Object(amounts));
    Some(MoneyEvent {
        event_type: PAYOUT_COMPLETED,
        data: Value::Object(data),
    })
}

/// `transfer_state_updated` (v1, webhooks.md §5.3): `CONFIRMED` while pending, `COMPLETED` when
/// settled, `ERROR` with `error` when failed.
pub fn transfer_state_updated(order: &Order) -> Option<MoneyEvent> {
    // Only transfers have a counterparty.
    order.counterparty()?;
    let data = match (order.state, &order.failure) {
        (OrderState::Settled, _) => json!({"transferId": order.id, "state": "COMPLETED"}),
        (OrderState::Failed, failure) => json!({
            "transferId": order.id,
            "state": "ERROR",
            "error": failure.as_ref().map_or("transfer failed", |f| f.reason.as_str()),
        }),
        _ => json!({"transferId": order.id, "state": "CONFIRMED"}),
    };
    Some(MoneyEvent {
        event_type: TRANSFER_STATE_UPDATED,
        data,
    })
}

/// The event an order's current state calls for, if any (payouts fire only on settle; upstream
/// documents no payout failure event).
pub fn event_for(order: &Order) -> Option<MoneyEvent> {
    payin_event(order)
        .or_else(|| payout_completed(order))
        .or_else(|| transfer_state_updated(order))
}
