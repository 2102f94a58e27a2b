//! The sandbox control API (`/sandbox/v1/*`, spec/NOTES.md D13): no token, JSON in and out.
//! It plays the part of RalioPay's sandbox portal: approve KYC/KYB, activate accounts and
//! vIBANs, move the clock, reset, and (money work stream) simulate payins and settle orders.
//!
//! # Plugging in
//! The money work stream adds `pub mod money;` below and `.merge(money::routes())` in
//! [`routes`]; its `routes()` returns `Router<AppState>` with full `/sandbox/v1/...` paths.

pub mod accounts;
pub mod clock;
pub mod kyc;
pub mod reset;
// Money work stream:
pub mod money;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(kyc::routes())
        .merge(accounts::routes())
        .merge(clock::routes())
        .merge(reset::routes())
        // Money work stream:
        .merge(money::routes())
}
