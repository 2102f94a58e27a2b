//! Payins (openapi.yaml `payins`): create a card payin, read card/bank/crypto payins.
//! Bank and crypto payins arrive through the control API (spec/NOTES.md D9, D13).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{JsonBody, UuidPath};
use crate::money::Money;
use crate::money::http::{
    OrderPath, UserAccountPath, active_user_account, amount_field, currency_field, emit_for,
    order_of_type, required_text,
};
use crate::money::ledger::NewPayin;
use crate::money::orders::{OrderDetail, OrderType, Payer};
use crate::money::views::{order_detail_json, order_json};
use crate::state::AppState;
use crate::validate::Fields;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/card-payins",
            post(create_card_payin),
        )
        .route("/api/v1/account/card-payins/{oid}", get(get_card_payin))
        .route("/api/v1/account/bank-payins/{oid}", get(get_bank_payin))
        .route("/api/v1/account/crypto-payins/{oid}", get(get_crypto_payin))
}

/// Where the payer would pay; the sandbox has no card page, settle through the control API.
fn payment_url(oid: uuid::Uuid) -> String {
    format!("https://pay.sandbox.raliopay.com/card-payins/{oid}")
}

fn payer(f: &mut Fields<'_>) -> Payer {
    let Some(object) = f.object("payer", false) else {
        return Payer::default();
    };
    f.nested("payer", object, |p| {
        let mut s = |name: &str| p.bounded_str(name, false, 255).map(str::to_owned);
        Payer {
            name: s("name"),
            surname: s("surname"),
            email: s("email"),
            phone: s("phone"),
            address: s("address"),
            city: s("city"),
            postal_code: s("postalCode"),
            province: s("province"),
            country: s("country"),
            document_type: s("documentType"),
            document_number: s("documentNumber"),
            birthdate: s("birthdate"),
        }
    })
}

async fn create_card_payin(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let amount = amount_field(&mut f, "amount", true, 1);
    let currency = currency_field(&mut f, "currency", true);
    if currency.is_some_and(|c| !c.is_fiat()) {
        f.reject("currency", "must be one of EUR, USD");
    }
    let reference = required_text(&mut f, "reference");
    let url_success = required_text(&mut f, "urlSuccess");
    let url_failed = required_text(&mut f, "urlFailed");
    let mut payer = payer(&mut f);
    f.finish()?;
    let (Some(amount), Some(currency), Some(reference), Some(url_success), Some(url_failed)) =
        (amount, currency, reference, url_success, url_failed)
    else {
        return Err(crate::error::ApiError::internal(
            "validated fields are missing",
        ));
    };

    let mut store = state.store();
    let account = active_user_account(&store, &path)?;
    if payer.name.is_none() && payer.email.is_none() {
        // Upstream: "If payer is omitted the account owner is used as payer."
        let owner = store.user(path.uid)?;
        payer.name = Some(owner.display_name.clone());
        payer.email = Some(owner.email.clone());
    }
    let payin = NewPayin {
        order_type: OrderType::CardPayIn,
        received: Money::new(currency, amount),
        reference,
        own_reference: None,
        detail: OrderDetail::CardPayin {
            payer,
            url_success,
            url_failed,
        },
    };
    let now = state.now();
    let oid = store.ledger.create_payin(&account, payin, now)?;
    let order = order_of_type(&store, oid, &[OrderType::CardPayIn])?;
    emit_for(&state, &order);
    Ok((
        StatusCode::CREATED,
        Json(json!({"order": order_json(&order), "paymentUrl": payment_url(oid)})),
    ))
}

fn get_one(state: &AppState, oid: uuid::Uuid, order_type: OrderType) -> ApiResult<Json<Value>> {
    let store = state.store();
    let order = order_of_type(&store, oid, &[order_type])?;
    let mut view = order_detail_json(&order);
    if order_type == OrderType::CardPayIn {
        view["paymentUrl"] = json!(payment_url(oid));
    }
    Ok(Json(view))
}

async fn get_card_payin(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    get_one(&state, path.oid, OrderType::CardPayIn)
}

async fn get_bank_payin(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    get_one(&state, path.oid, OrderType::BankPayIn)
}

async fn get_crypto_payin(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<OrderPath>,
) -> ApiResult<Json<Value>> {
    get_one(&state, path.oid, OrderType::CryptoPayIn)
}
