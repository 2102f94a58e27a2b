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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AccountCreate {
    pub alias: String,
    pub currency: Currency,
}

/// Body of updateUserAccount (PATCH).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AccountUpdate {
    pub alias: String,
}

/// An account with its balances in minor units (D8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub alias: Option<String>,
    pub currency: Currency,
    #[serde(default)]
    pub balance: i64,
    #[serde(default)]
    pub pending_in: i64,
    #[serde(default)]
    pub pending_out: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub state: Option<AccountState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub account_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub purpose: Option<AccountPurpose>,
    /// Owner of the account; served beyond upstream's examples (spec/NOTES.md D15, D17).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub user_id: Option<String>,
    /// RFC 3339, as sent (D15, D17).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    /// RFC 3339, as sent (D15, D17).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
}
