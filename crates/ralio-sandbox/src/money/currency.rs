//! Currencies and money amounts (spec/NOTES.md D6).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The largest amount a single money movement may carry (spec/NOTES.md D6).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// The currencies the sandbox knows. Accounts hold fiat only; `USDT` (network `SOLANA`) appears in
/// crypto payins and payouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    Eur,
    Usd,
    Usdt,
}

impl Currency {
    pub const ALL: [Currency; 3] = [Currency::Eur, Currency::Usd, Currency::Usdt];

    /// The code as it travels in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
            Currency::Usdt => "USDT",
        }
    }

    /// Number of decimals of the minor unit: `5000` EUR is 50.00 EUR, `5000000` USDT is 5 USDT.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::Eur | Currency::Usd => 2,
            Currency::Usdt => 6,
        }
    }

    pub fn is_fiat(self) -> bool {
        !matches!(self, Currency::Usdt)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A currency code the sandbox does not know (`400 VALIDATION_ERROR`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency `{0}`; expected one of EUR, USD, USDT")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;

    /// Codes are exact upper case, as upstream sends them; `eur` is rejected rather than guessed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownCurrency(s.chars().take(16).collect()))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an amount cannot move money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("must be greater than zero")]
    NotPositive,
    #[error("must be at most {MAX_AMOUNT}")]
    TooLarge,
}

/// Checks that `amount` may move money: `1 ..= 10^15` minor units (spec/NOTES.md D6).
pub fn check_amount(amount: i64) -> Result<i64, AmountError> {
    if amount <= 0 {
        Err(AmountError::NotPositive)
    } else if amount > MAX_AMOUNT {
        Err(AmountError::TooLarge)
    } else {
        Ok(amount)
    }
}

/// An amount in minor units with its currency; JSON `{"currency": "EUR", "amount": 5000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub currency: Currency,
    pub amount: i64,
}

impl Money {
    pub fn new(currency: Currency, amount: i64) -> Self {
        Self { currency, amount }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_codes_only() {
        assert_eq!("EUR".parse::<Currency>(), Ok(Currency::Eur));
        assert_eq!("USD".parse::<Currency>(), Ok(Currency::Usd));
        assert_eq!("USDT".parse::<Currency>(), Ok(Currency::Usdt));
        let err = "GBP".parse::<Currency>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown currency `GBP`; expected one of EUR, USD, USDT"
        );
        assert!("eur".parse::<Currency>().is_err());
        assert!("".parse::<Currency>().is_err());
    }

    #[test]
    fn unknown_code_is_truncated_in_the_error() {
        let long = "X".repeat(1000);
        let err = long.parse::<Currency>().unwrap_err();
        assert_eq!(err.0.len(), 16);
    }

    #[test]
    fn decimals() {
        assert_eq!(Currency::Eur.decimals(), 2);
        assert_eq!(Currency::Usd.decimals(), 2);
        assert_eq!(Currency::Usdt.decimals(), 6);
        assert!(Currency::Eur.is_fiat() && !Currency::Usdt.is_fiat());
    }

    #[test]
    fn amount_range() {
        assert_eq!(check_amount(0), Err(AmountError::NotPositive));
        assert_eq!(check_amount(-5), Err(AmountError::NotPositive));
        assert_eq!(check_amount(1), Ok(1));
        assert_eq!(check_amount(MAX_AMOUNT), Ok(MAX_AMOUNT));
        assert_eq!(check_amount(MAX_AMOUNT + 1), Err(AmountError::TooLarge));
    }

    #[test]
    fn money_json_shape() {
        let m = Money::new(Currency::Eur, 5000);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"currency":"EUR","amount":5000}"#
        );
        let back: Money = serde_json::from_str(r#"{"amount":7,"currency":"USDT"}"#).unwrap();
        assert_eq!(back, Money::new(Currency::Usdt, 7));
        assert!(serde_json::from_str::<Money>(r#"{"amount":7,"currency":"XXX"}"#).is_err());
    }
}
