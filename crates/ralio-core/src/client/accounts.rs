use reqwest::Method;

use crate::error::RalioError;
use crate::model::{Account, AccountCreate, AccountUpdate};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// Accounts (wallets) of end users.
    Accounts
}

const BASE: [&str; 4] = ["api", "v1", "account", "users"];

impl Accounts {
    /// `POST /api/v1/account/users/{uid}/accounts` (createUserAccount).
    pub async fn create(&self, uid: &str, body: &AccountCreate) -> Result<Account, RalioError> {
        let request = Request::post(&[&BASE[..], &[uid, "accounts"]].concat()).json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/users/{uid}/accounts` (listUserAccounts), bare array.
    pub async fn list(&self, uid: &str, query: &ListQuery) -> Result<Vec<Account>, RalioError> {
        let request = Request::get(&[&BASE[..], &[uid, "accounts"]].concat()).list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/users/{uid}/accounts/{aid}` (getUserAccount).
    pub async fn get(&self, uid: &str, aid: &str) -> Result<Account, RalioError> {
        let request = Request::get(&[&BASE[..], &[uid, "accounts", aid]].concat());
        self.transport.call(request, &self.options).await
    }

    /// `PATCH /api/v1/account/users/{uid}/accounts/{aid}` (updateUserAccount).
    pub async fn update(
        &self,
        uid: &str,
        aid: &str,
        body: &AccountUpdate,
    ) -> Result<Account, RalioError> {
        let request = Request::new(
            Method::PATCH,
            &[&BASE[..], &[uid, "accounts", aid]].concat(),
        )
        .json(body)?;
        self.transport.call(request, &self.options).await
    }
}
