//! Shapes shared by several resource groups: money, fees, FX, pagination, account references.

use serde::{Deserialize, Deserializer, Serialize};

use super::wire_enum::wire_enum;

wire_enum! {
    /// Currency code. Fiat `EUR`/`USD` (2 decimals) and crypto `USDT` (6 decimals), spec/NOTES.md D6.
    Currency {
        Eur = "EUR",
        Usd = "USD",
        Usdt = "USDT",
    }
}

impl Currency {
    /// Number of decimals of the minor unit (D6), or `None` for a currency we do not know.
    pub fn decimals(&self) -> Option<u32> {
        match self {
            Self::Eur | Self::Usd => Some(2),
            Self::Usdt => Some(6),
            Self::Unknown(_) => None,
        }
    }
}

/// An amount of money: an integer count of the currency's minor unit (D6), never a float.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Money {
    pub currency: Currency,
    pub amount: i64,
}

impl Money {
    pub fn new(currency: Currency, amount: i64) -> Self {
        Self { currency, amount }
    }
}

/// How a fee splits between Ralio and the merchant (D7).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct FeeBreakdown {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub merchant_fee: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub system_fee: Option<i64>,
}

/// A fee in API responses: `{currency, amount, breakdown?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Fee {
    pub currency: Currency,
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub breakdown: Option<FeeBreakdown>,
}

/// Deserialises an FX rate given either as a JSON number (API responses) or a JSON string (v2
/// webhooks), spec/NOTES.md D6, into its decimal digits. Rates are never held as `f64` in our
/// types; a JSON number is rendered by `serde_json::Number`'s shortest exact representation.
pub(crate) fn rate_from_number_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(number) => Ok(number.to_string()),
        serde_json::Value::String(text) => Ok(text),
        other => Err(serde::de::Error::custom(format!(
            "expected an FX rate as a number or a string, got {other}"
        ))),
    }
}

/// Optional variant of [`rate_from_number_or_string`].
pub(crate) fn opt_rate_from_number_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(number)) => Ok(Some(number.to_string())),
        Some(serde_json::Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected an FX rate as a number or a string, got {other}"
        ))),
    }
}

/// Foreign exchange applied to an order. `rate` holds the decimal digits (e.g. `"1.085"`); the
/// client serialises it as a JSON string because it never sends a rate to Ralio.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Fx {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pair: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_rate_from_number_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub rate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timestamp: Option<String>,
}

/// `{accountId}`: the sender or recipient of a transfer, payin or payout.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct AccountRef {
    pub account_id: String,
}

impl AccountRef {
    pub fn new(account_id: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
        }
    }
}

/// The pagination block of paged lists (D4). `next`/`previous` are page numbers as strings, or
/// `null` at either end.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default, deserialize_with = "page_ref")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub next: Option<String>,
    #[serde(default, deserialize_with = "page_ref")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub previous: Option<String>,
    pub num_pages: i64,
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
}

/// D4 sends page numbers as strings; tolerate a bare number too, since upstream never said.
fn page_ref<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => Ok(Some(text)),
        Some(serde_json::Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a page reference, got {other}"
        ))),
    }
}

/// A postal address as used by business users and payout recipients.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub province: Option<String>,
}

wire_enum! {
    /// A user's KYC or a business's KYB level.
    KycLevel {
        Regular = "REGULAR",
        Light = "LIGHT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_round_trips_exactly_and_rejects_floats() {
        let raw = json!({"currency": "EUR", "amount": 5000});
        let money: Money = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(money, Money::new(Currency::Eur, 5000));
        assert_eq!(serde_json::to_value(&money).unwrap(), raw);
        assert!(
            serde_json::from_value::<Money>(json!({"currency": "EUR", "amount": 50.5})).is_err()
        );
    }

    #[test]
    fn fx_rate_is_accepted_as_number_and_as_string() {
        let as_number: Fx = serde_json::from_str(r#"{"pair":"EUR/USD","rate":1.085}"#).unwrap();
        let as_string: Fx =
            serde_json::from_str(r#"{"pair":"USD/EUR","rate":"0.8420077465"}"#).unwrap();
        assert_eq!(as_number.rate.as_deref(), Some("1.085"));
        assert_eq!(as_string.rate.as_deref(), Some("0.8420077465"));
        let ten_digits: Fx = serde_json::from_str(r#"{"rate":0.9216589862}"#).unwrap();
        assert_eq!(ten_digits.rate.as_deref(), Some("0.9216589862"));
        assert!(serde_json::from_str::<Fx>(r#"{"rate":true}"#).is_err());
    }

    #[test]
    fn pagination_reads_string_and_null_page_refs() {
        let page: Pagination = serde_json::from_value(json!({
            "next": "2", "previous": null, "numPages": 3, "page": 1, "pageSize": 30, "total": 61
        }))
        .unwrap();
        assert_eq!(page.next.as_deref(), Some("2"));
        assert_eq!(page.previous, None);
        assert_eq!(page.num_pages, 3);
    }
}
