//! The money-moving sub-clients: payins, transfers, payouts.

use ralio_core::Secret;
use ralio_core::model::{
    BankPayinDetail, BankPayoutCreate, BankPayoutDetail, BankPayoutSimulateRequest,
    CardPayinCreate, CardPayinCreated, CardPayinDetail, CryptoPayinDetail, CryptoPayoutCreate,
    CryptoPayoutDetail, Order, OtpSendRequest, OtpSendResponse, PayoutCreated, QuoteResponse,
    TransferCreate, TransferDetail, TransferSimulateRequest,
};

super::ffi_sub_client! {
    /// Card, bank and crypto payins.
    Payins
}

super::ffi_methods! {
    impl Payins for gateway::payins {
        fn create_card / create_card_blocking(
            uid: String,
            aid: String,
            body: CardPayinCreate,
        ) -> CardPayinCreated
            = |inner| inner.create_card(&uid, &aid, &body);
        fn get_card / get_card_blocking(oid: String) -> CardPayinDetail
            = |inner| inner.get_card(&oid);
        fn get_bank / get_bank_blocking(oid: String) -> BankPayinDetail
            = |inner| inner.get_bank(&oid);
        fn get_crypto / get_crypto_blocking(oid: String) -> CryptoPayinDetail
            = |inner| inner.get_crypto(&oid);
    }
}

super::ffi_sub_client! {
    /// Transfers between accounts, with quotes.
    Transfers
}

super::ffi_methods! {
    impl Transfers for gateway::transfers {
        fn create / create_blocking(uid: String, aid: String, body: TransferCreate) -> Order
            = |inner| inner.create(&uid, &aid, &body);
        fn simulate / simulate_blocking(
            uid: String,
            aid: String,
            body: TransferSimulateRequest,
        ) -> QuoteResponse
            = |inner| inner.simulate(&uid, &aid, &body);
        fn get / get_blocking(oid: String) -> TransferDetail
            = |inner| inner.get(&oid);
    }
}

super::ffi_sub_client! {
    /// Bank and crypto payouts, and the OTP that releases them.
    Payouts
}

super::ffi_methods! {
    impl Payouts for gateway::payouts {
        fn create_bank / create_bank_blocking(
            uid: String,
            aid: String,
            body: BankPayoutCreate,
        ) -> PayoutCreated
            = |inner| inner.create_bank(&uid, &aid, &body);
        fn simulate_bank / simulate_bank_blocking(
            uid: String,
            aid: String,
            body: BankPayoutSimulateRequest,
        ) -> QuoteResponse
            = |inner| inner.simulate_bank(&uid, &aid, &body);
        fn get_bank / get_bank_blocking(oid: String) -> BankPayoutDetail
            = |inner| inner.get_bank(&oid);
        fn validate_bank_otp / validate_bank_otp_blocking(oid: String, code: Secret) -> Order
            = |inner| inner.validate_bank_otp(&oid, code);
        fn create_crypto / create_crypto_blocking(
            uid: String,
            aid: String,
            body: CryptoPayoutCreate,
        ) -> PayoutCreated
            = |inner| inner.create_crypto(&uid, &aid, &body);
        fn get_crypto / get_crypto_blocking(oid: String) -> CryptoPayoutDetail
            = |inner| inner.get_crypto(&oid);
        fn validate_crypto_otp / validate_crypto_otp_blocking(oid: String, code: Secret) -> Order
            = |inner| inner.validate_crypto_otp(&oid, code);
        fn send_otp / send_otp_blocking(body: OtpSendRequest) -> OtpSendResponse
            = |inner| inner.send_otp(&body);
    }
}
