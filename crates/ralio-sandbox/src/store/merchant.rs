//! The seeded merchant: one user and four accounts with fixed ids, recreated on reset
//! (spec/NOTES.md D15), so tests and docs can name them.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    Account, AccountCurrency, AccountPurpose, AccountState, KycLevel, Store, User, UserKind,
};

pub const MERCHANT_USER_ID: Uuid = Uuid::from_u128(0x00000000_0000_4000_8000_000000000001);
pub const MERCHANT_NAME: &str = "Sandbox Merchant";
pub const MERCHANT_EMAIL: &str = "merchant@sandbox.raliopay.test";
pub const MERCHANT_COUNTRY: &str = "ES";

pub const OPERATIONAL_EUR_ACCOUNT_ID: Uuid =
    Uuid::from_u128(0x00000000_0000_4000_8000_000000000101);
pub const OPERATIONAL_USD_ACCOUNT_ID: Uuid =
    Uuid::from_u128(0x00000000_0000_4000_8000_000000000102);
pub const FEES_EUR_ACCOUNT_ID: Uuid = Uuid::from_u128(0x00000000_0000_4000_8000_000000000201);
pub const FEES_USD_ACCOUNT_ID: Uuid = Uuid::from_u128(0x00000000_0000_4000_8000_000000000202);

pub(super) fn seed(store: &mut Store, now: DateTime<Utc>) {
    let mut profile = Map::new();
    profile.insert("name".into(), Value::from(MERCHANT_NAME));
    profile.insert("email".into(), Value::from(MERCHANT_EMAIL));
    profile.insert("country".into(), Value::from(MERCHANT_COUNTRY));
    store.users.insert(
        MERCHANT_USER_ID,
        User {
            id: MERCHANT_USER_ID,
            kind: UserKind::Merchant,
            kyc_id: 0,
            email: MERCHANT_EMAIL.to_owned(),
            display_name: MERCHANT_NAME.to_owned(),
            kyc_level: KycLevel::Regular,
            created_at: now,
            updated_at: now,
            profile,
        },
    );
    let accounts = [
        (
            OPERATIONAL_EUR_ACCOUNT_ID,
            AccountCurrency::Eur,
            AccountPurpose::Operational,
            "Operational EUR",
        ),
        (
            OPERATIONAL_USD_ACCOUNT_ID,
            AccountCurrency::Usd,
            AccountPurpose::Operational,
            "Operational USD",
        ),
        (
            FEES_EUR_ACCOUNT_ID,
            AccountCurrency::Eur,
            AccountPurpose::Fees,
            "Fees EUR",
        ),
        (
            FEES_USD_ACCOUNT_ID,
            AccountCurrency::Usd,
            AccountPurpose::Fees,
            "Fees USD",
        ),
    ];
    for (id, currency, purpose, alias) in accounts {
        store.accounts.insert(
            id,
            Account {
                id,
                user_id: MERCHANT_USER_ID,
                currency,
                alias: alias.to_owned(),
                state: AccountState::Active,
                purpose,
                created_at: now,
                updated_at: now,
            },
        );
    }
}
