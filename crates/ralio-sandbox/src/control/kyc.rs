//! Control API for KYC and KYB (the sandbox portal's approvals, spec/NOTES.md D10, D13):
//! `POST /sandbox/v1/identity-verifications/{sessionId}/start|approve|review|reject` and
//! `POST /sandbox/v1/kyb-sessions/{sessionId}/approve|reject`. `review` and `reject` take an
//! optional `{"reason"}` body.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::api::idv::{self, IdvAction};
use crate::api::kyb;
use crate::error::ApiResult;
use crate::extract::{OptionalJson, UuidPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/v1/identity-verifications/{sessionId}/start",
            post(start),
        )
        .route(
            "/sandbox/v1/identity-verifications/{sessionId}/approve",
            post(approve),
        )
        .route(
            "/sandbox/v1/identity-verifications/{sessionId}/review",
            post(review),
        )
        .route(
            "/sandbox/v1/identity-verifications/{sessionId}/reject",
            post(reject),
        )
        .route(
            "/sandbox/v1/kyb-sessions/{sessionId}/approve",
            post(kyb_approve),
        )
        .route(
            "/sandbox/v1/kyb-sessions/{sessionId}/reject",
            post(kyb_reject),
        )
}

#[derive(Debug, Deserialize)]
struct SessionPath {
    #[serde(rename = "sessionId")]
    session_id: Uuid,
}

/// Optional body of `review` / `reject`.
#[derive(Debug, Default, Deserialize)]
struct Reason {
    reason: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    idv::apply_action(&state, p.session_id, IdvAction::Start, None).map(Json)
}

async fn approve(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    idv::apply_action(&state, p.session_id, IdvAction::Approve, None).map(Json)
}

async fn review(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
    OptionalJson(body): OptionalJson<Reason>,
) -> ApiResult<Json<Value>> {
    idv::apply_action(&state, p.session_id, IdvAction::Review, body.reason).map(Json)
}

async fn reject(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
    OptionalJson(body): OptionalJson<Reason>,
) -> ApiResult<Json<Value>> {
    idv::apply_action(&state, p.session_id, IdvAction::Reject, body.reason).map(Json)
}

async fn kyb_approve(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    kyb::decide(&state, p.session_id, true, None).map(Json)
}

async fn kyb_reject(
    State(state): State<AppState>,
    UuidPath(p): UuidPath<SessionPath>,
    OptionalJson(body): OptionalJson<Reason>,
) -> ApiResult<Json<Value>> {
    kyb::decide(&state, p.session_id, false, body.reason).map(Json)
}
