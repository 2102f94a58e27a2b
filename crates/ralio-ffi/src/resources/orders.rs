use ralio_core::ListQuery;
use ralio_core::model::{Order, OrderList, Transaction, TransactionListItem};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Orders of the merchant and of an account.
    Orders
}

#[uniffi::export(async_runtime = "tokio")]
impl Orders {
    pub async fn list_merchant(&self, query: ListQuery) -> Result<OrderList, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_merchant(&query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::orders::list_merchant(conn, options, query).await
            }
        }
    }

    pub async fn get(&self, oid: String) -> Result<Order, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::orders::get(conn, options, oid).await
            }
        }
    }

    pub async fn list_account(
        &self,
        uid: String,
        aid: String,
        query: ListQuery,
    ) -> Result<OrderList, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list_account(&uid, &aid, &query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::orders::list_account(conn, options, uid, aid, query).await
            }
        }
    }
}

super::ffi_sub_client! {
    /// An account's ledger.
    Transactions
}

#[uniffi::export(async_runtime = "tokio")]
impl Transactions {
    pub async fn list(
        &self,
        uid: String,
        aid: String,
        query: ListQuery,
    ) -> Result<Vec<TransactionListItem>, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.list(&uid, &aid, &query).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::transactions::list(conn, options, uid, aid, query).await
            }
        }
    }

    pub async fn get(
        &self,
        uid: String,
        aid: String,
        tid: String,
    ) -> Result<Transaction, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get(&uid, &aid, &tid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::transactions::get(conn, options, uid, aid, tid).await
            }
        }
    }
}
