//! IDV (KYC) sessions through the gateway (`IdentityService`). KYB is not carried yet.

use ralio_core::model::{
    self, IdvCheck, IdvFlow, IdvMappedError, IdvRefusedReason, IdvSession, IdvSessionChecks,
    IdvSessionList, IdvSessionListItem, IdvSessionStateHistory, IdvStateLog,
};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::convert::common::struct_to_json;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::identity_service_client::IdentityServiceClient;

use super::{
    GatewayConn, enum_in, missing, only_paging, opt, page_out, pagination_in, status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> IdentityServiceClient<tonic::transport::Channel> {
    IdentityServiceClient::new(conn.channel.clone())
}

pub async fn create_session(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
) -> Result<IdvSession, RalioFfiError> {
    let response = client(conn)
        .create_idv_session(conn.request(pb::CreateIdvSessionRequest { uid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let s = response.session.ok_or_else(|| missing("session"))?;
    Ok(IdvSession {
        id: s.id,
        created_at: time(s.created_at),
        data: s.data.as_ref().map(struct_to_json),
        expires_at: time(s.expires_at),
        flow: s.flow.map(flow_in),
        hosted_url: opt(s.hosted_url),
        state: state_in(s.state),
        session_type: opt(s.r#type),
        updated_at: time(s.updated_at),
    })
}

pub async fn list_sessions(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    query: ListQuery,
) -> Result<IdvSessionList, RalioFfiError> {
    only_paging(&query)?;
    let request = pb::ListIdvSessionsRequest {
        uid,
        page: page_out(&query),
    };
    let response = client(conn)
        .list_idv_sessions(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(IdvSessionList {
        sessions: response
            .sessions
            .into_iter()
            .map(|s| IdvSessionListItem {
                id: s.id,
                created_at: time(s.created_at),
                data: s.data.as_ref().map(struct_to_json),
                expires_at: time(s.expires_at),
                flow: s.flow.map(flow_in),
                hosted_url: opt(s.hosted_url),
                state: state_in(s.state),
                session_type: opt(s.r#type),
                updated_at: time(s.updated_at),
            })
            .collect(),
        pagination: response.pagination.map(pagination_in),
    })
}

pub async fn session_checks(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    session_id: String,
) -> Result<IdvSessionChecks, RalioFfiError> {
    let request = pb::GetIdvSessionChecksRequest { uid, session_id };
    let response = client(conn)
        .get_idv_session_checks(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(IdvSessionChecks {
        session_id: opt(response.session_id),
        checks: response
            .checks
            .into_iter()
            .map(|check| IdvCheck {
                id: nonzero(check.id),
                created_at: time(check.created_at),
                data: check.data.as_ref().map(struct_to_json),
                refused_reasons: check
                    .refused_reasons
                    .into_iter()
                    .map(|r| IdvRefusedReason {
                        code: opt(r.code),
                        id: nonzero(r.id),
                        mapped_error: r.mapped_error.map(|e| IdvMappedError {
                            action: opt(e.action),
                            category: opt(e.category),
                            code: opt(e.code),
                            id: nonzero(e.id),
                            reason: opt(e.reason),
                        }),
                        message: opt(r.message),
                        reason_type: opt(r.r#type),
                    })
                    .collect(),
                state: match pb::IdvCheckState::try_from(check.state) {
                    Ok(pb::IdvCheckState::Validated) => Some(model::KycCheckState::Validated),
                    Ok(pb::IdvCheckState::Refused) => Some(model::KycCheckState::Refused),
                    _ => None,
                },
                check_type: opt(check.r#type),
                updated_at: time(check.updated_at),
            })
            .collect(),
    })
}

pub async fn session_state_history(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    session_id: String,
) -> Result<IdvSessionStateHistory, RalioFfiError> {
    let request = pb::GetIdvSessionStateHistoryRequest { uid, session_id };
    let response = client(conn)
        .get_idv_session_state_history(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(IdvSessionStateHistory {
        session_id: opt(response.session_id),
        logs: response
            .logs
            .into_iter()
            .map(|log| IdvStateLog {
                id: nonzero(log.id),
                created_at: time(log.created_at),
                new_state: state_in(log.new_state),
            })
            .collect(),
    })
}

fn state_in(value: i32) -> Option<model::IdvSessionState> {
    enum_in::<pb::IdvSessionState, _>(value, model::IdvSessionState::from_wire)
}

fn flow_in(flow: pb::IdvFlow) -> IdvFlow {
    IdvFlow {
        id: opt(flow.id),
        tag: opt(flow.tag),
    }
}

/// Proto3 cannot tell 0 from unset; RalioPay's numeric ids start at 1.
fn nonzero(id: i64) -> Option<i64> {
    (id != 0).then_some(id)
}
