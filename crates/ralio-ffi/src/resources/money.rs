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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_card(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payins::create_card(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn get_card(&self, oid: String) -> Result<CardPayinDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get_card(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payins::get_card(conn, options, oid).await
            }
        }
    }

    pub async fn get_bank(&self, oid: String) -> Result<BankPayinDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get_bank(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payins::get_bank(conn, options, oid).await
            }
        }
    }

    pub async fn get_crypto(&self, oid: String) -> Result<CryptoPayinDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get_crypto(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payins::get_crypto(conn, options, oid).await
            }
        }
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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::transfers::create(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn simulate(
        &self,
        uid: String,
        aid: String,
        body: TransferSimulateRequest,
    ) -> Result<QuoteResponse, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.simulate(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::transfers::simulate(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn get(&self, oid: String) -> Result<TransferDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::transfers::get(conn, options, oid).await
            }
        }
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
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_bank(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::create_bank(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn simulate_bank(
        &self,
        uid: String,
        aid: String,
        body: BankPayoutSimulateRequest,
    ) -> Result<QuoteResponse, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.simulate_bank(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::simulate_bank(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn get_bank(&self, oid: String) -> Result<BankPayoutDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get_bank(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::get_bank(conn, options, oid).await
            }
        }
    }

    pub async fn validate_bank_otp(
        &self,
        oid: String,
        code: Secret,
    ) -> Result<Order, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.validate_bank_otp(&oid, code).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::validate_bank_otp(conn, options, oid, code).await
            }
        }
    }

    pub async fn create_crypto(
        &self,
        uid: String,
        aid: String,
        body: CryptoPayoutCreate,
    ) -> Result<PayoutCreated, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.create_crypto(&uid, &aid, &body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::create_crypto(conn, options, uid, aid, body).await
            }
        }
    }

    pub async fn get_crypto(&self, oid: String) -> Result<CryptoPayoutDetail, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.get_crypto(&oid).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::get_crypto(conn, options, oid).await
            }
        }
    }

    pub async fn validate_crypto_otp(
        &self,
        oid: String,
        code: Secret,
    ) -> Result<Order, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.validate_crypto_otp(&oid, code).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::validate_crypto_otp(conn, options, oid, code).await
            }
        }
    }

    pub async fn send_otp(&self, body: OtpSendRequest) -> Result<OtpSendResponse, RalioFfiError> {
        match &self.backend {
            super::Backend::Direct(inner) => Ok(inner.send_otp(&body).await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::payouts::send_otp(conn, options, body).await
            }
        }
    }
}
