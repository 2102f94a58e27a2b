//! `PayoutsService`: bank and crypto payouts, their quotes, and the OTP that releases them.
//! Creating a payout, validating its OTP and sending an OTP need `money:move` and are
//! idempotent under the caller's `idempotency-key`.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::{common, payouts as convert};
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::payouts_service_server::{PayoutsService, PayoutsServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

/// Full RPC paths, the idempotency records' method names.
const CREATE_BANK: &str = "/ralio.v1.PayoutsService/CreateBankPayout";
const VALIDATE_BANK_OTP: &str = "/ralio.v1.PayoutsService/ValidateBankPayoutOtp";
const CREATE_CRYPTO: &str = "/ralio.v1.PayoutsService/CreateCryptoPayout";
const VALIDATE_CRYPTO_OTP: &str = "/ralio.v1.PayoutsService/ValidateCryptoPayoutOtp";
const SEND_OTP: &str = "/ralio.v1.PayoutsService/SendOtp";

pub struct Payouts {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> PayoutsServiceServer<Payouts> {
    PayoutsServiceServer::new(Payouts { ctx })
}

#[tonic::async_trait]
impl PayoutsService for Payouts {
    async fn create_bank_payout(
        &self,
        request: Request<pb::CreateBankPayoutRequest>,
    ) -> Result<Response<pb::CreateBankPayoutResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::create_bank_payout(request.get_ref())?;
        let response = self
            .ctx
            .idempotent(&caller, key, CREATE_BANK, request.get_ref(), || async {
                let created = self
                    .ctx
                    .upstream(
                        "payouts.create_bank",
                        &context,
                        self.ctx
                            .client
                            .payouts()
                            .with_options(context.call_options())
                            .create_bank(&uid, &aid, &body),
                    )
                    .await?;
                Ok(pb::CreateBankPayoutResponse {
                    payout: Some(convert::payout_created_to_proto(
                        created,
                        pb::OrderType::BankPayOut,
                    )?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn simulate_bank_payout(
        &self,
        request: Request<pb::SimulateBankPayoutRequest>,
    ) -> Result<Response<pb::SimulateBankPayoutResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::simulate_bank_payout(request.get_ref())?;
        let quote = self
            .ctx
            .upstream(
                "payouts.simulate_bank",
                &context,
                self.ctx
                    .client
                    .payouts()
                    .with_options(context.call_options())
                    .simulate_bank(&uid, &aid, &body),
            )
            .await?;
        Ok(Response::new(pb::SimulateBankPayoutResponse {
            quote: Some(crate::convert::orders::quote_to_proto(quote)?),
        }))
    }

    async fn get_bank_payout(
        &self,
        request: Request<pb::GetBankPayoutRequest>,
    ) -> Result<Response<pb::GetBankPayoutResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "payouts.get_bank",
                &context,
                self.ctx
                    .client
                    .payouts()
                    .with_options(context.call_options())
                    .get_bank(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetBankPayoutResponse {
            bank_payout: Some(convert::bank_payout_to_proto(detail)?),
        }))
    }

    async fn validate_bank_payout_otp(
        &self,
        request: Request<pb::ValidateBankPayoutOtpRequest>,
    ) -> Result<Response<pb::ValidateBankPayoutOtpResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let message = request.get_ref();
        let (oid, code) = convert::validate_otp(&message.oid, &message.code)?;
        let response = self
            .ctx
            .idempotent(&caller, key, VALIDATE_BANK_OTP, message, || async {
                let order = self
                    .ctx
                    .upstream(
                        "payouts.validate_bank_otp",
                        &context,
                        self.ctx
                            .client
                            .payouts()
                            .with_options(context.call_options())
                            .validate_bank_otp(&oid, code),
                    )
                    .await?;
                Ok(pb::ValidateBankPayoutOtpResponse {
                    order: Some(crate::convert::orders::order_of_kind(
                        order,
                        Some(pb::OrderType::BankPayOut),
                    )?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn create_crypto_payout(
        &self,
        request: Request<pb::CreateCryptoPayoutRequest>,
    ) -> Result<Response<pb::CreateCryptoPayoutResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::create_crypto_payout(request.get_ref())?;
        let response = self
            .ctx
            .idempotent(&caller, key, CREATE_CRYPTO, request.get_ref(), || async {
                let created = self
                    .ctx
                    .upstream(
                        "payouts.create_crypto",
                        &context,
                        self.ctx
                            .client
                            .payouts()
                            .with_options(context.call_options())
                            .create_crypto(&uid, &aid, &body),
                    )
                    .await?;
                Ok(pb::CreateCryptoPayoutResponse {
                    payout: Some(convert::payout_created_to_proto(
                        created,
                        pb::OrderType::CryptoPayOut,
                    )?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn get_crypto_payout(
        &self,
        request: Request<pb::GetCryptoPayoutRequest>,
    ) -> Result<Response<pb::GetCryptoPayoutResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "payouts.get_crypto",
                &context,
                self.ctx
                    .client
                    .payouts()
                    .with_options(context.call_options())
                    .get_crypto(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetCryptoPayoutResponse {
            crypto_payout: Some(convert::crypto_payout_to_proto(detail)?),
        }))
    }

    async fn validate_crypto_payout_otp(
        &self,
        request: Request<pb::ValidateCryptoPayoutOtpRequest>,
    ) -> Result<Response<pb::ValidateCryptoPayoutOtpResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let message = request.get_ref();
        let (oid, code) = convert::validate_otp(&message.oid, &message.code)?;
        let response = self
            .ctx
            .idempotent(&caller, key, VALIDATE_CRYPTO_OTP, message, || async {
                let order = self
                    .ctx
                    .upstream(
                        "payouts.validate_crypto_otp",
                        &context,
                        self.ctx
                            .client
                            .payouts()
                            .with_options(context.call_options())
                            .validate_crypto_otp(&oid, code),
                    )
                    .await?;
                Ok(pb::ValidateCryptoPayoutOtpResponse {
                    order: Some(crate::convert::orders::order_of_kind(
                        order,
                        Some(pb::OrderType::CryptoPayOut),
                    )?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn send_otp(
        &self,
        request: Request<pb::SendOtpRequest>,
    ) -> Result<Response<pb::SendOtpResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let body = convert::send_otp(request.get_ref())?;
        let response = self
            .ctx
            .idempotent(&caller, key, SEND_OTP, request.get_ref(), || async {
                let sent = self
                    .ctx
                    .upstream(
                        "payouts.send_otp",
                        &context,
                        self.ctx
                            .client
                            .payouts()
                            .with_options(context.call_options())
                            .send_otp(&body),
                    )
                    .await?;
                Ok(pb::SendOtpResponse {
                    otp: Some(convert::otp_sent_to_proto(sent)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }
}
