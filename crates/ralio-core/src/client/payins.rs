use crate::error::RalioError;
use crate::model::{
    BankPayinDetail, CardPayinCreate, CardPayinCreated, CardPayinDetail, CryptoPayinDetail,
};
use crate::transport::Request;

super::sub_client! {
    /// Payins: card payins are created here; bank and crypto payins are read.
    Payins
}

impl Payins {
    /// `POST .../accounts/{aid}/card-payins` (createCardPayin).
    pub async fn create_card(
        &self,
        uid: &str,
        aid: &str,
        body: &CardPayinCreate,
    ) -> Result<CardPayinCreated, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "card-payins",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/card-payins/{oid}` (getCardPayin).
    pub async fn get_card(&self, oid: &str) -> Result<CardPayinDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "card-payins", oid]);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/bank-payins/{oid}` (getBankPayin).
    pub async fn get_bank(&self, oid: &str) -> Result<BankPayinDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "bank-payins", oid]);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/crypto-payins/{oid}` (getCryptoPayin).
    pub async fn get_crypto(&self, oid: &str) -> Result<CryptoPayinDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "crypto-payins", oid]);
        self.transport.call(request, &self.options).await
    }
}
