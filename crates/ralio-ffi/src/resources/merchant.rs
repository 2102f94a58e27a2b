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
        Ok(self.inner.user().await?)
    }

    pub async fn list_accounts(
        &self,
        query: ListQuery,
    ) -> Result<Vec<MerchantAccountListItem>, RalioFfiError> {
        Ok(self.inner.list_accounts(&query).await?)
    }

    pub async fn account(&self, aid: String) -> Result<MerchantAccount, RalioFfiError> {
        Ok(self.inner.account(&aid).await?)
    }
}
