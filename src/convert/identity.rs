//! Identity verification: IDV (KYC) sessions of users and KYB sessions of business users.

use ralio_core::model;
use tonic::Status;

use super::accounts::opt_enum;
use super::common::{Violations, json_to_struct, pagination_to_proto, timestamp};
use crate::proto::ralio::v1 as pb;
use crate::proto_enum;

proto_enum!(
    pb::KybSessionState => "KYB_SESSION_STATE_",
    pb::KybDocumentCategory => "KYB_DOCUMENT_CATEGORY_",
);

/// Largest KYB document the gateway forwards: RalioPay refuses bodies over 1 MiB (D18), so a
/// bigger file is refused here, before it is buffered into a multipart body.
pub const MAX_KYB_FILE_BYTES: usize = 1024 * 1024;

/// `(uid, session_id)` of a request naming one session.
pub fn session_ids(uid: &str, session_id: &str) -> Result<(String, String), Status> {
    let mut v = Violations::new();
    let ids = (v.uuid("uid", uid), v.uuid("session_id", session_id));
    v.finish(ids)
}

pub fn list_idv(r: &pb::ListIdvSessionsRequest) -> Result<(String, ralio_core::ListQuery), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &r.uid);
    let mut query = ralio_core::ListQuery::new();
    v.page("page", r.page.as_ref(), &mut query);
    v.finish((uid, query))
}

pub fn upload(
    r: pb::UploadKybDocumentRequest,
) -> Result<(String, String, model::KybDocumentUpload), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &r.uid);
    let session_id = v.uuid("session_id", &r.session_id);
    let category = v.enum_required::<pb::KybDocumentCategory>("category", r.category);
    let document_type = v.required("type", &r.r#type);
    let file_name = v.required("file_name", &r.file_name);
    if r.file.is_empty() {
        v.add("file", "is required");
    } else if r.file.len() > MAX_KYB_FILE_BYTES {
        v.add("file", "must be at most 1 MiB");
    }
    let mime_type = if r.mime_type.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        r.mime_type
    };
    let upload = model::KybDocumentUpload {
        category: category.unwrap_or_default().to_owned(),
        document_type,
        file_name,
        mime_type,
        content: r.file,
    };
    v.finish((uid, session_id, upload))
}

// --- responses ---------------------------------------------------------------------------------

fn idv_state(state: Option<&model::IdvSessionState>) -> i32 {
    opt_enum::<pb::IdvSessionState>(state.map(|s| s.as_str()))
}

pub fn idv_session_to_proto(s: model::IdvSession) -> Result<pb::IdvSession, Status> {
    Ok(pb::IdvSession {
        created_at: timestamp("session.created_at", s.created_at.as_deref())?,
        updated_at: timestamp("session.updated_at", s.updated_at.as_deref())?,
        expires_at: timestamp("session.expires_at", s.expires_at.as_deref())?,
        id: s.id,
        state: idv_state(s.state.as_ref()),
        r#type: s.session_type.unwrap_or_default(),
        hosted_url: s.hosted_url.unwrap_or_default(),
        flow: s.flow.map(flow_to_proto),
        data: s.data.as_ref().and_then(json_to_struct),
    })
}

fn flow_to_proto(f: model::IdvFlow) -> pb::IdvFlow {
    pb::IdvFlow {
        id: f.id.unwrap_or_default(),
        tag: f.tag.unwrap_or_default(),
    }
}

pub fn idv_list_to_proto(
    list: model::IdvSessionList,
) -> Result<pb::ListIdvSessionsResponse, Status> {
    let sessions = list
        .sessions
        .into_iter()
        .map(|s| {
            Ok(pb::IdvSession {
                created_at: timestamp("sessions.created_at", s.created_at.as_deref())?,
                updated_at: timestamp("sessions.updated_at", s.updated_at.as_deref())?,
                expires_at: timestamp("sessions.expires_at", s.expires_at.as_deref())?,
                id: s.id,
                state: idv_state(s.state.as_ref()),
                r#type: s.session_type.unwrap_or_default(),
                hosted_url: s.hosted_url.unwrap_or_default(),
                flow: s.flow.map(flow_to_proto),
                data: s.data.as_ref().and_then(json_to_struct),
            })
        })
        .collect::<Result<_, Status>>()?;
    Ok(pb::ListIdvSessionsResponse {
        sessions,
        pagination: list.pagination.as_ref().map(pagination_to_proto),
    })
}

