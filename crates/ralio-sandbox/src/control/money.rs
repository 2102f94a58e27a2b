//! Control API for money (spec/NOTES.md D13): simulate bank/crypto payins, settle or fail any
//! open order. Each fires the webhook the new state calls for.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, OptionalJson, UuidPath};
use crate::money::Money;
use crate::money::http::{OrderPath, active, amount_field, currency_field, emit_for, settle, text};
use crate::money::ledger::NewPayin;
use crate::money::orders::{Failure, OrderDetail, OrderType};
use crate::money::views::order_json;
use crate::state::AppState;
use crate::validate::Fields;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/v1/accounts/{aid}/payins", post(simulate_payin))
        .route("/sandbox/v1/orders/{oid}/settle", post(settle_order))
        .route("/sandbox/v1/orders/{oid}/fail", post(fail_order))
}

#[derive(Debug, Deserialize)]
struct AccountPath {
    aid: Uuid,
}

/// A sender IBAN for simulated bank payins when the body names none.
const SANDBOX_SENDER_IBAN: &str = "ES9121000418450200051332";
const SANDBOX_SENDER_BIC: &str = "CAIXESBBXXX";

/// `{"method": "BANK"|"CRYPTO", "amount", "currency", "settle": true, "reference"?,
/// "ownReference"?, "payerName"?, "senderAccountNumber"?, "txHash"?}` -> `201` with the order.
async fn simulate_payin(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let method = f.enumeration("method", true, &["BANK", "CRYPTO"]);
    let amount = amount_field(&mut f, "amount", true, 1);
    let currency = currency_field(&mut f, "currency", true);
    let settle_now = f.boolean("settle", false).unwrap_or(true);
    let reference = text(&mut f, "reference");
    let own_reference = text(&mut f, "ownReference");
    let payer_name = text(&mut f, "payerName");
    let sender = text(&mut f, "senderAccountNumber");
    let tx_hash = text(&mut f, "txHash");
    f.finish()?;
    let (Some(method), Some(amount), Some(currency)) = (method, amount, currency) else {
        return Err(ApiError::internal("validated fields are missing"));
    };

    let mut store = state.store();
    let account = active(store.account(path.aid)?, "account")?;
    let id = Uuid::new_v4();
    let reference = reference.unwrap_or_else(|| format!("SANDBOX-{}", id.simple()));
    let (order_type, detail) = if method == "CRYPTO" {
        (
            OrderType::CryptoPayIn,
            OrderDetail::CryptoPayin {
                tx_hash: tx_hash
                    .unwrap_or_else(|| format!("{}{}", id.simple(), Uuid::new_v4().simple())),
            },
        )
    } else {
        (
            OrderType::BankPayIn,
            OrderDetail::BankPayin {
                sender_account_number: sender.unwrap_or_else(|| SANDBOX_SENDER_IBAN.to_owned()),
                sender_routing_data: SANDBOX_SENDER_BIC.to_owned(),
                bank_concept_transfer: reference.clone(),
                payer_name,
            },
        )
    };
    let payin = NewPayin {
        order_type,
        received: Money::new(currency, amount),
        reference,
        own_reference,
        detail,
    };
    let oid = store.ledger.create_payin(&account, payin, state.now())?;
    // Bank and crypto payins skip PROCESSING (webhooks.md §5.1): no event until they settle or
    // fail.
    let order = if settle_now {
        settle(&state, &mut store, oid)?
    } else {
        store
            .ledger
            .order(oid)
            .cloned()
            .ok_or_else(|| ApiError::not_found("order"))?
    };
    Ok((StatusCode::CREATED, Json(order_json(&order))))
}

async fn settle_order(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    let order = settle(&state, &mut store, path.oid)?;
    Ok(Json(order_json(&order)))
}

#[derive(Debug, Default, Deserialize)]
struct FailBody {
    reason: Option<String>,
}

async fn fail_order(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
    OptionalJson(body): OptionalJson<FailBody>,
) -> ApiResult<Json<Value>> {
    let reason: String = body
        .reason
        .unwrap_or_else(|| "failed through the sandbox control API".to_owned())
        .chars()
        .take(255)
        .collect();
    let mut store = state.store();
    let order_type = store
        .ledger
        .order(path.oid)
        .map(|o| o.order_type)
        .ok_or_else(|| ApiError::not_found("order"))?;
    let code = match order_type {
        OrderType::CardPayIn => "CARD_PAYIN_FAILED",
        OrderType::BankPayIn => "BANK_PAYIN_FAILED",
        OrderType::CryptoPayIn => "CRYPTO_PAYIN_FAILED",
        OrderType::Transfer => "TRANSFER_FAILED",
        OrderType::BankPayOut | OrderType::CryptoPayOut => "PAYOUT_FAILED",
    };
    let failure = Failure {
        code: code.to_owned(),
        reason,
    };
    let order = store.ledger.fail(path.oid, failure, state.now())?.clone();
    emit_for(&state, &order);
    Ok(Json(order_json(&order)))
}
