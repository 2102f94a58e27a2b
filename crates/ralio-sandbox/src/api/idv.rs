//! Identity-verification (IDV / KYC) sessions (spec/NOTES.md D10): create, list, checks,
//! state history, and the transitions the control API drives (`crate::control::kyc`).
//!
//! Expiry is evaluated lazily: every read of sessions and every clock advance calls
//! [`expire_due_sessions`], which moves due sessions to `EXPIRED` and fires
//! `kyc_session_expired` once per session (a session is only expired from a non-final state).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::users::kyc_state_data;
use crate::error::{ApiError, ApiResult};
use crate::extract::UuidPath;
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;
use crate::store::idv::{IDV_SESSION_LIFETIME, IdvTransition, RefusedReason};
use crate::store::{IdvCheck, IdvSession, IdvState, KycLevel, Store, UserKind, format_time};

/// Base of the hosted verification page (the sandbox has none; the URL is informative).
const HOSTED_URL_BASE: &str = "https://verify.raliopay.com/session/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/account/users/{uid}/identity-verifications",
            get(list_sessions).post(create_session),
        )
        .route(
            "/api/v1/account/users/{uid}/identity-verifications/{sessionId}/checks",
            get(get_checks),
        )
        .route(
            "/api/v1/account/users/{uid}/identity-verifications/{sessionId}/state-history",
            get(get_history),
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

/// The `IdvSession` view (camelCase); the list uses [`list_item`] instead.
pub fn view(session: &IdvSession) -> Value {
    json!({
        "id": session.id,
        "state": session.state.as_str(),
        "type": "KYC",
        "hostedUrl": format!("{HOSTED_URL_BASE}{}", session.id),
        "flow": {"id": "sandbox-default-flow", "tag": "default"},
        "data": {},
        "createdAt": format_time(session.created_at),
        "updatedAt": format_time(session.updated_at),
        "expiresAt": format_time(session.expires_at),
    })
}

/// The `IdvSessionListItem` view: as [`view`] but `created_at` / `updated_at` (upstream).
fn list_item(session: &IdvSession) -> Value {
    let mut item = view(session);
    if let Some(map) = item.as_object_mut() {
        if let Some(created) = map.remove("createdAt") {
            map.insert("created_at".into(), created);
        }
        if let Some(updated) = map.remove("updatedAt") {
            map.insert("updated_at".into(), updated);
        }
    }
    item
}

const SESSION_LIST: ListSpec = ListSpec {
    fields: &[
        "id",
        "state",
        "type",
        "created_at",
        "updated_at",
        "expiresAt",
    ],
    search: &[],
};

async fn create_session(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let now = state.now();
    let mut store = state.store();
    let user = store.user(path.uid)?;
    if !matches!(user.kind, UserKind::Individual | UserKind::Personal) {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            "only individual and personal users verify their identity; business users use KYB",
        ));
    }
    let history_id = store.next_number();
    let session = IdvSession {
        id: Uuid::new_v4(),
        user_id: path.uid,
        state: IdvState::NotStarted,
        created_at: now,
        updated_at: now,
        expires_at: now + IDV_SESSION_LIFETIME,
        history: vec![IdvTransition {
            id: history_id,
            new_state: IdvState::NotStarted,
            at: now,
        }],
        checks: Vec::new(),
        reason: None,
    };
    let body = view(&session);
    store.idv_sessions.insert(session.id, session);
    Ok((StatusCode::CREATED, Json(body)))
}

async fn list_sessions(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<UserPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    store.user(path.uid)?;
    expire_due_sessions(&state, &mut store);
    let items = store
        .idv_sessions
        .values()
        .filter(|s| s.user_id == path.uid)
        .map(list_item)
        .collect();
    query.paged(&SESSION_LIST, "sessions", items).map(Json)
}

/// The session `sid` of user `uid`: 404 if either is unknown, 403 if it is another user's.
fn user_session(store: &Store, uid: Uuid, sid: Uuid) -> ApiResult<&IdvSession> {
    store.user(uid)?;
    let session = store
        .idv_sessions
        .get(&sid)
        .ok_or_else(|| ApiError::not_found("identity verification session"))?;
    if session.user_id != uid {
        return Err(ApiError::forbidden("the session belongs to another user"));
    }
    Ok(session)
}

async fn get_checks(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    expire_due_sessions(&state, &mut store);
    let session = user_session(&store, path.uid, path.session_id)?;
    let checks: Vec<Value> = session.checks.iter().map(check_view).collect();
    Ok(Json(json!({ "session_id": session.id, "checks": checks })))
}

async fn get_history(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<SessionPath>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    expire_due_sessions(&state, &mut store);
    let session = user_session(&store, path.uid, path.session_id)?;
    let logs: Vec<Value> = session
        .history
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "new_state": t.new_state.as_str(),
                "created_at": format_time(t.at),
            })
        })
        .collect();
    Ok(Json(json!({ "session_id": session.id, "logs": logs })))
}

/// An item of `GET .../checks` (snake_case, as upstream).
fn check_view(check: &IdvCheck) -> Value {
    let reasons: Vec<Value> = check
        .refused_reasons
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "code": r.code,
                "message": r.message,
                "type": r.kind,
                "mappedError": {
                    "id": r.id,
                    "code": r.code,
                    "reason": r.message,
                    "category": "DOC",
                    "action": "ASK_FOR_NEW_DOCUMENT",
                },
            })
        })
        .collect();
    json!({
        "id": check.id,
        "type": check.kind,
        "state": check.state_str(),
        "data": {"provider": "MOCK"},
        "refused_reasons": reasons,
        "created_at": format_time(check.created_at),
        "updated_at": format_time(check.updated_at),
    })
}