pub fn checks_to_proto(
    c: model::IdvSessionChecks,
) -> Result<pb::GetIdvSessionChecksResponse, Status> {
    let checks = c
        .checks
        .into_iter()
        .map(|check| {
            Ok(pb::IdvCheck {
                created_at: timestamp("checks.created_at", check.created_at.as_deref())?,
                updated_at: timestamp("checks.updated_at", check.updated_at.as_deref())?,
                id: check.id.unwrap_or_default(),
                r#type: check.check_type.unwrap_or_default(),
                state: match check.state {
                    Some(model::KycCheckState::Validated) => pb::IdvCheckState::Validated as i32,
                    Some(model::KycCheckState::Refused) => pb::IdvCheckState::Refused as i32,
                    _ => 0,
                },
                refused_reasons: check
                    .refused_reasons
                    .into_iter()
                    .map(|r| pb::IdvRefusedReason {
                        id: r.id.unwrap_or_default(),
                        code: r.code.unwrap_or_default(),
                        message: r.message.unwrap_or_default(),
                        r#type: r.reason_type.unwrap_or_default(),
                        mapped_error: r.mapped_error.map(|e| pb::IdvMappedError {
                            id: e.id.unwrap_or_default(),
                            code: e.code.unwrap_or_default(),
                            category: e.category.unwrap_or_default(),
                            action: e.action.unwrap_or_default(),
                            reason: e.reason.unwrap_or_default(),
                        }),
                    })
                    .collect(),
                data: check.data.as_ref().and_then(json_to_struct),
            })
        })
        .collect::<Result<_, Status>>()?;
    Ok(pb::GetIdvSessionChecksResponse {
        session_id: c.session_id.unwrap_or_default(),
        checks,
    })
}

pub fn history_to_proto(
    h: model::IdvSessionStateHistory,
) -> Result<pb::GetIdvSessionStateHistoryResponse, Status> {
    let logs = h
        .logs
        .into_iter()
        .map(|log| {
            Ok(pb::IdvStateChange {
                created_at: timestamp("logs.created_at", log.created_at.as_deref())?,
                id: log.id.unwrap_or_default(),
                new_state: idv_state(log.new_state.as_ref()),
            })
        })
        .collect::<Result<_, Status>>()?;
    Ok(pb::GetIdvSessionStateHistoryResponse {
        session_id: h.session_id.unwrap_or_default(),
        logs,
    })
}

pub fn kyb_document_to_proto(d: model::KybDocument) -> Result<pb::KybDocument, Status> {
    Ok(pb::KybDocument {
        reviewed_at: timestamp("document.reviewed_at", d.reviewed_at.as_deref())?,
        created_at: timestamp("document.created_at", d.created_at.as_deref())?,
        updated_at: timestamp("document.updated_at", d.updated_at.as_deref())?,
        id: d.id,
        kyb_session_id: d.kyb_session_id.unwrap_or_default(),
        category: opt_enum::<pb::KybDocumentCategory>(d.category.as_deref()),
        r#type: d.document_type.unwrap_or_default(),
        file_name: d.file_name.unwrap_or_default(),
        file_size: d.file_size.unwrap_or_default(),
        mime_type: d.mime_type.unwrap_or_default(),
        review_state: d.review_state.unwrap_or_default(),
        rejection_reason: d.rejection_reason.unwrap_or_default(),
        reviewed_by: d.reviewed_by.unwrap_or_default(),
    })
}

pub fn kyb_session_to_proto(s: model::KybSession) -> Result<pb::KybSession, Status> {
    Ok(pb::KybSession {
        created_at: timestamp("session.created_at", s.created_at.as_deref())?,
        updated_at: timestamp("session.updated_at", s.updated_at.as_deref())?,
        id: s.id,
        kyb_id: s.kyb_id.unwrap_or_default(),
        state: opt_enum::<pb::KybSessionState>(s.state.as_ref().map(|x| x.as_str())),
        documents: s
            .documents
            .into_iter()
            .map(kyb_document_to_proto)
            .collect::<Result<_, Status>>()?,
    })
}

pub fn kyb_sessions_to_proto(list: Vec<model::KybSession>) -> Result<Vec<pb::KybSession>, Status> {
    list.into_iter().map(kyb_session_to_proto).collect()
}
