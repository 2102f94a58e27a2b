use crate::error::RalioError;
use crate::model::{Transaction, TransactionListItem};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// The ledger of an account.
    Transactions
}

impl Transactions {
    /// `GET .../accounts/{aid}/transactions` (listTransactions), bare array, snake_case.
    pub async fn list(
        &self,
        uid: &str,
        aid: &str,
        query: &ListQuery,
    ) -> Result<Vec<TransactionListItem>, RalioError> {
        let request = Request::get(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "transactions",
        ])
        .list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `GET .../accounts/{aid}/transactions/{tid}` (getTransaction), camelCase.
    pub async fn get(&self, uid: &str, aid: &str, tid: &str) -> Result<Transaction, RalioError> {
        let request = Request::get(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "transactions",
            tid,
        ]);
        self.transport.call(request, &self.options).await
    }
}
