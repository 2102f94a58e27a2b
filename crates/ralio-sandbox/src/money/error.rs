//! Failures of money operations and their HTTP mapping (spec/NOTES.md D3).

use super::currency::{AmountError, Currency};
use super::orders::TransitionError;
use crate::error::ApiError;
use axum::http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// A non-positive or too large amount (`400`).
    #[error("{field}: {reason}")]
    InvalidAmount {
        field: &'static str,
        reason: AmountError,
    },
    /// A conversion or a balance that would leave the i64 range (`400`).
    #[error("{field}: the amount is out of range once converted or added to the balance")]
    OutOfRange { field: &'static str },
    /// A currency that does not fit the account (`422 CURRENCY_MISMATCH`).
    #[error("{field}: expected {expected}, got {got}")]
    CurrencyMismatch {
        field: &'static str,
        expected: Currency,
        got: Currency,
    },
    /// A transfer from an account to itself (`400`).
    #[error("recipient.accountId: must differ from the sending account")]
    SameAccount,
    /// Amount plus fee above the available balance (`422 INSUFFICIENT_FUNDS`).
    #[error("amount plus fee ({required}) exceeds the available balance ({available})")]
    InsufficientFunds { available: i64, required: i64 },
    #[error("order not found")]
    OrderNotFound,
    #[error("quoteId: quote not found")]
    QuoteNotFound,
    #[error("quoteId: the quote expired")]
    QuoteExpired,
    /// A quote for another account or another currency pair (`400`).
    #[error("quoteId: the quote was made for another account or currency pair")]
    QuoteMismatch,
    #[error(transparent)]
    InvalidState(#[from] TransitionError),
}

impl From<MoneyError> for ApiError {
    fn from(err: MoneyError) -> Self {
        let message = err.to_string();
        match err {
            MoneyError::InvalidAmount { field, reason } => {
                ApiError::invalid(field, reason.to_string())
            }
            MoneyError::OutOfRange { field } => ApiError::invalid(
                field,
                "is out of range once converted or added to the balance",
            ),
            MoneyError::SameAccount => ApiError::invalid(
                "recipient.accountId",
                "must differ from the sending account",
            ),
            MoneyError::QuoteMismatch => ApiError::invalid(
                "quoteId",
                "the quote was made for another account or currency pair",
            ),
            MoneyError::CurrencyMismatch { .. } => {
                ApiError::unprocessable("CURRENCY_MISMATCH", message)
            }
            MoneyError::InsufficientFunds { .. } => {
                ApiError::unprocessable("INSUFFICIENT_FUNDS", message)
            }
            MoneyError::OrderNotFound => ApiError::not_found("order"),
            MoneyError::QuoteNotFound => ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", message),
            MoneyError::QuoteExpired => ApiError::unprocessable("QUOTE_EXPIRED", message),
            MoneyError::InvalidState(_) => ApiError::unprocessable("INVALID_STATE", message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_d3_codes() {
        let api: ApiError = MoneyError::InsufficientFunds {
            available: 5,
            required: 10,
        }
        .into();
        assert_eq!((api.status.as_u16(), api.code), (422, "INSUFFICIENT_FUNDS"));
        let api: ApiError = MoneyError::InvalidAmount {
            field: "origin.amount",
            reason: AmountError::NotPositive,
        }
        .into();
        assert_eq!(api.violations[0].field, "origin.amount");
        let api: ApiError = MoneyError::CurrencyMismatch {
            field: "currency",
            expected: Currency::Eur,
            got: Currency::Usd,
        }
        .into();
        assert_eq!(api.code, "CURRENCY_MISMATCH");
        assert_eq!(api.message, "currency: expected EUR, got USD");
        let api: ApiError = MoneyError::QuoteExpired.into();
        assert_eq!(api.code, "QUOTE_EXPIRED");
        let api: ApiError = MoneyError::QuoteNotFound.into();
        assert_eq!(api.status.as_u16(), 404);
    }
}
