//! The merchant's own user and accounts (`/api/v1/merchant/user*`).

use serde::{Deserialize, Serialize};

use super::accounts::{AccountPurpose, AccountState};
use super::common::Currency;

/// An entry of listMerchantUserAccounts (bare array).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantAccountListItem {
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
    pub purpose: Option<AccountPurpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<AccountState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// The owner block of getMerchantUserAccount. `type` is numeric upstream (e.g. `1`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantAccountOwner {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<i64>,
}

/// Response of getMerchantUserAccount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantAccount {
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
    pub purpose: Option<AccountPurpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<AccountState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<MerchantAccountOwner>,
}

/// Response of getMerchantUser (shape inferred upstream; extra fields are kept).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MerchantUser {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}
