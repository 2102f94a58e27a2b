//! `POST /sandbox/v1/reset`: back to a freshly started sandbox (store, clock, events; webhook
//! configuration and faults once those modules are wired in).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;
use crate::store::format_time;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sandbox/v1/reset", post(reset))
}

async fn reset(State(state): State<AppState>) -> Json<Value> {
    state.reset();
    Json(json!({ "reset": true, "now": format_time(state.now()) }))
}
