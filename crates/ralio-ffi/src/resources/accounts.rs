use ralio_core::ListQuery;
use ralio_core::model::{Account, AccountCreate, AccountUpdate};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// A user's accounts (wallets) and their balances.
    Accounts
}

#[uniffi::export(async_runtime = "tokio")]
impl Accounts {
    pub async fn create(&self, uid: String, body: AccountCreate) -> Result<Account, RalioFfiError> {
        Ok(self.inner.create(&uid, &body).await?)
    }

    pub async fn list(&self, uid: String, query: ListQuery) -> Result<Vec<Account>, RalioFfiError> {
        Ok(self.inner.list(&uid, &query).await?)
    }

    pub async fn get(&self, uid: String, aid: String) -> Result<Account, RalioFfiError> {
        Ok(self.inner.get(&uid, &aid).await?)
    }

    pub async fn update(
        &self,
        uid: String,
        aid: String,
        body: AccountUpdate,
    ) -> Result<Account, RalioFfiError> {
        Ok(self.inner.update(&uid, &aid, &body).await?)
    }
}
