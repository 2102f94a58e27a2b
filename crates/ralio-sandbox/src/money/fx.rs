//! The sandbox's fixed FX table and exact integer conversion (spec/NOTES.md D6, D22).

use super::currency::Currency;

/// Rates are integers scaled by 10^10: `1.0850000000` is `10_850_000_000`.
pub const RATE_SCALE: i64 = 10_000_000_000;

const EUR_USD: i64 = 10_850_000_000;
const USD_EUR: i64 = 9_216_589_862;

/// A conversion rate from one currency to another, in major units (1 EUR = 1.085 USD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub from: Currency,
    pub to: Currency,
    /// The rate times [`RATE_SCALE`].
    pub scaled: i64,
}

/// A conversion whose result does not fit the sandbox's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the converted amount is out of range")]
pub struct FxOverflow;

/// USDT is pegged 1:1 to USD in the sandbox (spec/NOTES.md D22), so it shares USD's rates.
fn fiat_of(c: Currency) -> Currency {
    match c {
        Currency::Usdt => Currency::Usd,
        other => other,
    }
}

impl Rate {
    /// The fixed rate between any two sandbox currencies (1.0 between a currency and itself or
    /// between USD and USDT).
    pub fn between(from: Currency, to: Currency) -> Rate {
        let scaled = match (fiat_of(from), fiat_of(to)) {
            (Currency::Eur, Currency::Usd) => EUR_USD,
            (Currency::Usd, Currency::Eur) => USD_EUR,
            _ => RATE_SCALE,
        };
        Rate { from, to, scaled }
    }

    /// `"EUR/USD"`.
    pub fn pair(&self) -> String {
        format!("{}/{}", self.from, self.to)
    }

    /// The rate with all ten decimals, as v2 webhooks carry it: `"1.0850000000"`.
    pub fn decimal_string(&self) -> String {
        format!(
            "{}.{:010}",
            self.scaled / RATE_SCALE,
            self.scaled % RATE_SCALE
        )
    }

    /// The rate as a JSON number, as API responses carry it (spec/NOTES.md D6). Parsing the exact
    /// decimal string gives the nearest double, the best a JSON number can do.
    pub fn json_number(&self) -> serde_json::Value {
        self.decimal_string()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }

    /// Numerator and denominator that turn minor units of `from` into minor units of `to`.
    fn ratio(&self) -> (i128, i128) {
        let num = i128::from(self.scaled) * 10_i128.pow(self.to.decimals());
        let den = i128::from(RATE_SCALE) * 10_i128.pow(self.from.decimals());
        (num, den)
    }

    /// Converts `amount` minor units of `from` into minor units of `to`, rounded down.
    pub fn convert(&self, amount: i64) -> Result<i64, FxOverflow> {
        let (num, den) = self.ratio();
        let exact = i128::from(amount) * num;
        i64::try_from(exact.div_euclid(den)).map_err(|_| FxOverflow)
    }

    /// The smallest amount of `from` whose conversion yields at least `target` of `to`: used when
    /// the caller fixes what the recipient receives (the sender pays the rounding, spec/NOTES.md D22).
    pub fn convert_inverse(&self, target: i64) -> Result<i64, FxOverflow> {
        let (num, den) = self.ratio();
        let exact = i128::from(target) * den;
        let origin = exact.div_euclid(num) + i128::from(exact.rem_euclid(num) != 0);
        i64::try_from(origin).map_err(|_| FxOverflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fixed_table() {
        assert_eq!(
            Rate::between(Currency::Eur, Currency::Usd).decimal_string(),
            "1.0850000000"
        );
        assert_eq!(
            Rate::between(Currency::Usd, Currency::Eur).decimal_string(),
            "0.9216589862"
        );
        assert_eq!(
            Rate::between(Currency::Eur, Currency::Eur).decimal_string(),
            "1.0000000000"
        );
        assert_eq!(
            Rate::between(Currency::Eur, Currency::Usdt).pair(),
            "EUR/USDT"
        );
        assert_eq!(
            Rate::between(Currency::Eur, Currency::Usd).json_number(),
            serde_json::json!(1.085)
        );
    }

    #[test]
    fn converts_and_rounds_down() {
        let eur_usd = Rate::between(Currency::Eur, Currency::Usd);
        assert_eq!(eur_usd.convert(10_000), Ok(10_850));
        assert_eq!(eur_usd.convert(1), Ok(1)); // 1.085 -> 1
        let usd_eur = Rate::between(Currency::Usd, Currency::Eur);
        assert_eq!(usd_eur.convert(10_850), Ok(10_000)); // 10000.0000002...
        assert_eq!(usd_eur.convert(10_849), Ok(9_999)); // 9999.078... -> 9999
        assert_eq!(usd_eur.convert(1), Ok(0));
    }

    #[test]
    fn respects_decimals() {
        let usd_usdt = Rate::between(Currency::Usd, Currency::Usdt);
        assert_eq!(usd_usdt.convert(150), Ok(1_500_000));
        let usdt_usd = Rate::between(Currency::Usdt, Currency::Usd);
        assert_eq!(usdt_usd.convert(1_509_999), Ok(150));
        let eur_usdt = Rate::between(Currency::Eur, Currency::Usdt);
        assert_eq!(eur_usdt.convert(100), Ok(1_085_000));
    }

    #[test]
    fn inverse_is_smallest_sufficient_origin() {
        let usd_eur = Rate::between(Currency::Usd, Currency::Eur);
        let origin = usd_eur.convert_inverse(9_999).unwrap();
        assert!(usd_eur.convert(origin).unwrap() >= 9_999);
        assert!(usd_eur.convert(origin - 1).unwrap() < 9_999);
    }

    #[test]
    fn huge_amounts_do_not_overflow_silently() {
        let usd_usdt = Rate::between(Currency::Usd, Currency::Usdt);
        assert_eq!(usd_usdt.convert(i64::MAX), Err(FxOverflow));
        // 10^15 cents are 10^19 micro-USDT: beyond i64.
        assert_eq!(usd_usdt.convert(1_000_000_000_000_000), Err(FxOverflow));
    }

    proptest! {
        #[test]
        fn inverse_round_trips(target in 1_i64..1_000_000_000_000, from in 0usize..3, to in 0usize..3) {
            let rate = Rate::between(Currency::ALL[from], Currency::ALL[to]);
            let origin = rate.convert_inverse(target).unwrap();
            prop_assert!(rate.convert(origin).unwrap() >= target);
            prop_assert!(origin == 0 || rate.convert(origin - 1).unwrap() < target);
        }
    }
}
