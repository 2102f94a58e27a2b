//! Accounts (wallets) of users and of the merchant (spec/NOTES.md D10, D15).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::format_time;
use crate::money::Balances;

/// The currencies an account can hold (`AccountCurrency` in the API reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountCurrency {
    Eur,
    Usd,
}

impl AccountCurrency {
    pub const ALL: [Self; 2] = [Self::Eur, Self::Usd];

    pub fn code(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
            Self::Usd => "USD",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// `PENDING` until activated (at once with auto-activate), then `ACTIVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Pending,
    Active,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
        }
    }
}

/// `OPERATIONAL` (every user account and the merchant's main accounts) or `FEES` (the merchant
/// accounts that collect fees). spec/NOTES.md D15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPurpose {
    Operational,
    Fees,
}

impl AccountPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operational => "OPERATIONAL",
            Self::Fees => "FEES",
        }
    }
}

/// The `type` of every account: upstream never shows a value, we send one (D15).
pub const ACCOUNT_TYPE: &str = "CURRENT";

#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub user_id: Uuid,
    pub currency: AccountCurrency,
    /// Unique per user.
    pub alias: String,
    pub state: AccountState,
    pub purpose: AccountPurpose,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    pub fn is_active(&self) -> bool {
        self.state == AccountState::Active
    }

    /// The `Account` view of the user-account routes.
    pub fn view(&self, balances: Balances) -> Value {
        json!({
            "id": self.id,
            "alias": self.alias,
            "currency": self.currency.code(),
            "balance": balances.balance,
            "pendingIn": balances.pending_in,
            "pendingOut": balances.pending_out,
            "state": self.state.as_str(),
            "type": ACCOUNT_TYPE,
            "purpose": self.purpose.as_str(),
            "userId": self.user_id,
            "createdAt": format_time(self.created_at),
            "updatedAt": format_time(self.updated_at),
        })
    }
}
