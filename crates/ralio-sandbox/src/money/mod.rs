//! Money movement: currencies, FX, fees, orders, balances and the ledger (spec/NOTES.md D6-D9).
//! Owned by the money work stream; the rest of the sandbox uses `Ledger` and `Balances`.

use uuid::Uuid;

/// An account's balances in minor units (spec/NOTES.md D8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balances {
    pub balance: i64,
    pub pending_in: i64,
    pub pending_out: i64,
}

/// Orders, balances and ledger transactions of every account.
#[derive(Debug, Default)]
pub struct Ledger {}

impl Ledger {
    /// The balances of one account (zero for an account with no movement yet).
    pub fn balances(&self, _account: Uuid) -> Balances {
        Balances::default()
    }
}
