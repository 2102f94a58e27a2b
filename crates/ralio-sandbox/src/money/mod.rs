//! Money movement: currencies, FX, fees, orders, balances and the ledger (spec/NOTES.md D6-D9).
//! Pure logic with no I/O: every operation takes the sandbox clock's `now`. The HTTP routes live in
//! `crate::api::{payins, transfers, payouts, orders, transactions}`.

pub mod currency;
pub mod error;
pub mod events;
pub mod fees;
pub mod fx;
pub mod ledger;
pub mod orders;
pub mod pricing;
pub mod views;

pub use currency::{Currency, Money};
pub use error::MoneyError;
pub use ledger::{AccountInfo, Balances, Ledger, Transaction};
pub use orders::{Order, OrderState, OrderType};
pub mod http;
