//! KYB sessions of business users (spec/NOTES.md D10): create, list (bare array), upload a
//! document (multipart), submit; the control API approves or rejects (`crate::control::kyc`).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, Violation};
use crate::extract::{UuidPath, payload_too_large};
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;
use crate::store::{KybDocument, KybSession, KybState, KycLevel, Store, UserKind, format_time};

/// Document categories upstream names.
pub const DOCUMENT_CATEGORIES: &[&str] = &["COMPANY_INFO", "KYB"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/business-user/{uid}/kyb-sessions",
            get(list_sessions).post(create_session),
        )
        .route(
            "/api/v1/account/business-user/{uid}/kyb-sessions/{sessionId}/documents",
            post(upload_document),
        )
        .route(
            "/api/v1/account/business-user/{uid}/kyb-sessions/{sessionId}/submit",
            post(submit_session),
        )
}

#[derive(Debug, Deserialize)]
struct UserPath {
    uid: Uuid,
}

#[derive(Debug, Deserialize)]
struct SessionPath {
    uid: Uuid,
    #[serde(rename = "sessionId")]
    session_id: Uuid,
}

const SESSION_LIST: ListSpec = ListSpec {
    fields: &["id", "kybId", "state", "createdAt", "updatedAt"],
    search: &[],
};

fn document_view(session_id: Uuid, doc: &KybDocument) -> Value {
    json!({
        "id": doc.id,
        "kybSessionId": session_id,
        "category": doc.category,
        "type": doc.kind,
        "fileName": doc.file_name,
        "fileSize": doc.file_size,
        "mimeType": doc.mime_type,
        "reviewState": doc.review_state,
        "rejectionReason": doc.rejection_reason,
        "reviewedAt": doc.reviewed_at.map(format_time),
        "reviewedBy": doc.reviewed_at.map(|_| "sandbox"),
        "createdAt": format_time(doc.created_at),
        "updatedAt": format_time(doc.updated_at),
    })
}

/// The `KybSession` view.
pub fn view(session: &KybSession) -> Value {
    let documents: Vec<Value> = session
        .documents
        .iter()
        .map(|d| document_view(session.id, d))
        .collect();
    json!({
        "id": session.id,
        "kybId": session.kyb_id,
        "state": session.state.as_str(),
        "documents": documents,
        "createdAt": format_time(session.created_at),
        "updatedAt": format_time(session.updated_at),
    })
}

/// `uid` must be a business user (404 otherwise: the path names a business user).
fn business_user(store: &Store, uid: Uuid) -> ApiResult<()> {
    match store.users.get(&uid) {
        Some(user) if user.kind == UserKind::Business => Ok(()),
        _ => Err(ApiError::not_found("business user")),
    }
}

fn user_session_mut(store: &mut Store, uid: Uuid, sid: Uuid) -> ApiResult<&mut KybSession> {
    business_user(store, uid)?;
    let session = store
        .kyb_sessions
        .get_mut(&sid)
        .ok_or_else(|| ApiError::not_found("KYB session"))?;
    if session.user_id != uid {
        return Err(ApiError::forbidden("the session belongs to another user"));
    }
    Ok(session)
}

async fn create_session(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let now = state.now();
    let mut store = state.store();
    business_user(&store, path.uid)?;
    let session = KybSession {
        id: Uuid::new_v4(),
        kyb_id: store.next_number(),
        user_id: path.uid,
        state: KybState::Created,
        documents: Vec::new(),
        reason: None,
        created_at: now,
        updated_at: now,
    };
    let body = view(&session);
    store.kyb_sessions.insert(session.id, session);
    Ok((StatusCode::CREATED, Json(body)))
}

async fn list_sessions(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    business_user(&store, path.uid)?;
    let items = store
        .kyb_sessions
        .values()
        .filter(|s| s.user_id == path.uid)
        .map(view)
        .collect();
    query.bare(&SESSION_LIST, items).map(Json)
}

/// The parts of an upload, read before the store is locked.
struct Upload {
    category: Option<String>,
    kind: Option<String>,
    file: Option<(String, String, u64)>,
}

