//! The RalioPay domain model: plain Rust types whose serde form is exactly the JSON of the
//! upstream API (`/work/shared/ralio-api/openapi.yaml`) as decided in `spec/NOTES.md`.
//!
//! Conventions: amounts are `i64` minor units (D6); timestamps stay the strings Ralio sent (RFC
//! 3339, preserved verbatim); FX rates are decimal strings; every documented enum has an
//! `Unknown(String)` fallback; optional fields are `Option` and are omitted when `None`.

pub(crate) mod wire_enum;

pub mod accounts;
pub mod auth;
pub mod common;
pub mod identity;
pub mod kyb;
pub mod merchant;
pub mod orders;
pub mod payins;
pub mod payouts;
pub mod reference;
pub mod transactions;
pub mod transfers;
pub mod users;
pub mod vibans;

pub use accounts::*;
pub use auth::*;
pub use common::*;
pub use identity::*;
pub use kyb::*;
pub use merchant::*;
pub use orders::*;
pub use payins::*;
pub use payouts::*;
pub use reference::*;
pub use transactions::*;
pub use transfers::*;
pub use users::*;
pub use vibans::*;
