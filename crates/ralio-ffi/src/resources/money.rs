//! The money-moving sub-clients: payins, transfers, payouts.

use ralio_core::Secret;
use ralio_core::model::{
    BankPayinDetail, BankPayoutCreate, BankPayoutDetail, BankPayoutSimulateRequest,
    CardPayinCreate, CardPayinCreated, CardPayinDetail, CryptoPayinDetail, CryptoPayoutCreate,
    CryptoPayoutDetail, Order, OtpSendRequest, OtpSendResponse, PayoutCreated, QuoteResponse,
    TransferCreate, TransferDetail, TransferSimulateRequest,
};

use crate::error::RalioFfiError;

super::ffi_sub_client! {
    /// Card, bank and crypto payins.
    Payins
}

#[uniffi::export(async_runtime = "tokio")]
impl Payins {
    pub async fn create_card(
        &self,
        uid: String,
        aid: String,
        body: CardPayinCreate,
    ) -> Result<CardPayinCreated, RalioFfiError> {
        Ok(self.inner.create_card(&uid, &aid, &body).await?)
    }

    pub async fn get_card(&self, oid: String) -> Result<CardPayinDetail, RalioFfiError> {
        Ok(self.inner.get_card(&oid).await?)
    }

    pub async fn get_bank(&self, oid: String) -> Result<BankPayinDetail, RalioFfiError> {
        Ok(self.inner.get_bank(&oid).await?)
    }

    pub async fn get_crypto(&self, oid: String) -> Result<CryptoPayinDetail, RalioFfiError> {
        Ok(self.inner.get_crypto(&oid).await?)
    }
}

super::ffi_sub_client! {
    /// Transfers between accounts, with quotes.
    Transfers
}

#[uniffi::export(async_runtime = "tokio")]
impl Transfers {
    pub async fn create(
        &self,
        uid: String,
        aid: String,
        body: TransferCreate,
    ) -> Result<Order, RalioFfiError> {
        Ok(self.inner.create(&uid, &aid, &body).await?)
    }

    pub async fn simulate(
        &self,
        uid: String,
        aid: String,
        body: TransferSimulateRequest,
    ) -> Result<QuoteResponse, RalioFfiError> {
        Ok(self.inner.simulate(&uid, &aid, &body).await?)
    }

    pub async fn get(&self, oid: String) -> Result<TransferDetail, RalioFfiError> {
        Ok(self.inner.get(&oid).await?)
    }
}

super::ffi_sub_client! {
    /// Bank and crypto payouts, and the OTP that releases them.
    Payouts
}

#[uniffi::export(async_runtime = "tokio")]
impl Payouts {
    pub async fn create_bank(
        &self,
        uid: String,
        aid: String,
        body: BankPayoutCreate,
    ) -> Result<PayoutCreated, RalioFfiError> {
        Ok(self.inner.create_bank(&uid, &aid, &body).await?)
    }

    pub async fn simulate_bank(
        &self,
        uid: String,
        aid: String,
        body: BankPayoutSimulateRequest,
    ) -> Result<QuoteResponse, RalioFfiError> {
        Ok(self.inner.simulate_bank(&uid, &aid, &body).await?)
    }

    pub async fn get_bank(&self, oid: String) -> Result<BankPayoutDetail, RalioFfiError> {
        Ok(self.inner.get_bank(&oid).await?)
    }

    pub async fn validate_bank_otp(
        &self,
        oid: String,
        code: Secret,
    ) -> Result<Order, RalioFfiError> {
        Ok(self.inner.validate_bank_otp(&oid, code).await?)
    }

    pub async fn create_crypto(
        &self,
        uid: String,
        aid: String,
        body: CryptoPayoutCreate,
    ) -> Result<PayoutCreated, RalioFfiError> {
        Ok(self.inner.create_crypto(&uid, &aid, &body).await?)
    }

    pub async fn get_crypto(&self, oid: String) -> Result<CryptoPayoutDetail, RalioFfiError> {
        Ok(self.inner.get_crypto(&oid).await?)
    }

    pub async fn validate_crypto_otp(
        &self,
        oid: String,
        code: Secret,
    ) -> Result<Order, RalioFfiError> {
        Ok(self.inner.validate_crypto_otp(&oid, code).await?)
    }

    pub async fn send_otp(&self, body: OtpSendRequest) -> Result<OtpSendResponse, RalioFfiError> {
        Ok(self.inner.send_otp(&body).await?)
    }
}