/// A check as it appears in `kyc_session_*` webhooks (webhooks.md §5.5).
fn check_event(check: &IdvCheck) -> Value {
    let reasons: Vec<Value> = check
        .refused_reasons
        .iter()
        .map(|r| json!({"type": r.kind, "code": r.code, "message": r.message, "category": "DOC"}))
        .collect();
    json!({
        "type": check.kind,
        "state": check.state_str(),
        "data": {"provider": "MOCK"},
        "reasons": reasons,
    })
}

/// `data` of the `kyc_session_*` webhooks.
fn session_event(session: &IdvSession) -> Value {
    let checks: Vec<Value> = session.checks.iter().map(check_event).collect();
    json!({
        "sessionId": session.id,
        "entityType": "user",
        "userId": session.user_id,
        "checks": checks,
    })
}

/// What the control API asks of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdvAction {
    Start,
    Approve,
    Review,
    Reject,
}

impl IdvAction {
    fn target(self) -> IdvState {
        match self {
            Self::Start => IdvState::Started,
            Self::Approve => IdvState::Verified,
            Self::Review => IdvState::Review,
            Self::Reject => IdvState::Rejected,
        }
    }
}

/// Applies `action` to session `sid` (after expiring due sessions), records the transition,
/// produces checks, raises the user's level and fires the webhooks. Returns the session view.
/// An illegal transition is `422 INVALID_STATE`.
pub fn apply_action(
    state: &AppState,
    sid: Uuid,
    action: IdvAction,
    reason: Option<String>,
) -> ApiResult<Value> {
    let now = state.now();
    let mut store = state.store();
    expire_due_sessions(state, &mut store);
    let current = store
        .idv_sessions
        .get(&sid)
        .ok_or_else(|| ApiError::not_found("identity verification session"))?
        .state;
    let target = action.target();
    if !current.can_become(target) {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!(
                "a {} session cannot become {}",
                current.as_str(),
                target.as_str()
            ),
        ));
    }
    let history_id = store.next_number();
    let checks = match action {
        IdvAction::Approve => vec![
            new_check(&mut store, "document-verification", None, now),
            new_check(&mut store, "face-matching", None, now),
        ],
        IdvAction::Reject => {
            let message = reason
                .clone()
                .unwrap_or_else(|| "The document could not be verified".to_owned());
            vec![
                new_check(&mut store, "document-verification", Some(message), now),
                new_check(&mut store, "face-matching", None, now),
            ]
        }
        IdvAction::Start | IdvAction::Review => Vec::new(),
    };
    let session = store
        .idv_sessions
        .get_mut(&sid)
        .ok_or_else(|| ApiError::not_found("identity verification session"))?;
    session.state = target;
    session.updated_at = now;
    session.history.push(IdvTransition {
        id: history_id,
        new_state: target,
        at: now,
    });
    if !checks.is_empty() {
        session.checks = checks;
    }
    if reason.is_some() {
        session.reason = reason;
    }
    let session = session.clone();
    match action {
        IdvAction::Start => {}
        IdvAction::Review => state.emit("kyc_session_manual_review", session_event(&session)),
        IdvAction::Reject => state.emit("kyc_session_failed", session_event(&session)),
        IdvAction::Approve => {
            state.emit("kyc_session_verified", session_event(&session));
            let user = store.user_mut(session.user_id)?;
            if user.kyc_level != KycLevel::Regular {
                user.kyc_level = KycLevel::Regular;
                user.updated_at = now;
                let data = kyc_state_data(user);
                state.emit("kyc_state_updated", data);
            }
        }
    }
    Ok(view(&session))
}

fn new_check(
    store: &mut Store,
    kind: &'static str,
    refusal: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> IdvCheck {
    let id = store.next_number();
    let refused_reasons = match refusal {
        Some(message) => vec![RefusedReason {
            id: store.next_number(),
            code: "KYC.DOC.DETERIORATED".to_owned(),
            message,
            kind: "document".to_owned(),
        }],
        None => Vec::new(),
    };
    IdvCheck {
        id,
        kind,
        validated: refused_reasons.is_empty(),
        refused_reasons,
        created_at: now,
        updated_at: now,
    }
}

/// Moves every session past its expiry to `EXPIRED` and fires `kyc_session_expired` for each.
/// A session is expired at most once because `EXPIRED` is final.
pub fn expire_due_sessions(state: &AppState, store: &mut Store) {
    let now = state.now();
    let due: Vec<Uuid> = store
        .idv_sessions
        .values()
        .filter(|s| s.is_due_to_expire(now))
        .map(|s| s.id)
        .collect();
    for sid in due {
        let history_id = store.next_number();
        let Some(session) = store.idv_sessions.get_mut(&sid) else {
            continue;
        };
        session.state = IdvState::Expired;
        session.updated_at = session.expires_at;
        session.history.push(IdvTransition {
            id: history_id,
            new_state: IdvState::Expired,
            at: session.expires_at,
        });
        let data = session_event(session);
        state.emit("kyc_session_expired", data);
    }
}
