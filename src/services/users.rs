//! `UserService`: create individual, personal and business users (`users:write`, idempotent
//! under the caller's `idempotency-key`).

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::users as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::user_service_server::{UserService, UserServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

pub struct Users {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> UserServiceServer<Users> {
    UserServiceServer::new(Users { ctx })
}

#[tonic::async_trait]
impl UserService for Users {
    async fn create_individual_user(
        &self,
        request: Request<pb::CreateIndividualUserRequest>,
    ) -> Result<Response<pb::CreateIndividualUserResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let body = convert::individual_user_create(request.get_ref())?;
        let method = "/ralio.v1.UserService/CreateIndividualUser";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let users = self.ctx.client.users().with_options(context.call_options());
                let user = self
                    .ctx
                    .upstream(
                        "users.create_individual",
                        &context,
                        users.create_individual(&body),
                    )
                    .await?;
                Ok(pb::CreateIndividualUserResponse {
                    user: Some(convert::individual_user_to_proto(user)),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn create_personal_user(
        &self,
        request: Request<pb::CreatePersonalUserRequest>,
    ) -> Result<Response<pb::CreatePersonalUserResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let body = convert::personal_user_create(request.get_ref())?;
        let method = "/ralio.v1.UserService/CreatePersonalUser";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let users = self.ctx.client.users().with_options(context.call_options());
                let user = self
                    .ctx
                    .upstream(
                        "users.create_personal",
                        &context,
                        users.create_personal(&body),
                    )
                    .await?;
                Ok(pb::CreatePersonalUserResponse {
                    user: Some(convert::personal_user_to_proto(user)),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn create_business_user(
        &self,
        request: Request<pb::CreateBusinessUserRequest>,
    ) -> Result<Response<pb::CreateBusinessUserResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let body = convert::business_user_create(request.get_ref())?;
        let method = "/ralio.v1.UserService/CreateBusinessUser";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let users = self.ctx.client.users().with_options(context.call_options());
                let user = self
                    .ctx
                    .upstream(
                        "users.create_business",
                        &context,
                        users.create_business(&body),
                    )
                    .await?;
                Ok(pb::CreateBusinessUserResponse {
                    user: Some(convert::business_user_to_proto(user)),
                })
            })
            .await?;
        Ok(Response::new(response))
    }
}
