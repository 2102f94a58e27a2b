//! The sandbox's state: every entity, in creation order, behind one lock (`crate::state`).
//!
//! Handlers lock the store, look entities up with the helpers below (which already produce the
//! right `ApiError`: 404 for an unknown id, 403 for an account of another user) and render
//! JSON views. Nothing here does I/O.

pub mod accounts;
pub mod idv;
pub mod kyb;
pub mod merchant;
pub mod users;
pub mod vibans;

use chrono::{DateTime, SecondsFormat, Utc};
use indexmap::IndexMap;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::money::Ledger;

pub use accounts::{Account, AccountCurrency, AccountPurpose, AccountState};
pub use idv::{IdvCheck, IdvSession, IdvState};
pub use kyb::{KybDocument, KybSession, KybState};
pub use users::{KycLevel, User, UserKind};
pub use vibans::{Viban, VibanRail, VibanState};

/// Entities of one kind by id; iteration is creation order, which listings use to break ties.
pub type Table<T> = IndexMap<Uuid, T>;

/// All sandbox state. `Store::new` seeds the merchant (see `merchant`).
#[derive(Debug)]
pub struct Store {
    pub users: Table<User>,
    pub idv_sessions: Table<IdvSession>,
    pub kyb_sessions: Table<KybSession>,
    pub accounts: Table<Account>,
    pub vibans: Table<Viban>,
    /// Orders, balances and ledger transactions (owned by the money work stream).
    pub ledger: Ledger,
    /// Source of the small integer ids upstream uses next to the UUIDs (`kycId`, `kybId`,
    /// history and check ids).
    next_number: i64,
}

impl Store {
    /// A fresh store holding only the seeded merchant user and its accounts.
    pub fn new(now: DateTime<Utc>) -> Self {
        let mut store = Self {
            users: Table::new(),
            idv_sessions: Table::new(),
            kyb_sessions: Table::new(),
            accounts: Table::new(),
            vibans: Table::new(),
            ledger: Ledger::default(),
            next_number: 0,
        };
        merchant::seed(&mut store, now);
        store
    }

    /// The next small integer id (1, 2, …), unique within this store.
    pub fn next_number(&mut self) -> i64 {
        self.next_number += 1;
        self.next_number
    }

    pub fn user(&self, uid: Uuid) -> ApiResult<&User> {
        self.users
            .get(&uid)
            .ok_or_else(|| ApiError::not_found("user"))
    }

    pub fn user_mut(&mut self, uid: Uuid) -> ApiResult<&mut User> {
        self.users
            .get_mut(&uid)
            .ok_or_else(|| ApiError::not_found("user"))
    }

    pub fn account(&self, aid: Uuid) -> ApiResult<&Account> {
        self.accounts
            .get(&aid)
            .ok_or_else(|| ApiError::not_found("account"))
    }

    /// The account `aid` of user `uid`: 404 if either is unknown, 403 if the account belongs to
    /// another user (spec/NOTES.md D3).
    pub fn user_account(&self, uid: Uuid, aid: Uuid) -> ApiResult<&Account> {
        self.user(uid)?;
        let account = self.account(aid)?;
        if account.user_id != uid {
            return Err(ApiError::forbidden("the account belongs to another user"));
        }
        Ok(account)
    }

    /// Mutable form of [`Store::user_account`].
    pub fn user_account_mut(&mut self, uid: Uuid, aid: Uuid) -> ApiResult<&mut Account> {
        self.user_account(uid, aid)?;
        self.accounts
            .get_mut(&aid)
            .ok_or_else(|| ApiError::not_found("account"))
    }

    /// The seeded merchant user's id.
    pub fn merchant_user_id(&self) -> Uuid {
        merchant::MERCHANT_USER_ID
    }

    /// The merchant account of `aid`: 404 if unknown or not the merchant's.
    pub fn merchant_account(&self, aid: Uuid) -> ApiResult<&Account> {
        match self.accounts.get(&aid) {
            Some(account) if account.user_id == merchant::MERCHANT_USER_ID => Ok(account),
            _ => Err(ApiError::not_found("merchant account")),
        }
    }

    /// The merchant's account of `purpose` in `currency` (seeded for EUR and USD).
    pub fn merchant_account_for(
        &self,
        purpose: AccountPurpose,
        currency: AccountCurrency,
    ) -> Option<&Account> {
        self.accounts.values().find(|a| {
            a.user_id == merchant::MERCHANT_USER_ID
                && a.purpose == purpose
                && a.currency == currency
        })
    }
}

/// Timestamps on the wire: RFC 3339, UTC, milliseconds, `Z` (they then sort lexicographically).
pub fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
