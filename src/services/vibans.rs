//! `VibanService`: virtual IBANs of an account (writes need `accounts:write`; create and
//! deactivate are idempotent under the caller's `idempotency-key`).

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::vibans as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::viban_service_server::{VibanService, VibanServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

pub struct Vibans {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> VibanServiceServer<Vibans> {
    VibanServiceServer::new(Vibans { ctx })
}

#[tonic::async_trait]
impl VibanService for Vibans {
    async fn create_viban(
        &self,
        request: Request<pb::CreateVibanRequest>,
    ) -> Result<Response<pb::CreateVibanResponse>, Status> {
        let caller = require_scope(&request, Scope::AccountsWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let (at, body) = convert::create(request.get_ref())?;
        let method = "/ralio.v1.VibanService/CreateViban";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let vibans = self
                    .ctx
                    .client
                    .vibans()
                    .with_options(context.call_options());
                let viban = self
                    .ctx
                    .upstream(
                        "vibans.create",
                        &context,
                        vibans.create(&at.uid, &at.aid, &body),
                    )
                    .await?;
                Ok(pb::CreateVibanResponse {
                    viban: Some(convert::viban_to_proto(viban)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn list_vibans(
        &self,
        request: Request<pb::ListVibansRequest>,
    ) -> Result<Response<pb::ListVibansResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let at = convert::list(request.get_ref())?;
        let vibans = self
            .ctx
            .client
            .vibans()
            .with_options(context.call_options());
        let list = self
            .ctx
            .upstream("vibans.list", &context, vibans.list(&at.uid, &at.aid))
            .await?;
        Ok(Response::new(pb::ListVibansResponse {
            vibans: convert::vibans_to_proto(list)?,
        }))
    }

    async fn get_viban(
        &self,
        request: Request<pb::GetVibanRequest>,
    ) -> Result<Response<pb::GetVibanResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let r = request.get_ref();
        let at = convert::one(&r.uid, &r.aid, &r.viban_id)?;
        let vibans = self
            .ctx
            .client
            .vibans()
            .with_options(context.call_options());
        let viban = self
            .ctx
            .upstream(
                "vibans.get",
                &context,
                vibans.get(&at.uid, &at.aid, &at.viban_id),
            )
            .await?;
        Ok(Response::new(pb::GetVibanResponse {
            viban: Some(convert::viban_to_proto(viban)?),
        }))
    }

    /// Setting a name is naturally idempotent, so no idempotency record is kept.
    async fn update_viban_alias(
        &self,
        request: Request<pb::UpdateVibanAliasRequest>,
    ) -> Result<Response<pb::UpdateVibanAliasResponse>, Status> {
        require_scope(&request, Scope::AccountsWrite)?;
        let context = RequestContext::of(&request);
        let (at, body) = convert::update_alias(request.get_ref())?;
        let vibans = self
            .ctx
            .client
            .vibans()
            .with_options(context.call_options());
        let viban = self
            .ctx
            .upstream(
                "vibans.update_alias",
                &context,
                vibans.update_alias(&at.uid, &at.aid, &at.viban_id, &body),
            )
            .await?;
        Ok(Response::new(pb::UpdateVibanAliasResponse {
            viban: Some(convert::viban_to_proto(viban)?),
        }))
    }

    async fn deactivate_viban(
        &self,
        request: Request<pb::DeactivateVibanRequest>,
    ) -> Result<Response<pb::DeactivateVibanResponse>, Status> {
        let caller = require_scope(&request, Scope::AccountsWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let r = request.get_ref();
        let at = convert::one(&r.uid, &r.aid, &r.viban_id)?;
        let method = "/ralio.v1.VibanService/DeactivateViban";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let vibans = self
                    .ctx
                    .client
                    .vibans()
                    .with_options(context.call_options());
                let viban = self
                    .ctx
                    .upstream(
                        "vibans.deactivate",
                        &context,
                        vibans.deactivate(&at.uid, &at.aid, &at.viban_id),
                    )
                    .await?;
                Ok(pb::DeactivateVibanResponse {
                    viban: Some(convert::viban_to_proto(viban)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }
}
