use ralio_core::ListQuery;
use ralio_core::model::{MerchantAccount, MerchantAccountListItem, MerchantUser};

super::ffi_sub_client! {
    /// The merchant's own user and accounts.
    Merchant
}

super::ffi_methods! {
    impl Merchant for gateway::merchant {
        fn user / user_blocking() -> MerchantUser
            = |inner| inner.user();
        fn list_accounts / list_accounts_blocking(query: ListQuery) -> Vec<MerchantAccountListItem>
            = |inner| inner.list_accounts(&query);
        fn account / account_blocking(aid: String) -> MerchantAccount
            = |inner| inner.account(&aid);
    }
}
