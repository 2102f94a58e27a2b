//! What a transfer or payout costs and delivers, and the quotes that fix it for 30 s
//! (spec/NOTES.md D6, D7, D9, D22).

use super::currency::{Currency, Money, check_amount};
use super::error::MoneyError;
use super::fees::{Fee, payout_fee, transfer_fee};
use super::fx::Rate;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// How long a quote from a `simulate` route stays usable (spec/NOTES.md D9).
pub const QUOTE_VALIDITY_SECONDS: i64 = 30;

/// The amounts of one money movement out of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    /// What leaves the account, fee excluded.
    pub origin: Money,
    /// What the recipient receives.
    pub destination: Money,
    /// Added on top of `origin` (spec/NOTES.md D7).
    pub fee: Fee,
    pub rate: Rate,
}

impl Price {
    /// Everything the sending account gives up.
    pub fn debit(&self) -> i64 {
        self.origin.amount + self.fee.total()
    }
}

/// Which side of a payout the caller fixed (upstream: exactly one of `debitedAmount` /
/// `receivedAmount` is non-zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutAmount {
    /// The amount sent, in the account's currency, delivered in `to`.
    Debited { amount: Money, to: Currency },
    /// The amount the recipient must receive; the account pays the converted amount.
    Received { amount: Money },
}

fn checked(field: &'static str, amount: i64) -> Result<i64, MoneyError> {
    check_amount(amount).map_err(|reason| MoneyError::InvalidAmount { field, reason })
}

fn same_currency(field: &'static str, expected: Currency, got: Currency) -> Result<(), MoneyError> {
    if expected == got {
        Ok(())
    } else {
        Err(MoneyError::CurrencyMismatch {
            field,
            expected,
            got,
        })
    }
}

/// A transfer of `origin` from an account in `from` to an account in `to`; no fee.
pub fn price_transfer(from: Currency, origin: Money, to: Currency) -> Result<Price, MoneyError> {
    checked("origin.amount", origin.amount)?;
    same_currency("origin.currency", from, origin.currency)?;
    let rate = Rate::between(from, to);
    let received = rate
        .convert(origin.amount)
        .map_err(|_| MoneyError::OutOfRange {
            field: "origin.amount",
        })?;
    Ok(Price {
        origin,
        destination: Money::new(to, received),
        fee: transfer_fee(from),
        rate,
    })
}

/// A payout from an account in `from`; flat fee on top.
pub fn price_payout(from: Currency, amount: PayoutAmount) -> Result<Price, MoneyError> {
    let (origin, destination, rate) = match amount {
        PayoutAmount::Debited { amount, to } => {
            checked("amounts.debitedAmount.amount", amount.amount)?;
            same_currency("amounts.debitedAmount.currency", from, amount.currency)?;
            let rate = Rate::between(from, to);
            let received = rate
                .convert(amount.amount)
                .map_err(|_| MoneyError::OutOfRange {
                    field: "amounts.debitedAmount.amount",
                })?;
            (amount, Money::new(to, received), rate)
        }
        PayoutAmount::Received { amount } => {
            checked("amounts.receivedAmount.amount", amount.amount)?;
            let rate = Rate::between(from, amount.currency);
            let out_of_range = || MoneyError::OutOfRange {
                field: "amounts.receivedAmount.amount",
            };
            let sent = rate
                .convert_inverse(amount.amount)
                .map_err(|_| out_of_range())?;
            check_amount(sent).map_err(|_| out_of_range())?;
            (Money::new(from, sent), amount, rate)
        }
    };
    Ok(Price {
        origin,
        destination,
        fee: payout_fee(from),
        rate,
    })
}

/// What a quote is for; a transfer quote cannot pay for a payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteKind {
    Transfer,
    Payout,
}

/// A priced movement, valid [`QUOTE_VALIDITY_SECONDS`] on the sandbox clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub id: Uuid,
    pub kind: QuoteKind,
    pub account_id: Uuid,
    pub price: Price,
    pub timestamp: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

