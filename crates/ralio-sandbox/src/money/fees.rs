//! Sandbox economics: what each kind of order costs (spec/NOTES.md D7).

use super::currency::{Currency, Money};

/// Flat payout fee in minor units of the debited currency, split 60/40 (spec/NOTES.md D7).
const PAYOUT_SYSTEM_FEE: i64 = 60;
const PAYOUT_MERCHANT_FEE: i64 = 40;

/// A fee and its split between the platform (`systemFee`) and the merchant (`merchantFee`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fee {
    pub currency: Currency,
    pub system: i64,
    pub merchant: i64,
}

impl Fee {
    pub fn zero(currency: Currency) -> Self {
        Self {
            currency,
            system: 0,
            merchant: 0,
        }
    }

    pub fn total(&self) -> i64 {
        self.system + self.merchant
    }

    /// The API's shape: `{currency, amount, breakdown{merchantFee, systemFee}}`.
    pub fn api_json(&self) -> serde_json::Value {
        serde_json::json!({
            "currency": self.currency,
            "amount": self.total(),
            "breakdown": {"merchantFee": self.merchant, "systemFee": self.system},
        })
    }

    /// The v2 webhooks' shape, which says `total` instead of `amount`.
    pub fn webhook_json(&self) -> serde_json::Value {
        serde_json::json!({
            "currency": self.currency,
            "total": self.total(),
            "breakdown": {"systemFee": self.system, "merchantFee": self.merchant},
        })
    }
}

/// Payins cost 1% of the (converted) received amount, rounded down; the platform takes the
/// larger half.
pub fn payin_fee(gross: Money) -> Fee {
    let total = gross.amount.max(0) / 100;
    let merchant = total / 2;
    Fee {
        currency: gross.currency,
        system: total - merchant,
        merchant,
    }
}

/// Bank and crypto payouts cost a flat 100 minor units, added on top of the amount sent.
pub fn payout_fee(currency: Currency) -> Fee {
    Fee {
        currency,
        system: PAYOUT_SYSTEM_FEE,
        merchant: PAYOUT_MERCHANT_FEE,
    }
}

/// Transfers between Ralio accounts are free.
pub fn transfer_fee(currency: Currency) -> Fee {
    Fee::zero(currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payin_fee_is_one_percent_rounded_down_larger_half_to_system() {
        let fee = payin_fee(Money::new(Currency::Eur, 10_000));
        assert_eq!((fee.total(), fee.system, fee.merchant), (100, 50, 50));
        let fee = payin_fee(Money::new(Currency::Eur, 10_399));
        assert_eq!((fee.total(), fee.system, fee.merchant), (103, 52, 51));
        let fee = payin_fee(Money::new(Currency::Usd, 99));
        assert_eq!(fee.total(), 0);
        let fee = payin_fee(Money::new(Currency::Usd, 100));
        assert_eq!((fee.system, fee.merchant), (1, 0));
    }

    #[test]
    fn payout_fee_is_flat() {
        let fee = payout_fee(Currency::Usd);
        assert_eq!((fee.total(), fee.system, fee.merchant), (100, 60, 40));
        assert_eq!(transfer_fee(Currency::Eur).total(), 0);
    }

    #[test]
    fn json_shapes() {
        let fee = payout_fee(Currency::Eur);
        assert_eq!(
            fee.api_json(),
            serde_json::json!({"currency": "EUR", "amount": 100,
                "breakdown": {"merchantFee": 40, "systemFee": 60}})
        );
        assert_eq!(fee.webhook_json()["total"], 100);
    }
}
