//! Internal transfers between Ralio accounts, and their quotes.

use serde::{Deserialize, Serialize};

use super::common::{AccountRef, Money, rate_from_number_or_string};
use super::orders::Order;
use crate::secret::Secret;

/// Body of createTransfer. `code2fa` is a one-time code, kept out of `Debug` (sandbox: `123456`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct TransferCreate {
    #[serde(serialize_with = "expose")]
    pub code2fa: Secret,
    pub origin: Money,
    pub recipient: AccountRef,
    pub reference: String,
    /// A quote from simulateTransfer to lock the rate (optional, D9).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quote_id: Option<String>,
}

fn expose<S: serde::Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

/// Body of simulateTransfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TransferSimulateRequest {
    pub origin: Money,
    pub recipient: AccountRef,
}

/// `quote` of a simulation: the rate as decimal digits and its validity (D9: 30 s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    #[serde(deserialize_with = "rate_from_number_or_string")]
    pub rate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub valid_until: Option<String>,
}

/// Response of simulateTransfer and simulateBankPayout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct QuoteResponse {
    pub origin: Money,
    pub destination: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quote: Option<Quote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub quote_id: Option<String>,
}

/// Response of getTransfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TransferDetail {
    #[serde(flatten)]
    pub order: Order,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub recipient: Option<AccountRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sender: Option<AccountRef>,
}
