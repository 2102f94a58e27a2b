//! Transfers and their quotes through the gateway (`TransfersService`).

use ralio_core::CallOptions;
use ralio_core::model::{
    Order, Quote, QuoteResponse, TransferCreate, TransferDetail, TransferSimulateRequest,
};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::transfers_service_client::TransfersServiceClient;

use super::orders::required_order;
use super::{
    GatewayConn, account_ref_in, account_ref_out, missing, money_in, money_out, opt,
    status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> TransfersServiceClient<tonic::transport::Channel> {
    TransfersServiceClient::new(conn.channel.clone())
}

pub async fn create(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: TransferCreate,
) -> Result<Order, RalioFfiError> {
    let request = pb::CreateTransferRequest {
        uid,
        aid,
        origin: Some(money_out(&body.origin)),
        recipient: Some(account_ref_out(&body.recipient)),
        reference: body.reference,
        code2fa: body.code2fa.expose().to_owned(),
        quote_id: body.quote_id.unwrap_or_default(),
    };
    let response = client(conn)
        .create_transfer(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    required_order(response.order)
}

pub async fn simulate(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: TransferSimulateRequest,
) -> Result<QuoteResponse, RalioFfiError> {
    let request = pb::SimulateTransferRequest {
        uid,
        aid,
        origin: Some(money_out(&body.origin)),
        recipient: Some(account_ref_out(&body.recipient)),
    };
    let response = client(conn)
        .simulate_transfer(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    quote_in(response.quote)
}

pub async fn get(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<TransferDetail, RalioFfiError> {
    let response = client(conn)
        .get_transfer(conn.request(pb::GetTransferRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let transfer = response.transfer.ok_or_else(|| missing("transfer"))?;
    Ok(TransferDetail {
        order: required_order(transfer.order)?,
        recipient: transfer.recipient.map(account_ref_in),
        sender: transfer.sender.map(account_ref_in),
    })
}

/// The flattened proto quote as the model's (the gateway always sends a rate, "1" when
/// RalioPay applied no conversion).
pub(crate) fn quote_in(quote: Option<pb::Quote>) -> Result<QuoteResponse, RalioFfiError> {
    let q = quote.ok_or_else(|| missing("quote"))?;
    Ok(QuoteResponse {
        origin: money_in(q.origin.ok_or_else(|| missing("quote.origin"))?),
        destination: money_in(q.destination.ok_or_else(|| missing("quote.destination"))?),
        quote: Some(Quote {
            rate: q.rate,
            timestamp: time(q.quoted_at),
            valid_until: time(q.valid_until),
        }),
        quote_id: opt(q.quote_id),
    })
}
