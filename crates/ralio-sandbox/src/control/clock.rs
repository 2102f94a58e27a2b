//! `GET /sandbox/v1/clock` and `POST /sandbox/v1/clock/advance {"seconds"}` (spec/NOTES.md D14).
//! Advancing evaluates what depends on time at once (IDV session expiry), so its webhooks fire
//! without waiting for a read.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::idv::expire_due_sessions;
use crate::error::{ApiError, ApiResult};
use crate::extract::ValidJson;
use crate::state::AppState;
use crate::store::format_time;

/// Largest single advance (100 years): keeps timestamps far from chrono's limits.
const MAX_ADVANCE_SECONDS: u64 = 100 * 365 * 24 * 3_600;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/v1/clock", get(now))
        .route("/sandbox/v1/clock/advance", post(advance))
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: u64,
}

async fn now(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "now": format_time(state.now()) }))
}

async fn advance(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<Advance>,
) -> ApiResult<Json<Value>> {
    if body.seconds > MAX_ADVANCE_SECONDS {
        return Err(ApiError::invalid(
            "seconds",
            format!("must be at most {MAX_ADVANCE_SECONDS}"),
        ));
    }
    let now = state.clock.advance(body.seconds);
    let mut store = state.store();
    expire_due_sessions(&state, &mut store);
    Ok(Json(json!({ "now": format_time(now) })))
}
