//! The client object: constructors and the sub-client accessors, as in `ralio_core::RalioClient`.

use std::sync::Arc;

use ralio_core::CallOptions;
use ralio_core::model::LoginResponse;

use crate::config::DirectConfig;
use crate::error::RalioFfiError;
use crate::resources::{
    Accounts, Identity, Kyb, Merchant, Orders, Payins, Payouts, Reference, Transactions, Transfers,
    Users, Vibans,
};

/// A RalioPay client. Thread-safe; every sub-client shares its connection pool and token.
#[derive(Debug, uniffi::Object)]
pub struct RalioClient {
    inner: ralio_core::RalioClient,
}

#[uniffi::export(async_runtime = "tokio")]
impl RalioClient {
    /// Straight to RalioPay with the merchant's `api_code`/`api_key` (server-side use). Nothing
    /// is sent until the first call, which logs in.
    #[uniffi::constructor]
    pub fn direct(config: DirectConfig) -> Result<Arc<Self>, RalioFfiError> {
        let inner = ralio_core::RalioClient::new(config.into_core()?)?;
        Ok(Arc::new(Self { inner }))
    }

    /// `POST /api/v1/auth/login`: checks the credentials up front (calls log in by themselves).
    pub async fn login(&self, options: CallOptions) -> Result<LoginResponse, RalioFfiError> {
        Ok(self.inner.login(&options).await?)
    }

    pub fn users(&self) -> Arc<Users> {
        Arc::new(Users::new(self.inner.users()))
    }

    pub fn identity(&self) -> Arc<Identity> {
        Arc::new(Identity::new(self.inner.identity()))
    }

    pub fn kyb(&self) -> Arc<Kyb> {
        Arc::new(Kyb::new(self.inner.kyb()))
    }

    pub fn accounts(&self) -> Arc<Accounts> {
        Arc::new(Accounts::new(self.inner.accounts()))
    }

    pub fn merchant(&self) -> Arc<Merchant> {
        Arc::new(Merchant::new(self.inner.merchant()))
    }

    pub fn vibans(&self) -> Arc<Vibans> {
        Arc::new(Vibans::new(self.inner.vibans()))
    }

    pub fn payins(&self) -> Arc<Payins> {
        Arc::new(Payins::new(self.inner.payins()))
    }

    pub fn transfers(&self) -> Arc<Transfers> {
        Arc::new(Transfers::new(self.inner.transfers()))
    }

    pub fn payouts(&self) -> Arc<Payouts> {
        Arc::new(Payouts::new(self.inner.payouts()))
    }

    pub fn orders(&self) -> Arc<Orders> {
        Arc::new(Orders::new(self.inner.orders()))
    }

    pub fn transactions(&self) -> Arc<Transactions> {
        Arc::new(Transactions::new(self.inner.transactions()))
    }

    pub fn reference(&self) -> Arc<Reference> {
        Arc::new(Reference::new(self.inner.reference()))
    }
}
