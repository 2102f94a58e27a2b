use ralio_core::ListQuery;
use ralio_core::model::{Account, AccountCreate, AccountUpdate};

super::ffi_sub_client! {
    /// A user's accounts (wallets) and their balances.
    Accounts
}

super::ffi_methods! {
    impl Accounts for gateway::accounts {
        fn create / create_blocking(uid: String, body: AccountCreate) -> Account
            = |inner| inner.create(&uid, &body);
        fn list / list_blocking(uid: String, query: ListQuery) -> Vec<Account>
            = |inner| inner.list(&uid, &query);
        fn get / get_blocking(uid: String, aid: String) -> Account
            = |inner| inner.get(&uid, &aid);
        fn update / update_blocking(uid: String, aid: String, body: AccountUpdate) -> Account
            = |inner| inner.update(&uid, &aid, &body);
    }
}
