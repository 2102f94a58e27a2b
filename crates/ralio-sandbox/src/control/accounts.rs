//! Control API for accounts and vIBANs when auto-activation is off (spec/NOTES.md D10, D13):
//! `POST /sandbox/v1/accounts/{aid}/activate`,
//! `POST /sandbox/v1/virtual-ibans/{vibanId}/activate` and `.../reject` (`{"reason"}` optional).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::api::{accounts, vibans};
use crate::error::ApiResult;
use crate::extract::{OptionalJson, UuidPath};
use crate::state::AppState;
use crate::store::VibanState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/v1/accounts/{aid}/activate",
            post(activate_account),
        )
        .route(
            "/sandbox/v1/virtual-ibans/{vibanId}/activate",
            post(activate_viban),
        )
        .route(
            "/sandbox/v1/virtual-ibans/{vibanId}/reject",
            post(reject_viban),
        )
}

#[derive(Debug, Deserialize)]
struct AccountPath {
    aid: Uuid,
}

#[derive(Debug, Deserialize)]
struct VibanPath {
    #[serde(rename = "vibanId")]
    viban_id: Uuid,
}

#[derive(Debug, Default, Deserialize)]
struct Reason {
    reason: Option<String>,
}

async fn activate_account(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
) -> ApiResult<Json<Value>> {
    accounts::activate(&state, path.aid).map(Json)
}

async fn activate_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<VibanPath>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    vibans::transition(&state, &mut store, path.viban_id, VibanState::Active, None).map(Json)
}

async fn reject_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<VibanPath>,
    OptionalJson(body): OptionalJson<Reason>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    vibans::transition(
        &state,
        &mut store,
        path.viban_id,
        VibanState::Rejected,
        body.reason,
    )
    .map(Json)
}
