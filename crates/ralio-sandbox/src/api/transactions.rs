//! Ledger transactions of an account (openapi.yaml `transactions`, spec/NOTES.md D8): the list
//! is a bare array in snake_case, the detail camelCase, as upstream documents.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::UuidPath;
use crate::listing::{ListQuery, ListSpec};
use crate::money::http::UserAccountPath;
use crate::money::views::{transaction_json, transaction_list_item};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/transactions",
            get(list_transactions),
        )
        .route(
            "/api/v1/account/users/{uid}/accounts/{aid}/transactions/{tid}",
            get(get_transaction),
        )
}

const TRANSACTION_SPEC: ListSpec = ListSpec {
    fields: &[
        "id",
        "amount",
        "created_at",
        "running_balance",
        "order.id",
        "order.type",
    ],
    search: &[],
};

#[derive(Debug, Deserialize)]
struct TransactionPath {
    uid: Uuid,
    aid: Uuid,
    tid: Uuid,
}

async fn list_transactions(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserAccountPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let items: Vec<Value> = {
        let store = state.store();
        store.user_account(path.uid, path.aid)?;
        store
            .ledger
            .transactions(path.aid)
            .iter()
            .map(|tx| transaction_list_item(tx, store.ledger.order(tx.order_id)))
            .collect()
    };
    Ok(Json(query.bare(&TRANSACTION_SPEC, items)?))
}

async fn get_transaction(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<TransactionPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    store.user_account(path.uid, path.aid)?;
    let tx = store
        .ledger
        .transaction(path.aid, path.tid)
        .ok_or_else(|| ApiError::not_found("transaction"))?;
    Ok(Json(transaction_json(tx, store.ledger.order(tx.order_id))))
}
