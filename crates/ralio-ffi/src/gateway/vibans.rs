//! Virtual IBANs through the gateway (`VibanService`).

use ralio_core::CallOptions;
use ralio_core::model::{self, VirtualIban, VirtualIbanCreate, VirtualIbanUpdate};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::viban_service_client::VibanServiceClient;

use super::{GatewayConn, enum_in, enum_out, missing, opt, status_to_error, time};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> VibanServiceClient<tonic::transport::Channel> {
    VibanServiceClient::new(conn.channel.clone())
}

pub async fn create(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: VirtualIbanCreate,
) -> Result<VirtualIban, RalioFfiError> {
    let request = pb::CreateVibanRequest {
        uid,
        aid,
        name: body.name,
        rail: enum_out::<pb::VibanRail>(body.rail.as_str()),
    };
    let response = client(conn)
        .create_viban(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    viban_in(response.viban)
}

pub async fn list(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
) -> Result<Vec<VirtualIban>, RalioFfiError> {
    let response = client(conn)
        .list_vibans(conn.request(pb::ListVibansRequest { uid, aid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    response
        .vibans
        .into_iter()
        .map(|x| viban_in(Some(x)))
        .collect()
}

pub async fn get(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    viban_id: String,
) -> Result<VirtualIban, RalioFfiError> {
    let request = pb::GetVibanRequest { uid, aid, viban_id };
    let response = client(conn)
        .get_viban(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    viban_in(response.viban)
}

pub async fn update_alias(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    viban_id: String,
    body: VirtualIbanUpdate,
) -> Result<VirtualIban, RalioFfiError> {
    let request = pb::UpdateVibanAliasRequest {
        uid,
        aid,
        viban_id,
        name: body.name,
    };
    let response = client(conn)
        .update_viban_alias(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    viban_in(response.viban)
}

pub async fn deactivate(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    viban_id: String,
) -> Result<VirtualIban, RalioFfiError> {
    let request = pb::DeactivateVibanRequest { uid, aid, viban_id };
    let response = client(conn)
        .deactivate_viban(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    viban_in(response.viban)
}

fn viban_in(viban: Option<pb::VirtualIban>) -> Result<VirtualIban, RalioFfiError> {
    let x = viban.ok_or_else(|| missing("viban"))?;
    Ok(VirtualIban {
        id: x.id,
        aba_routing_code: opt(x.aba_routing_code),
        account_holder: opt(x.account_holder),
        account_id: opt(x.account_id),
        account_number: opt(x.account_number),
        bank_name: opt(x.bank_name),
        bic: opt(x.bic),
        created_at: time(x.created_at),
        name: opt(x.name),
        payin_method_id: opt(x.payin_method_id),
        provider: opt(x.provider),
        rail: enum_in::<pb::VibanRail, _>(x.rail, model::VibanRail::from_wire),
        rejection_reason: opt(x.rejection_reason),
        routing_number: opt(x.routing_number),
        state: enum_in::<pb::VibanState, _>(x.state, model::VibanState::from_wire),
        updated_at: time(x.updated_at),
    })
}
