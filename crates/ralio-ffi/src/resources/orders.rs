use ralio_core::ListQuery;
use ralio_core::model::{Order, OrderList, Transaction, TransactionListItem};

super::ffi_sub_client! {
    /// Orders of the merchant and of an account.
    Orders
}

super::ffi_methods! {
    impl Orders for gateway::orders {
        fn list_merchant / list_merchant_blocking(query: ListQuery) -> OrderList
            = |inner| inner.list_merchant(&query);
        fn get / get_blocking(oid: String) -> Order
            = |inner| inner.get(&oid);
        fn list_account / list_account_blocking(
            uid: String,
            aid: String,
            query: ListQuery,
        ) -> OrderList
            = |inner| inner.list_account(&uid, &aid, &query);
    }
}

super::ffi_sub_client! {
    /// An account's ledger.
    Transactions
}

super::ffi_methods! {
    impl Transactions for gateway::transactions {
        fn list / list_blocking(
            uid: String,
            aid: String,
            query: ListQuery,
        ) -> Vec<TransactionListItem>
            = |inner| inner.list(&uid, &aid, &query);
        fn get / get_blocking(uid: String, aid: String, tid: String) -> Transaction
            = |inner| inner.get(&uid, &aid, &tid);
    }
}