impl Quote {
    pub fn new(kind: QuoteKind, account_id: Uuid, price: Price, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::new_v4(),
            kind,
            account_id,
            price,
            timestamp: now,
            valid_until: now + Duration::seconds(QUOTE_VALIDITY_SECONDS),
        }
    }

    /// Checks that the quote may be used at `now` for `price` on `account_id`.
    pub fn check(
        &self,
        kind: QuoteKind,
        account_id: Uuid,
        price: &Price,
        now: DateTime<Utc>,
    ) -> Result<(), MoneyError> {
        if self.account_id != account_id {
            // Another account's quote is as good as unknown to this caller.
            return Err(MoneyError::QuoteNotFound);
        }
        if self.kind != kind
            || self.price.rate.from != price.rate.from
            || self.price.rate.to != price.rate.to
        {
            return Err(MoneyError::QuoteMismatch);
        }
        if now > self.valid_until {
            return Err(MoneyError::QuoteExpired);
        }
        Ok(())
    }

    /// The `QuoteResponse` body of the `simulate` routes (plus the fee, which upstream omits).
    pub fn response_json(&self) -> serde_json::Value {
        serde_json::json!({
            "origin": self.price.origin,
            "destination": self.price.destination,
            "fee": self.price.fee.api_json(),
            "quote": {
                "rate": self.price.rate.json_number(),
                "timestamp": crate::money::views::rfc3339(self.timestamp),
                "validUntil": crate::money::views::rfc3339(self.valid_until),
            },
            "quoteId": self.id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::currency::AmountError;

    #[test]
    fn transfer_converts_without_fee() {
        let p = price_transfer(
            Currency::Eur,
            Money::new(Currency::Eur, 10_000),
            Currency::Usd,
        )
        .unwrap();
        assert_eq!(p.destination, Money::new(Currency::Usd, 10_850));
        assert_eq!((p.fee.total(), p.debit()), (0, 10_000));
    }

    #[test]
    fn transfer_checks_amount_and_currency() {
        assert_eq!(
            price_transfer(Currency::Eur, Money::new(Currency::Eur, 0), Currency::Eur),
            Err(MoneyError::InvalidAmount {
                field: "origin.amount",
                reason: AmountError::NotPositive
            })
        );
        assert!(matches!(
            price_transfer(Currency::Eur, Money::new(Currency::Usd, 5), Currency::Eur),
            Err(MoneyError::CurrencyMismatch {
                field: "origin.currency",
                ..
            })
        ));
    }

    #[test]
    fn payout_fee_on_top_of_debited() {
        let p = price_payout(
            Currency::Eur,
            PayoutAmount::Debited {
                amount: Money::new(Currency::Eur, 10_000),
                to: Currency::Eur,
            },
        )
        .unwrap();
        assert_eq!(
            (p.origin.amount, p.destination.amount, p.debit()),
            (10_000, 10_000, 10_100)
        );
    }

    #[test]
    fn payout_by_received_amount_pays_the_rounding() {
        let p = price_payout(
            Currency::Eur,
            PayoutAmount::Received {
                amount: Money::new(Currency::Usd, 10_000),
            },
        )
        .unwrap();
        assert_eq!(p.destination, Money::new(Currency::Usd, 10_000));
        assert_eq!(p.origin.currency, Currency::Eur);
        assert!(p.rate.convert(p.origin.amount).unwrap() >= 10_000);
        assert!(p.rate.convert(p.origin.amount - 1).unwrap() < 10_000);
    }

    #[test]
    fn crypto_payout_to_usdt() {
        let p = price_payout(
            Currency::Usd,
            PayoutAmount::Debited {
                amount: Money::new(Currency::Usd, 150),
                to: Currency::Usdt,
            },
        )
        .unwrap();
        assert_eq!(p.destination, Money::new(Currency::Usdt, 1_500_000));
        let huge = price_payout(
            Currency::Usd,
            PayoutAmount::Debited {
                amount: Money::new(Currency::Usd, 1_000_000_000_000_000),
                to: Currency::Usdt,
            },
        );
        assert!(matches!(huge, Err(MoneyError::OutOfRange { .. })));
    }

    #[test]
    fn quote_validity_follows_the_clock() {
        let now = Utc::now();
        let account = Uuid::new_v4();
        let price =
            price_transfer(Currency::Eur, Money::new(Currency::Eur, 100), Currency::Usd).unwrap();
        let q = Quote::new(QuoteKind::Transfer, account, price, now);
        assert_eq!(
            q.check(
                QuoteKind::Transfer,
                account,
                &price,
                now + Duration::seconds(30)
            ),
            Ok(())
        );
        assert_eq!(
            q.check(
                QuoteKind::Transfer,
                account,
                &price,
                now + Duration::seconds(31)
            ),
            Err(MoneyError::QuoteExpired)
        );
        assert_eq!(
            q.check(QuoteKind::Payout, account, &price, now),
            Err(MoneyError::QuoteMismatch)
        );
        assert_eq!(
            q.check(QuoteKind::Transfer, Uuid::new_v4(), &price, now),
            Err(MoneyError::QuoteNotFound)
        );
        let body = q.response_json();
        assert_eq!(body["quote"]["rate"], serde_json::json!(1.085));
        assert_eq!(body["destination"]["amount"], 108);
    }
}
