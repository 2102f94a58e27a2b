//! `IdentityService`: IDV (KYC) sessions of users and KYB sessions of business users. Opening,
//! uploading into and submitting sessions need `users:write` and are idempotent under the
//! caller's `idempotency-key`; reads need `read`.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::common::uuid_field;
use crate::convert::identity as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::identity_service_server::{IdentityService, IdentityServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

pub struct Identity {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> IdentityServiceServer<Identity> {
    IdentityServiceServer::new(Identity { ctx })
}

#[tonic::async_trait]
impl IdentityService for Identity {
    async fn create_kyb_session(
        &self,
        request: Request<pb::CreateKybSessionRequest>,
    ) -> Result<Response<pb::CreateKybSessionResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let uid = uuid_field("uid", &request.get_ref().uid)?;
        let method = "/ralio.v1.IdentityService/CreateKybSession";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let kyb = self.ctx.client.kyb().with_options(context.call_options());
                let session = self
                    .ctx
                    .upstream("kyb.create_session", &context, kyb.create_session(&uid))
                    .await?;
                Ok(pb::CreateKybSessionResponse {
                    session: Some(convert::kyb_session_to_proto(session)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn list_kyb_sessions(
        &self,
        request: Request<pb::ListKybSessionsRequest>,
    ) -> Result<Response<pb::ListKybSessionsResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let uid = uuid_field("uid", &request.get_ref().uid)?;
        let kyb = self.ctx.client.kyb().with_options(context.call_options());
        let sessions = self
            .ctx
            .upstream(
                "kyb.list_sessions",
                &context,
                kyb.list_sessions(&uid, &ralio_core::ListQuery::new()),
            )
            .await?;
        Ok(Response::new(pb::ListKybSessionsResponse {
            sessions: convert::kyb_sessions_to_proto(sessions)?,
        }))
    }

    async fn upload_kyb_document(
        &self,
        request: Request<pb::UploadKybDocumentRequest>,
    ) -> Result<Response<pb::UploadKybDocumentResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let method = "/ralio.v1.IdentityService/UploadKybDocument";
        // The idempotency hash covers the whole request (the file included), so it is taken
        // before the message is moved into the upload.
        let (metadata, extensions, message) = request.into_parts();
        let _ = (metadata, extensions);
        let (uid, session_id, upload) = convert::upload(message.clone())?;
        let response = self
            .ctx
            .idempotent(&caller, key, method, &message, || async {
                let kyb = self.ctx.client.kyb().with_options(context.call_options());
                let document = self
                    .ctx
                    .upstream(
                        "kyb.upload_document",
                        &context,
                        kyb.upload_document(&uid, &session_id, upload),
                    )
                    .await?;
                Ok(pb::UploadKybDocumentResponse {
                    document: Some(convert::kyb_document_to_proto(document)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn submit_kyb_session(
        &self,
        request: Request<pb::SubmitKybSessionRequest>,
    ) -> Result<Response<pb::SubmitKybSessionResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let r = request.get_ref();
        let (uid, session_id) = convert::session_ids(&r.uid, &r.session_id)?;
        let method = "/ralio.v1.IdentityService/SubmitKybSession";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let kyb = self.ctx.client.kyb().with_options(context.call_options());
                let session = self
                    .ctx
                    .upstream(
                        "kyb.submit_session",
                        &context,
                        kyb.submit_session(&uid, &session_id),
                    )
                    .await?;
                Ok(pb::SubmitKybSessionResponse {
                    session: Some(convert::kyb_session_to_proto(session)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn create_idv_session(
        &self,
        request: Request<pb::CreateIdvSessionRequest>,
    ) -> Result<Response<pb::CreateIdvSessionResponse>, Status> {
        let caller = require_scope(&request, Scope::UsersWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let uid = uuid_field("uid", &request.get_ref().uid)?;
        let method = "/ralio.v1.IdentityService/CreateIdvSession";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let identity = self
                    .ctx
                    .client
                    .identity()
                    .with_options(context.call_options());
                let session = self
                    .ctx
                    .upstream(
                        "idv.create_session",
                        &context,
                        identity.create_session(&uid),
                    )
                    .await?;
                Ok(pb::CreateIdvSessionResponse {
                    session: Some(convert::idv_session_to_proto(session)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn list_idv_sessions(
        &self,
        request: Request<pb::ListIdvSessionsRequest>,
    ) -> Result<Response<pb::ListIdvSessionsResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let (uid, query) = convert::list_idv(request.get_ref())?;
        let identity = self
            .ctx
            .client
            .identity()
            .with_options(context.call_options());
        let list = self
            .ctx
            .upstream(
                "idv.list_sessions",
                &context,
                identity.list_sessions(&uid, &query),
            )
            .await?;
        Ok(Response::new(convert::idv_list_to_proto(list)?))
    }

    async fn get_idv_session_checks(
        &self,
        request: Request<pb::GetIdvSessionChecksRequest>,
    ) -> Result<Response<pb::GetIdvSessionChecksResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let r = request.get_ref();
        let (uid, session_id) = convert::session_ids(&r.uid, &r.session_id)?;
        let identity = self
            .ctx
            .client
            .identity()
            .with_options(context.call_options());
        let checks = self
            .ctx
            .upstream(
                "idv.session_checks",
                &context,
                identity.session_checks(&uid, &session_id),
            )
            .await?;
        Ok(Response::new(convert::checks_to_proto(checks)?))
    }

    async fn get_idv_session_state_history(
        &self,
        request: Request<pb::GetIdvSessionStateHistoryRequest>,
    ) -> Result<Response<pb::GetIdvSessionStateHistoryResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let r = request.get_ref();
        let (uid, session_id) = convert::session_ids(&r.uid, &r.session_id)?;
        let identity = self
            .ctx
            .client
            .identity()
            .with_options(context.call_options());
        let history = self
            .ctx
            .upstream(
                "idv.session_state_history",
                &context,
                identity.session_state_history(&uid, &session_id),
            )
            .await?;
        Ok(Response::new(convert::history_to_proto(history)?))
    }
}
