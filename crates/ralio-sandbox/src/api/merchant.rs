//! The merchant's own user and accounts (`/api/v1/merchant/*`): the seeded merchant user with
//! its operational and fees accounts (spec/NOTES.md D15).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::accounts::ACCOUNT_LIST;
use crate::error::ApiResult;
use crate::extract::UuidPath;
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;
use crate::store::accounts::ACCOUNT_TYPE;
use crate::store::merchant::{MERCHANT_COUNTRY, MERCHANT_USER_ID};
use crate::store::{Account, Store, User, format_time};

/// Merchant user `type` code and display name (upstream example: `type: 1`).
const MERCHANT_USER_TYPE: i64 = 1;
const MERCHANT_DISPLAY_TYPE: &str = "Merchant";

const MERCHANT_ACCOUNT_LIST: ListSpec = ListSpec {
    fields: &[
        "id",
        "alias",
        "balance",
        "currency",
        "pendingIn",
        "pendingOut",
        "purpose",
        "state",
        "userId",
    ],
    search: ACCOUNT_LIST.search,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/merchant/user", get(get_user))
        .route("/api/v1/merchant/user/accounts", get(list_accounts))
        .route("/api/v1/merchant/user/accounts/{aid}", get(get_account))
}

#[derive(Debug, Deserialize)]
struct AccountPath {
    aid: Uuid,
}

fn user_view(user: &User) -> Value {
    json!({
        "id": user.id,
        "name": user.display_name,
        "email": user.email,
        "country": MERCHANT_COUNTRY,
        "createdAt": format_time(user.created_at),
        "displayType": MERCHANT_DISPLAY_TYPE,
        "type": MERCHANT_USER_TYPE,
    })
}

/// `MerchantAccountListItem`.
fn list_item(store: &Store, account: &Account) -> Value {
    let b = store.ledger.balances(account.id);
    json!({
        "id": account.id,
        "alias": account.alias,
        "balance": b.balance,
        "currency": account.currency.code(),
        "pendingIn": b.pending_in,
        "pendingOut": b.pending_out,
        "purpose": account.purpose.as_str(),
        "state": account.state.as_str(),
        "userId": account.user_id,
    })
}

async fn get_user(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let store = state.store();
    Ok(Json(user_view(store.user(MERCHANT_USER_ID)?)))
}

async fn list_accounts(State(state): State<AppState>, query: ListQuery) -> ApiResult<Json<Value>> {
    let store = state.store();
    let items = store
        .accounts
        .values()
        .filter(|a| a.user_id == MERCHANT_USER_ID)
        .map(|a| list_item(&store, a))
        .collect();
    query.bare(&MERCHANT_ACCOUNT_LIST, items).map(Json)
}

async fn get_account(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let account = store.merchant_account(path.aid)?;
    let user = store.user(MERCHANT_USER_ID)?;
    let mut body = list_item(&store, account);
    if let Some(map) = body.as_object_mut() {
        map.remove("userId");
        map.insert("type".into(), json!(ACCOUNT_TYPE));
        map.insert("user".into(), user_view(user));
    }
    Ok(Json(body))
}
