use crate::error::RalioError;
use crate::model::{MerchantAccount, MerchantAccountListItem, MerchantUser};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// The merchant's own user and accounts.
    Merchant
}

impl Merchant {
    /// `GET /api/v1/merchant/user` (getMerchantUser).
    pub async fn user(&self) -> Result<MerchantUser, RalioError> {
        let request = Request::get(&["api", "v1", "merchant", "user"]);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/merchant/user/accounts` (listMerchantUserAccounts), bare array.
    pub async fn list_accounts(
        &self,
        query: &ListQuery,
    ) -> Result<Vec<MerchantAccountListItem>, RalioError> {
        let request =
            Request::get(&["api", "v1", "merchant", "user", "accounts"]).list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/merchant/user/accounts/{aid}` (getMerchantUserAccount).
    pub async fn account(&self, aid: &str) -> Result<MerchantAccount, RalioError> {
        let request = Request::get(&["api", "v1", "merchant", "user", "accounts", aid]);
        self.transport.call(request, &self.options).await
    }
}
