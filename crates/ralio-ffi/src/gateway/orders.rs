//! Orders through the gateway (`OrdersService`), and the generic order view every payin,
//! transfer and payout embeds.

use ralio_core::model::{self, Order, OrderList};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::orders_service_client::OrdersServiceClient;

use super::{
    GatewayConn, enum_in, list_query_out, missing, money_in, opt, page_out, pagination_in,
    status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> OrdersServiceClient<tonic::transport::Channel> {
    OrdersServiceClient::new(conn.channel.clone())
}

pub async fn list_merchant(
    conn: &GatewayConn,
    options: &CallOptions,
    query: ListQuery,
) -> Result<OrderList, RalioFfiError> {
    let request = pb::ListMerchantOrdersRequest {
        page: page_out(&query),
        query: list_query_out(&query),
        filter: None,
    };
    let response = client(conn)
        .list_merchant_orders(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(OrderList {
        orders: response.orders.into_iter().map(order_in).collect(),
        pagination: response.pagination.map(pagination_in),
    })
}

pub async fn get(
    conn: &GatewayConn,
    options: &CallOptions,
    oid: String,
) -> Result<Order, RalioFfiError> {
    let response = client(conn)
        .get_order(conn.request(pb::GetOrderRequest { oid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    required_order(response.order)
}

pub async fn list_account(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    query: ListQuery,
) -> Result<OrderList, RalioFfiError> {
    let request = pb::ListAccountOrdersRequest {
        uid,
        aid,
        page: page_out(&query),
        query: list_query_out(&query),
        filter: None,
    };
    let response = client(conn)
        .list_account_orders(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(OrderList {
        orders: response.orders.into_iter().map(order_in).collect(),
        pagination: response.pagination.map(pagination_in),
    })
}

/// An order the response must carry.
pub(crate) fn required_order(order: Option<pb::Order>) -> Result<Order, RalioFfiError> {
    order.map(order_in).ok_or_else(|| missing("order"))
}

/// The proto order as the model's (the proto has no `direction`; it stays unset).
pub(crate) fn order_in(o: pb::Order) -> Order {
    Order {
        id: o.id,
        created_at: time(o.created_at),
        destination: o.destination.map(money_in),
        detail_url: opt(o.detail_url),
        direction: None,
        display_type: opt(o.display_type),
        failed_at: time(o.failed_at),
        fee: o.fee.map(|fee| model::Fee {
            currency: model::Currency::from_wire(&fee.currency),
            amount: fee.amount,
            breakdown: fee.breakdown.map(|b| model::FeeBreakdown {
                merchant_fee: Some(b.merchant_fee),
                system_fee: Some(b.system_fee),
            }),
        }),
        fx: o.fx.map(|fx| model::Fx {
            pair: opt(fx.pair),
            rate: opt(fx.rate),
            timestamp: time(fx.timestamp),
        }),
        merchant: o.merchant.map(|m| model::OrderMerchant {
            id: (m.id != 0).then_some(m.id),
            name: opt(m.name),
        }),
        origin: o.origin.map(money_in),
        reference: opt(o.reference),
        settled_at: time(o.settled_at),
        state: enum_in::<pb::OrderState, _>(o.state, model::OrderState::from_wire),
        order_type: enum_in::<pb::OrderType, _>(o.r#type, model::OrderType::from_wire),
        updated_at: time(o.updated_at),
        validated_at: time(o.validated_at),
    }
}
