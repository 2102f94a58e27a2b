//! User accounts (spec/NOTES.md D10): create (REGULAR users only), rename, list (bare array with
//! sort/filter/search), get. Balances come from `store.ledger`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, UuidPath};
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;
use crate::store::{Account, AccountCurrency, AccountPurpose, AccountState, KycLevel, Store};
use crate::validate::Fields;

/// Longest alias accepted (upstream gives no limit; vIBAN names allow 255).
pub const MAX_ALIAS_LEN: usize = 255;

/// Sort/filter fields and search fields of account lists (D5; the `AccountSort` and `Filter`
/// parameters of the API reference, plus `id`, `type` and the timestamps).
pub const ACCOUNT_LIST: ListSpec = ListSpec {
    fields: &[
        "id",
        "alias",
        "balance",
        "currency",
        "pendingIn",
        "pendingOut",
        "purpose",
        "state",
        "type",
        "createdAt",
        "updatedAt",
    ],
    search: &["id", "alias", "currency"],
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/accounts",
            get(list_accounts).post(create_account),
        )
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}",
            get(get_account).patch(update_account),
        )
}

#[derive(Debug, Deserialize)]
struct UserPath {
    uid: Uuid,
}

#[derive(Debug, Deserialize)]
struct AccountPath {
    uid: Uuid,
    aid: Uuid,
}

/// The `Account` view with the ledger's balances.
pub fn view(store: &Store, account: &Account) -> Value {
    account.view(store.ledger.balances(account.id))
}

/// `409 CONFLICT` if another account of `uid` already has `alias` (ignoring ASCII case).
fn ensure_alias_free(store: &Store, uid: Uuid, alias: &str, except: Option<Uuid>) -> ApiResult<()> {
    let taken = store
        .accounts
        .values()
        .any(|a| a.user_id == uid && Some(a.id) != except && a.alias.eq_ignore_ascii_case(alias));
    if taken {
        return Err(ApiError::conflict(format!(
            "the user already has an account named {alias}"
        )));
    }
    Ok(())
}

async fn create_account(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let alias = f.bounded_str("alias", true, MAX_ALIAS_LEN);
    let currency = f.enumeration("currency", true, &["EUR", "USD"]);
    f.finish()?;
    let (Some(alias), Some(currency)) = (alias, currency.and_then(AccountCurrency::parse)) else {
        return Err(ApiError::internal("validated fields missing"));
    };

    let now = state.now();
    let mut store = state.store();
    let user = store.user(path.uid)?;
    if user.kyc_level != KycLevel::Regular {
        return Err(ApiError::unprocessable(
            "KYC_REQUIRED",
            "accounts can only be created for users whose KYC/KYB level is REGULAR",
        ));
    }
    ensure_alias_free(&store, path.uid, alias, None)?;
    let auto = state.config.auto_activate.accounts;
    let account = Account {
        id: Uuid::new_v4(),
        user_id: path.uid,
        currency,
        alias: alias.to_owned(),
        state: if auto {
            AccountState::Active
        } else {
            AccountState::Pending
        },
        purpose: AccountPurpose::Operational,
        created_at: now,
        updated_at: now,
    };
    let body = view(&store, &account);
    store.accounts.insert(account.id, account.clone());
    if auto {
        state.emit("account_activated", json!({ "accountId": account.id }));
    }
    Ok((StatusCode::CREATED, Json(body)))
}

async fn list_accounts(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    store.user(path.uid)?;
    let items = store
        .accounts
        .values()
        .filter(|a| a.user_id == path.uid)
        .map(|a| view(&store, a))
        .collect();
    query.bare(&ACCOUNT_LIST, items).map(Json)
}

async fn get_account(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let account = store.user_account(path.uid, path.aid)?;
    Ok(Json(view(&store, account)))
}

async fn update_account(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let alias = f.bounded_str("alias", true, MAX_ALIAS_LEN);
    f.finish()?;
    let alias = alias.ok_or_else(|| ApiError::internal("validated alias missing"))?;

    let now = state.now();
    let mut store = state.store();
    store.user_account(path.uid, path.aid)?;
    ensure_alias_free(&store, path.uid, alias, Some(path.aid))?;
    let account = store.user_account_mut(path.uid, path.aid)?;
    account.alias = alias.to_owned();
    account.updated_at = now;
    let account = account.clone();
    Ok(Json(view(&store, &account)))
}

/// Control API: `PENDING` → `ACTIVE`, firing `account_activated` (webhooks.md §5.4).
pub fn activate(state: &AppState, aid: Uuid) -> ApiResult<Value> {
    let now = state.now();
    let mut store = state.store();
    let account = store
        .accounts
        .get_mut(&aid)
        .ok_or_else(|| ApiError::not_found("account"))?;
    if account.state != AccountState::Pending {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!("a {} account cannot be activated", account.state.as_str()),
        ));
    }
    account.state = AccountState::Active;
    account.updated_at = now;
    let account = account.clone();
    state.emit("account_activated", json!({ "accountId": account.id }));
    Ok(view(&store, &account))
}
