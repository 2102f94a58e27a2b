//! Helpers the money routes share: account checks, money fields, OTPs and emitting the events an
//! order's new state calls for.

use super::currency::{Currency, MAX_AMOUNT, Money};
use super::events::event_for;
use super::ledger::AccountInfo;
use super::orders::Order;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Account, AccountCurrency, Store};
use crate::validate::Fields;
use serde::Deserialize;
use uuid::Uuid;

/// The sandbox's OTP and 2FA code (spec/NOTES.md D9).
pub const SANDBOX_OTP: &str = "123456";

/// `{uid}/{aid}` path parameters.
#[derive(Debug, Deserialize)]
pub struct UserAccountPath {
    pub uid: Uuid,
    pub aid: Uuid,
}

/// `{oid}` path parameter.
#[derive(Debug, Deserialize)]
pub struct OrderPath {
    pub oid: Uuid,
}

pub fn currency_of(account: &Account) -> Currency {
    match account.currency {
        AccountCurrency::Eur => Currency::Eur,
        AccountCurrency::Usd => Currency::Usd,
    }
}

pub fn info(account: &Account) -> AccountInfo {
    AccountInfo {
        id: account.id,
        user_id: account.user_id,
        currency: currency_of(account),
    }
}

/// Money moves only on `ACTIVE` accounts (`422 ACCOUNT_NOT_ACTIVE`).
pub fn active(account: &Account, what: &str) -> ApiResult<AccountInfo> {
    if !account.is_active() {
        return Err(ApiError::unprocessable(
            "ACCOUNT_NOT_ACTIVE",
            format!("{what} {} is not ACTIVE", account.id),
        ));
    }
    Ok(info(account))
}

/// The active account `aid` of user `uid` (404 / 403 / 422 as D3 says).
pub fn active_user_account(store: &Store, path: &UserAccountPath) -> ApiResult<AccountInfo> {
    active(store.user_account(path.uid, path.aid)?, "account")
}

/// Checks an OTP / 2FA code (`422 INVALID_OTP`).
pub fn check_otp(code: &str, field: &str) -> ApiResult<()> {
    if code == SANDBOX_OTP {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "INVALID_OTP",
            format!("{field}: the code is wrong"),
        ))
    }
}

/// A currency code field; unknown codes are violations naming the field.
pub fn currency_field(f: &mut Fields<'_>, name: &str, required: bool) -> Option<Currency> {
    let code = if required {
        f.required_str(name)?
    } else {
        f.optional_str(name)?
    };
    match code.parse::<Currency>() {
        Ok(c) => Some(c),
        Err(err) => {
            f.reject(name, err.to_string());
            None
        }
    }
}

/// An amount field: an integer in `min ..= 10^15` (`min` is 1 for amounts that move money, 0
/// for the "other" side of payout amounts).
pub fn amount_field(f: &mut Fields<'_>, name: &str, required: bool, min: i64) -> Option<i64> {
    let amount = f.integer(name, required)?;
    if amount < min {
        let what = if min > 0 {
            "must be greater than zero"
        } else {
            "must not be negative"
        };
        f.reject(name, what);
        None
    } else if amount > MAX_AMOUNT {
        f.reject(name, format!("must be at most {MAX_AMOUNT}"));
        None
    } else {
        Some(amount)
    }
}

/// A `{currency, amount}` object with a positive amount.
pub fn money_field(f: &mut Fields<'_>, name: &str) -> Option<Money> {
    let object = f.object(name, true)?;
    f.nested(name, object, |m| {
        let currency = currency_field(m, "currency", true);
        let amount = amount_field(m, "amount", true, 1);
        Some(Money::new(currency?, amount?))
    })
}

/// An optional UUID string field (`quoteId`, `recipient.accountId`).
pub fn uuid_field(f: &mut Fields<'_>, name: &str, required: bool) -> Option<Uuid> {
    let raw = if required {
        f.required_str(name)?
    } else {
        f.optional_str(name)?
    };
    match Uuid::parse_str(raw) {
        Ok(id) => Some(id),
        Err(_) => {
            f.reject(name, "must be a UUID");
            None
        }
    }
}

/// Optional free text, at most 255 characters (references, descriptions, names).
pub fn text(f: &mut Fields<'_>, name: &str) -> Option<String> {
    f.bounded_str(name, false, 255).map(str::to_owned)
}

/// Required free text, at most 255 characters.
pub fn required_text(f: &mut Fields<'_>, name: &str) -> Option<String> {
    f.bounded_str(name, true, 255).map(str::to_owned)
}

/// Sends the webhook the order's current state calls for (if any). Called under the store lock
/// so events leave in the order of the changes that caused them.
pub fn emit_for(state: &AppState, order: &Order) {
    if let Some(event) = event_for(order) {
        state.emit(event.event_type, event.data);
    }
}

/// Settles `oid` and emits its event; returns the settled order.
pub fn settle(state: &AppState, store: &mut Store, oid: Uuid) -> ApiResult<Order> {
    let order = store.ledger.settle(oid, state.now())?.clone();
    emit_for(state, &order);
    Ok(order)
}

/// Settles `oid` at once when auto-settle is on (spec/NOTES.md D9); returns the order as it
/// stands afterwards.
pub fn maybe_auto_settle(state: &AppState, store: &mut Store, oid: Uuid) -> ApiResult<Order> {
    if state.config.auto_settle.orders {
        return settle(state, store, oid);
    }
    store
        .ledger
        .order(oid)
        .cloned()
        .ok_or_else(|| ApiError::not_found("order"))
}

/// The order `oid`, which must be of one of `types` (404 otherwise: a card payin id is not a
/// bank payin).
pub fn order_of_type(
    store: &Store,
    oid: Uuid,
    types: &[super::orders::OrderType],
) -> ApiResult<Order> {
    store
        .ledger
        .order(oid)
        .filter(|o| types.contains(&o.order_type))
        .cloned()
        .ok_or_else(|| ApiError::not_found("order"))
}
