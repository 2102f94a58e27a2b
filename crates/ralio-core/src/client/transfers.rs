use crate::error::RalioError;
use crate::model::{Order, QuoteResponse, TransferCreate, TransferDetail, TransferSimulateRequest};
use crate::transport::Request;

super::sub_client! {
    /// Internal transfers.
    Transfers
}

impl Transfers {
    /// `POST .../accounts/{aid}/transfers` (createTransfer). Moves money: retried only when the
    /// options carry an idempotency key.
    pub async fn create(
        &self,
        uid: &str,
        aid: &str,
        body: &TransferCreate,
    ) -> Result<Order, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "transfers",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `POST .../accounts/{aid}/transfers/simulate` (simulateTransfer): a quote, moves nothing.
    pub async fn simulate(
        &self,
        uid: &str,
        aid: &str,
        body: &TransferSimulateRequest,
    ) -> Result<QuoteResponse, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "transfers",
            "simulate",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/transfers/{oid}` (getTransfer).
    pub async fn get(&self, oid: &str) -> Result<TransferDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "transfers", oid]);
        self.transport.call(request, &self.options).await
    }
}
