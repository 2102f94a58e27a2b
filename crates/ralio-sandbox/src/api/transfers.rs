//! Transfers between Ralio accounts (openapi.yaml `transfers`, spec/NOTES.md D9): create (2FA
//! `code2fa`), simulate (a 30 s quote), get.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, UuidPath};
use crate::money::http::{
    OrderPath, UserAccountPath, active, active_user_account, check_otp, emit_for,
    maybe_auto_settle, money_field, order_of_type, required_text, uuid_field,
};
use crate::money::ledger::NewOutgoing;
use crate::money::orders::{OrderDetail, OrderType};
use crate::money::pricing::{Quote, QuoteKind, price_transfer};
use crate::money::views::{order_detail_json, order_json};
use crate::money::{AccountInfo, Money};
use crate::state::AppState;
use crate::store::Store;
use crate::validate::Fields;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/transfers",
            post(create_transfer),
        )
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/transfers/simulate",
            post(simulate_transfer),
        )
        .route("/api/v1/account/transfers/{oid}", get(get_transfer))
}

/// `origin` and `recipient.accountId`, shared by create and simulate.
fn origin_and_recipient(f: &mut Fields<'_>) -> (Option<Money>, Option<Uuid>) {
    let origin = money_field(f, "origin");
    let recipient = f
        .object("recipient", true)
        .and_then(|r| f.nested("recipient", r, |r| uuid_field(r, "accountId", true)));
    (origin, recipient)
}

/// The sending and receiving accounts, both active.
fn accounts(
    store: &Store,
    path: &UserAccountPath,
    recipient: Uuid,
) -> ApiResult<(AccountInfo, AccountInfo)> {
    let from = active_user_account(store, path)?;
    let to = store
        .account(recipient)
        .map_err(|_| ApiError::not_found("recipient account"))?;
    Ok((from, active(to, "recipient account")?))
}

async fn create_transfer(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let code = f.required_str("code2fa");
    let (origin, recipient) = origin_and_recipient(&mut f);
    let reference = required_text(&mut f, "reference");
    let quote_id = uuid_field(&mut f, "quoteId", false);
    f.finish()?;
    let (Some(code), Some(origin), Some(recipient), Some(reference)) =
        (code, origin, recipient, reference)
    else {
        return Err(ApiError::internal("validated fields are missing"));
    };

    let mut store = state.store();
    let (from, to) = accounts(&store, &path, recipient)?;
    check_otp(code, "code2fa")?;
    let price = price_transfer(from.currency, origin, to.currency)?;
    let new = NewOutgoing {
        price,
        quote_id,
        reference,
        own_reference: None,
        detail: OrderDetail::Transfer {
            recipient_account_id: to.id,
            recipient_user_id: to.user_id,
        },
    };
    let oid = store.ledger.create_transfer(&from, &to, new, state.now())?;
    let created = order_of_type(&store, oid, &[OrderType::Transfer])?;
    emit_for(&state, &created); // CONFIRMED
    let order = maybe_auto_settle(&state, &mut store, oid)?; // COMPLETED
    Ok((StatusCode::CREATED, Json(order_json(&order))))
}

async fn simulate_transfer(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let (origin, recipient) = origin_and_recipient(&mut f);
    f.finish()?;
    let (Some(origin), Some(recipient)) = (origin, recipient) else {
        return Err(ApiError::internal("validated fields are missing"));
    };
    let mut store = state.store();
    let (from, to) = accounts(&store, &path, recipient)?;
    if from.id == to.id {
        return Err(crate::money::MoneyError::SameAccount.into());
    }
    let price = price_transfer(from.currency, origin, to.currency)?;
    let quote = Quote::new(QuoteKind::Transfer, from.id, price, state.now());
    let body = quote.response_json();
    store.ledger.add_quote(quote);
    Ok(Json(body))
}

async fn get_transfer(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let order = order_of_type(&store, path.oid, &[OrderType::Transfer])?;
    Ok(Json(order_detail_json(&order)))
}
