//! The JSON the API returns for orders, quotes and transactions (openapi.yaml `Order`,
//! `*Detail`, `Transaction`; spec/NOTES.md D8, D9).

use super::ledger::Transaction;
use super::orders::{BankRecipient, Order, OrderDetail, Payer};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// RFC 3339 UTC with milliseconds, the sandbox's one time format.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Inserts `value` under `key` when present; absent optional fields are omitted, not `null`.
fn put<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.into());
    }
}

fn fields(order: &Order) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(order.id));
    m.insert("type".into(), json!(order.order_type.code()));
    m.insert("displayType".into(), json!(order.order_type.display()));
    m.insert(
        "direction".into(),
        json!(order.order_type.direction().code()),
    );
    m.insert("state".into(), json!(order.state.code()));
    m.insert("origin".into(), json!(order.origin));
    m.insert("destination".into(), json!(order.destination));
    m.insert("fee".into(), order.fee.api_json());
    if let Some((rate, at)) = &order.fx {
        m.insert(
            "fx".into(),
            json!({"pair": rate.pair(), "rate": rate.json_number(), "timestamp": rfc3339(*at)}),
        );
    }
    m.insert("reference".into(), json!(order.reference));
    put(&mut m, "ownReference", order.own_reference.clone());
    m.insert("createdAt".into(), json!(rfc3339(order.created_at)));
    put(&mut m, "validatedAt", order.validated_at.map(rfc3339));
    put(&mut m, "settledAt", order.settled_at.map(rfc3339));
    put(&mut m, "failedAt", order.failed_at.map(rfc3339));
    m.insert("updatedAt".into(), json!(rfc3339(order.updated_at)));
    m
}

/// The generic `Order` of lists and create responses.
pub fn order_json(order: &Order) -> Value {
    let mut m = fields(order);
    m.insert(
        "detailUrl".into(),
        json!(format!("/api/v1/account/orders/{}", order.id)),
    );
    Value::Object(m)
}

/// A payout's create response: the order plus `isOTPRequired` (always true in the sandbox).
pub fn payout_created_json(order: &Order) -> Value {
    let mut v = order_json(order);
    v["isOTPRequired"] = json!(true);
    v
}

pub fn payer_json(p: &Payer) -> Value {
    let mut m = Map::new();
    put(&mut m, "name", p.name.clone());
    put(&mut m, "surname", p.surname.clone());
    put(&mut m, "email", p.email.clone());
    put(&mut m, "phone", p.phone.clone());
    put(&mut m, "address", p.address.clone());
    put(&mut m, "city", p.city.clone());
    put(&mut m, "postalCode", p.postal_code.clone());
    put(&mut m, "province", p.province.clone());
    put(&mut m, "country", p.country.clone());
    put(&mut m, "documentType", p.document_type.clone());
    put(&mut m, "documentNumber", p.document_number.clone());
    put(&mut m, "birthdate", p.birthdate.clone());
    Value::Object(m)
}

/// The sandbox's test card (every card payin is "paid" with it).
pub const CARD_BIN: &str = "999999";
pub const CARD_LAST_FOUR: &str = "9999";

fn bank_recipient_json(r: &BankRecipient, order: &Order) -> Value {
    let mut m = Map::new();
    m.insert("beneficiaryType".into(), json!(r.beneficiary_type));
    put(
        &mut m,
        "name",
        r.name.clone().or_else(|| r.company_name.clone()),
    );
    put(&mut m, "surname", r.surname.clone());
    put(&mut m, "companyName", r.company_name.clone());
    put(&mut m, "relation", r.relation.clone());
    put(&mut m, "documentType", r.document_type.clone());
    put(&mut m, "documentNumber", r.document_number.clone());
    m.insert("accountNumber".into(), json!(r.account_number));
    m.insert("routingData".into(), json!(r.routing_data));
    put(&mut m, "swift", r.swift.clone());
    put(&mut m, "phone", r.phone.clone());
    put(&mut m, "address", r.address.line1.clone());
    put(&mut m, "postalCode", r.address.postal_code.clone());
    put(&mut m, "province", r.address.province.clone());
    put(&mut m, "city", r.address.city.clone());
    put(&mut m, "country", r.address.country.clone());
    m.insert("currency".into(), json!(order.destination.currency));
    m.insert("amount".into(), json!(order.destination.amount));
    Value::Object(m)
}

/// The detail view of the get route matching the order's type (`CardPayinDetail`,
/// `TransferDetail`, …).
pub fn order_detail_json(order: &Order) -> Value {
    let mut m = fields(order);
    let own = json!({"accountId": order.account_id});
    match &order.detail {
        OrderDetail::CardPayin { payer, .. } => {
            let expiry = order.created_at + chrono::Duration::days(365 * 3);
            m.insert(
                "card".into(),
                json!({
                    "cardBin": CARD_BIN,
                    "cardPan": format!("{CARD_BIN}******{CARD_LAST_FOUR}"),
                    "expiration": rfc3339(expiry),
                }),
            );
            m.insert("payer".into(), payer_json(payer));
            m.insert("recipient".into(), own);
        }
        OrderDetail::BankPayin {
            sender_account_number,
            sender_routing_data,
            bank_concept_transfer,
            ..
        } => {
            m.insert("bankConceptTransfer".into(), json!(bank_concept_transfer));
            m.insert("recipient".into(), own);
            m.insert(
                "sender".into(),
                json!({"accountNumber": sender_account_number, "routingData": sender_routing_data}),
            );
        }
        OrderDetail::CryptoPayin { tx_hash } => {
            m.insert("recipient".into(), own);
            m.insert("sender".into(), json!({"txHash": tx_hash}));
        }
        OrderDetail::Transfer {
            recipient_account_id,
            ..
        } => {
            m.insert(
                "recipient".into(),
                json!({"accountId": recipient_account_id}),
            );
            m.insert("sender".into(), own);
        }
        OrderDetail::BankPayout {
            description,
            recipient,
        } => {
            m.insert("description".into(), json!(description));
            m.insert("recipient".into(), bank_recipient_json(recipient, order));
            m.insert("sender".into(), own);
        }
        OrderDetail::CryptoPayout {
            description,
            recipient,
        } => {
            m.insert("description".into(), json!(description));
            // No cancel route exists (openapi.yaml), so nothing can be cancelled.
            m.insert("canCancel".into(), json!(false));
            m.insert(
                "recipient".into(),
                json!({
                    "address": recipient.address,
                    "currency": order.destination.currency,
                    "network": recipient.network,
                    "amount": order.destination.amount,
                }),
            );
            m.insert("sender".into(), own);
        }
    }
    Value::Object(m)
}

/// A transactions-list item: snake_case, as upstream documents (spec/NOTES.md D8).
pub fn transaction_list_item(tx: &Transaction, order: Option<&Order>) -> Value {
    json!({
        "id": tx.id,
        "amount": tx.amount,
        "created_at": rfc3339(tx.created_at),
        "running_balance": tx.running_balance,
        "order": order.map_or(Value::Null, order_json),
    })
}

/// A transaction detail: camelCase, as upstream documents (spec/NOTES.md D8).
pub fn transaction_json(tx: &Transaction, order: Option<&Order>) -> Value {
    json!({
        "id": tx.id,
        "amount": tx.amount,
        "createdAt": rfc3339(tx.created_at),
        "runningBalance": tx.running_balance,
        "order": order.map_or(Value::Null, order_json),
    })
}
