use crate::error::RalioError;
use crate::model::{
    BankPayoutCreate, BankPayoutDetail, BankPayoutSimulateRequest, CryptoPayoutCreate,
    CryptoPayoutDetail, Order, OtpSendRequest, OtpSendResponse, OtpValidateRequest, PayoutCreated,
    QuoteResponse,
};
use crate::secret::Secret;
use crate::transport::Request;

super::sub_client! {
    /// Bank and crypto payouts, and the OTP that releases them.
    Payouts
}

impl Payouts {
    /// `POST .../accounts/{aid}/bank-payouts` (createBankPayout).
    pub async fn create_bank(
        &self,
        uid: &str,
        aid: &str,
        body: &BankPayoutCreate,
    ) -> Result<PayoutCreated, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "bank-payouts",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `POST .../accounts/{aid}/bank-payouts/simulate` (simulateBankPayout): a quote.
    pub async fn simulate_bank(
        &self,
        uid: &str,
        aid: &str,
        body: &BankPayoutSimulateRequest,
    ) -> Result<QuoteResponse, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "bank-payouts",
            "simulate",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/bank-payouts/{oid}` (getBankPayout).
    pub async fn get_bank(&self, oid: &str) -> Result<BankPayoutDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "bank-payouts", oid]);
        self.transport.call(request, &self.options).await
    }

    /// `POST /api/v1/account/bank-payouts/{oid}/validate-otp` (validateBankPayoutOtp).
    pub async fn validate_bank_otp(&self, oid: &str, code: Secret) -> Result<Order, RalioError> {
        let request = Request::post(&["api", "v1", "account", "bank-payouts", oid, "validate-otp"])
            .json(&OtpValidateRequest { code })?;
        self.transport.call(request, &self.options).await
    }

    /// `POST .../accounts/{aid}/crypto-payouts` (createCryptoPayout).
    pub async fn create_crypto(
        &self,
        uid: &str,
        aid: &str,
        body: &CryptoPayoutCreate,
    ) -> Result<PayoutCreated, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "users",
            uid,
            "accounts",
            aid,
            "crypto-payouts",
        ])
        .json(body)?;
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/crypto-payouts/{oid}` (getCryptoPayout).
    pub async fn get_crypto(&self, oid: &str) -> Result<CryptoPayoutDetail, RalioError> {
        let request = Request::get(&["api", "v1", "account", "crypto-payouts", oid]);
        self.transport.call(request, &self.options).await
    }

    /// `POST /api/v1/account/crypto-payouts/{oid}/validate-otp` (validateCryptoPayoutOtp).
    pub async fn validate_crypto_otp(&self, oid: &str, code: Secret) -> Result<Order, RalioError> {
        let request = Request::post(&[
            "api",
            "v1",
            "account",
            "crypto-payouts",
            oid,
            "validate-otp",
        ])
        .json(&OtpValidateRequest { code })?;
        self.transport.call(request, &self.options).await
    }

    /// `POST /api/v1/account/otp/send` (sendOtp).
    pub async fn send_otp(&self, body: &OtpSendRequest) -> Result<OtpSendResponse, RalioError> {
        let request = Request::post(&["api", "v1", "account", "otp", "send"]).json(body)?;
        self.transport.call(request, &self.options).await
    }
}
