//! KYB sessions and documents through the gateway (`IdentityService`).

use ralio_core::model::{self, KybDocument, KybDocumentUpload, KybSession};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::convert::common::enum_to_wire;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::identity_service_client::IdentityServiceClient;

use super::{
    GatewayConn, enum_in, enum_out, missing, no_paging, only_paging, opt, status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> IdentityServiceClient<tonic::transport::Channel> {
    IdentityServiceClient::new(conn.channel.clone())
}

pub async fn create_session(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
) -> Result<KybSession, RalioFfiError> {
    let response = client(conn)
        .create_kyb_session(conn.request(pb::CreateKybSessionRequest { uid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    session_in(response.session)
}

pub async fn list_sessions(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    query: ListQuery,
) -> Result<Vec<KybSession>, RalioFfiError> {
    // The RPC returns the whole list and takes no query.
    only_paging(&query)?;
    no_paging(&query)?;
    let response = client(conn)
        .list_kyb_sessions(conn.request(pb::ListKybSessionsRequest { uid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    response
        .sessions
        .into_iter()
        .map(|s| session_in(Some(s)))
        .collect()
}

pub async fn upload_document(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    session_id: String,
    upload: KybDocumentUpload,
) -> Result<KybDocument, RalioFfiError> {
    let request = pb::UploadKybDocumentRequest {
        uid,
        session_id,
        category: enum_out::<pb::KybDocumentCategory>(&upload.category),
        r#type: upload.document_type,
        file: upload.content,
        file_name: upload.file_name,
        mime_type: upload.mime_type,
    };
    let response = client(conn)
        .upload_kyb_document(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    document_in(response.document.ok_or_else(|| missing("document"))?)
}

pub async fn submit_session(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    session_id: String,
) -> Result<KybSession, RalioFfiError> {
    let request = pb::SubmitKybSessionRequest { uid, session_id };
    let response = client(conn)
        .submit_kyb_session(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    session_in(response.session)
}

fn session_in(session: Option<pb::KybSession>) -> Result<KybSession, RalioFfiError> {
    let s = session.ok_or_else(|| missing("session"))?;
    Ok(KybSession {
        id: s.id,
        created_at: time(s.created_at),
        documents: s
            .documents
            .into_iter()
            .map(document_in)
            .collect::<Result<_, _>>()?,
        kyb_id: (s.kyb_id != 0).then_some(s.kyb_id),
        state: enum_in::<pb::KybSessionState, _>(s.state, model::KybSessionState::from_wire),
        updated_at: time(s.updated_at),
    })
}

fn document_in(d: pb::KybDocument) -> Result<KybDocument, RalioFfiError> {
    Ok(KybDocument {
        id: d.id,
        category: enum_to_wire::<pb::KybDocumentCategory>(d.category).map(str::to_owned),
        created_at: time(d.created_at),
        file_name: opt(d.file_name),
        file_size: Some(d.file_size),
        kyb_session_id: opt(d.kyb_session_id),
        mime_type: opt(d.mime_type),
        rejection_reason: opt(d.rejection_reason),
        review_state: opt(d.review_state),
        reviewed_at: time(d.reviewed_at),
        reviewed_by: opt(d.reviewed_by),
        document_type: opt(d.r#type),
        updated_at: time(d.updated_at),
    })
}
