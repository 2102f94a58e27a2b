//! The RalioPay REST API (`/api/v1`, spec/NOTES.md D1), one module per resource group.
//!
//! Every module exposes `pub fn routes() -> Router<AppState>` with full paths. [`routes`] merges
//! them and puts the bearer-token check (D2) in front of all of them; login is mounted apart in
//! `crate::server` because it needs no token.
//!
//! # Plugging in the money routes
//! The money work stream owns `payins`, `transfers`, `payouts`, `orders` and `transactions`.
//! To plug one in: declare it below (`pub mod payins;`) and add its `.merge(payins::routes())`
//! line in [`routes`] (the commented lines show where). Handlers get `State<AppState>`, lock
//! `state.store()`, use `Store::user_account` (404/403 per D3) and `store.ledger`, take bodies
//! with `crate::extract::ValidJson` / `JsonBody`, ids with `crate::extract::UuidPath`, lists
//! with `crate::listing::ListQuery`, and send webhooks with `state.emit(name, data)`.

pub mod accounts;
pub mod idv;
pub mod kyb;
pub mod merchant;
pub mod reference;
pub mod users;
pub mod vibans;
// Money work stream:
pub mod orders;
pub mod payins;
pub mod payouts;
pub mod transactions;
pub mod transfers;

use axum::Router;
use axum::middleware::from_fn_with_state;

use crate::auth;
use crate::state::AppState;

/// Every `/api/v1` route except login, behind the bearer-token check.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(idv::routes())
        .merge(kyb::routes())
        .merge(accounts::routes())
        .merge(merchant::routes())
        .merge(vibans::routes())
        .merge(reference::routes())
        // Money work stream:
        .merge(payins::routes())
        .merge(transfers::routes())
        .merge(payouts::routes())
        .merge(orders::routes())
        .merge(transactions::routes())
        .route_layer(from_fn_with_state(state.clone(), auth::require_bearer))
}