async fn read_upload(mut multipart: Multipart) -> ApiResult<Upload> {
    let mut upload = Upload {
        category: None,
        kind: None,
        file: None,
    };
    let read_error = |err: axum::extract::multipart::MultipartError| {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            payload_too_large()
        } else {
            ApiError::invalid(
                "body",
                format!("malformed multipart body: {}", err.body_text()),
            )
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(read_error)? {
        match field.name().unwrap_or_default() {
            "category" => upload.category = Some(field.text().await.map_err(read_error)?),
            "type" => upload.kind = Some(field.text().await.map_err(read_error)?),
            "file" => {
                let file_name = field.file_name().unwrap_or("document").to_owned();
                let mime = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await.map_err(read_error)?;
                upload.file = Some((file_name, mime, bytes.len() as u64));
            }
            // Unknown parts are ignored, like unknown JSON fields (D12).
            _ => {}
        }
    }
    Ok(upload)
}

async fn upload_document(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<SessionPath>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let upload = read_upload(multipart).await?;
    let mut violations = Vec::new();
    let category = match upload.category.as_deref().map(str::trim) {
        None | Some("") => {
            violations.push(Violation::new("category", "is required"));
            None
        }
        Some(c) if !DOCUMENT_CATEGORIES.contains(&c) => {
            violations.push(Violation::new(
                "category",
                format!("must be one of {}", DOCUMENT_CATEGORIES.join(", ")),
            ));
            None
        }
        Some(c) => Some(c.to_owned()),
    };
    let kind = match upload.kind.as_deref().map(str::trim) {
        None | Some("") => {
            violations.push(Violation::new("type", "is required"));
            None
        }
        Some(k) => Some(k.to_owned()),
    };
    match &upload.file {
        None => violations.push(Violation::new("file", "is required")),
        Some((_, _, 0)) => violations.push(Violation::new("file", "must not be empty")),
        Some(_) => {}
    }
    let (Some(category), Some(kind), Some((file_name, mime_type, file_size)), true) =
        (category, kind, upload.file, violations.is_empty())
    else {
        return Err(ApiError::validation(violations));
    };

    let now = state.now();
    let mut store = state.store();
    let session = user_session_mut(&mut store, path.uid, path.session_id)?;
    if session.state != KybState::Created {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!(
                "documents cannot be added to a {} session",
                session.state.as_str()
            ),
        ));
    }
    let document = KybDocument {
        id: Uuid::new_v4(),
        category,
        kind,
        file_name,
        file_size,
        mime_type,
        review_state: "PENDING",
        rejection_reason: None,
        reviewed_at: None,
        created_at: now,
        updated_at: now,
    };
    let body = document_view(session.id, &document);
    session.documents.push(document);
    session.updated_at = now;
    Ok((StatusCode::CREATED, Json(body)))
}

async fn submit_session(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let session = user_session_mut(&mut store, path.uid, path.session_id)?;
    if session.state != KybState::Created {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!("a {} session cannot be submitted", session.state.as_str()),
        ));
    }
    session.state = KybState::Submitted;
    session.updated_at = now;
    Ok(Json(view(session)))
}

/// Control API: decides a `SUBMITTED` session. Approval raises the business user to `REGULAR`
/// and fires `kyb_state_updated` (webhooks.md §5.6); rejection fires nothing (the level does not
/// change). Anything but `SUBMITTED` is `422 INVALID_STATE`.
pub fn decide(
    state: &AppState,
    sid: Uuid,
    approve: bool,
    reason: Option<String>,
) -> ApiResult<Value> {
    let now = state.now();
    let mut store = state.store();
    let session = store
        .kyb_sessions
        .get_mut(&sid)
        .ok_or_else(|| ApiError::not_found("KYB session"))?;
    if session.state != KybState::Submitted {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!("a {} session cannot be decided", session.state.as_str()),
        ));
    }
    session.state = if approve {
        KybState::Approved
    } else {
        KybState::Rejected
    };
    session.updated_at = now;
    if !approve {
        session.reason = Some(
            reason
                .clone()
                .unwrap_or_else(|| "Rejected in the sandbox".to_owned()),
        );
    }
    for doc in &mut session.documents {
        doc.review_state = if approve { "APPROVED" } else { "REJECTED" };
        doc.reviewed_at = Some(now);
        doc.updated_at = now;
        if !approve {
            doc.rejection_reason = session.reason.clone();
        }
    }
    let body = view(session);
    let (kyb_id, uid) = (session.kyb_id, session.user_id);
    if approve {
        let user = store.user_mut(uid)?;
        if user.kyc_level != KycLevel::Regular {
            user.kyc_level = KycLevel::Regular;
            user.updated_at = now;
            state.emit(
                "kyb_state_updated",
                json!({"kybId": kyb_id, "userId": uid, "state": KycLevel::Regular.as_str()}),
            );
        }
    }
    Ok(body)
}
