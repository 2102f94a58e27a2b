//! User accounts (wallets) (`/api/v1/account/users/{uid}/accounts`).

use serde::{Deserialize, Serialize};

use super::common::Currency;
use super::wire_enum::wire_enum;

wire_enum! {
    /// Account state: `ACTIVE`, or `PENDING` before activation (spec/NOTES.md D10).
    AccountState {
        Active = "ACTIVE",
        Pending = "PENDING",
    }
}

wire_enum! {
    /// Account purpose; only `OPERATIONAL` is documented.
    AccountPurpose {
        Operational = "OPERATIONAL",
    }
}

/// Body of createUserAccount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCreate {
    pub alias: String,
    pub currency: Currency,
}

/// Body of updateUserAccount (PATCH).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUpdate {
    pub alias: String,
}

/// An account with its balances in minor units (D8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub currency: Currency,
    #[serde(default)]
    pub balance: i64,
    #[serde(default)]
    pub pending_in: i64,
    #[serde(default)]
    pub pending_out: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<AccountState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<AccountPurpose>,
}
