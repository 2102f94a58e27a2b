//! `PayinsService`: card payins are created (`money:move`, idempotent under the caller's
//! `idempotency-key`); bank, card and crypto payins are read.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::{common, payins as convert};
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::payins_service_server::{PayinsService, PayinsServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

/// Full RPC path, the idempotency record's method name.
const CREATE_CARD: &str = "/ralio.v1.PayinsService/CreateCardPayin";

pub struct Payins {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> PayinsServiceServer<Payins> {
    PayinsServiceServer::new(Payins { ctx })
}

#[tonic::async_trait]
impl PayinsService for Payins {
    async fn create_card_payin(
        &self,
        request: Request<pb::CreateCardPayinRequest>,
    ) -> Result<Response<pb::CreateCardPayinResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::create_card_payin(request.get_ref())?;
        let response = self
            .ctx
            .idempotent(&caller, key, CREATE_CARD, request.get_ref(), || async {
                let created = self
                    .ctx
                    .upstream(
                        "payins.create_card",
                        &context,
                        self.ctx
                            .client
                            .payins()
                            .with_options(context.call_options())
                            .create_card(&uid, &aid, &body),
                    )
                    .await?;
                Ok(pb::CreateCardPayinResponse {
                    card_payin: Some(convert::card_payin_created_to_proto(created)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn get_card_payin(
        &self,
        request: Request<pb::GetCardPayinRequest>,
    ) -> Result<Response<pb::GetCardPayinResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "payins.get_card",
                &context,
                self.ctx
                    .client
                    .payins()
                    .with_options(context.call_options())
                    .get_card(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetCardPayinResponse {
            card_payin: Some(convert::card_payin_to_proto(detail)?),
        }))
    }

    async fn get_bank_payin(
        &self,
        request: Request<pb::GetBankPayinRequest>,
    ) -> Result<Response<pb::GetBankPayinResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "payins.get_bank",
                &context,
                self.ctx
                    .client
                    .payins()
                    .with_options(context.call_options())
                    .get_bank(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetBankPayinResponse {
            bank_payin: Some(convert::bank_payin_to_proto(detail)?),
        }))
    }

    async fn get_crypto_payin(
        &self,
        request: Request<pb::GetCryptoPayinRequest>,
    ) -> Result<Response<pb::GetCryptoPayinResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "payins.get_crypto",
                &context,
                self.ctx
                    .client
                    .payins()
                    .with_options(context.call_options())
                    .get_crypto(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetCryptoPayinResponse {
            crypto_payin: Some(convert::crypto_payin_to_proto(detail)?),
        }))
    }
}
