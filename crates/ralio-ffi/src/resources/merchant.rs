use ralio_core::ListQuery;
use ralio_core::model::{MerchantAccount, MerchantAccountListItem, MerchantUser};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// The merchant's own user and accounts.
    Merchant
}

#[uniffi::export(async_runtime = "tokio")]
impl Merchant {
    pub async fn user(&self) -> Result<MerchantUser, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.user().await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::merchant::user(conn, options).await
            }
        }
    }

    pub async fn list_accounts(
        &self,
        query: ListQuery,
    ) -> Result<Vec<MerchantAccountListItem>, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_accounts(&query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::merchant::list_accounts(conn, options, query).await
            }
        }
    }

    pub async fn account(&self, aid: String) -> Result<MerchantAccount, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.account(&aid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::merchant::account(conn, options, aid).await
            }
        }
    }
}
