//! `ReferenceService`: the activity catalogue (`read`).

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::reference as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::reference_service_server::{ReferenceService, ReferenceServiceServer};
use crate::request_context::RequestContext;

pub struct Reference {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> ReferenceServiceServer<Reference> {
    ReferenceServiceServer::new(Reference { ctx })
}

#[tonic::async_trait]
impl ReferenceService for Reference {
    async fn list_active_activities(
        &self,
        request: Request<pb::ListActiveActivitiesRequest>,
    ) -> Result<Response<pb::ListActiveActivitiesResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let (query, language) = convert::list_activities(request.get_ref())?;
        let reference = self
            .ctx
            .client
            .reference()
            .with_options(context.call_options());
        let list = self
            .ctx
            .upstream(
                "reference.list_activities",
                &context,
                reference.list_activities(&query, language),
            )
            .await?;
        Ok(Response::new(convert::list_activities_response(list)))
    }
}
