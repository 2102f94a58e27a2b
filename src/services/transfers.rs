//! `TransfersService`: internal transfers (`money:move`, idempotent under the caller's
//! `idempotency-key`), their quotes and their detail.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::{common, orders, transfers as convert};
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::transfers_service_server::{TransfersService, TransfersServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

/// Full RPC path, the idempotency record's method name.
const CREATE: &str = "/ralio.v1.TransfersService/CreateTransfer";

pub struct Transfers {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> TransfersServiceServer<Transfers> {
    TransfersServiceServer::new(Transfers { ctx })
}

#[tonic::async_trait]
impl TransfersService for Transfers {
    async fn create_transfer(
        &self,
        request: Request<pb::CreateTransferRequest>,
    ) -> Result<Response<pb::CreateTransferResponse>, Status> {
        let caller = require_scope(&request, Scope::MoneyMove)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::create_transfer(request.get_ref())?;
        let response = self
            .ctx
            .idempotent(&caller, key, CREATE, request.get_ref(), || async {
                let order = self
                    .ctx
                    .upstream(
                        "transfers.create",
                        &context,
                        self.ctx
                            .client
                            .transfers()
                            .with_options(context.call_options())
                            .create(&uid, &aid, &body),
                    )
                    .await?;
                Ok(pb::CreateTransferResponse {
                    order: Some(orders::order_of_kind(order, Some(pb::OrderType::Transfer))?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn simulate_transfer(
        &self,
        request: Request<pb::SimulateTransferRequest>,
    ) -> Result<Response<pb::SimulateTransferResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), body) = convert::simulate_transfer(request.get_ref())?;
        let quote = self
            .ctx
            .upstream(
                "transfers.simulate",
                &context,
                self.ctx
                    .client
                    .transfers()
                    .with_options(context.call_options())
                    .simulate(&uid, &aid, &body),
            )
            .await?;
        Ok(Response::new(pb::SimulateTransferResponse {
            quote: Some(orders::quote_to_proto(quote)?),
        }))
    }

    async fn get_transfer(
        &self,
        request: Request<pb::GetTransferRequest>,
    ) -> Result<Response<pb::GetTransferResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let detail = self
            .ctx
            .upstream(
                "transfers.get",
                &context,
                self.ctx
                    .client
                    .transfers()
                    .with_options(context.call_options())
                    .get(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetTransferResponse {
            transfer: Some(convert::transfer_to_proto(detail)?),
        }))
    }
}
