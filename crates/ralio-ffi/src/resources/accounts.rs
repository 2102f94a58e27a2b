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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create(&uid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::accounts::create(conn, options, uid, body).await
            }
        }
    }

    pub async fn list(&self, uid: String, query: ListQuery) -> Result<Vec<Account>, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list(&uid, &query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::accounts::list(conn, options, uid, query).await
            }
        }
    }

    pub async fn get(&self, uid: String, aid: String) -> Result<Account, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get(&uid, &aid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::accounts::get(conn, options, uid, aid).await
            }
        }
    }

    pub async fn update(
        &self,
        uid: String,
        aid: String,
        body: AccountUpdate,
    ) -> Result<Account, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.update(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::accounts::update(conn, options, uid, aid, body).await
            }
        }
    }
}
