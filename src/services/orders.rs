//! `OrdersService`: the merchant's and one account's orders (paged, sorted, filtered) and one
//! order by id. Read-only.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::common::{self, Violations};
use crate::convert::orders as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::orders_service_server::{OrdersService, OrdersServiceServer};
use crate::request_context::RequestContext;

pub struct Orders {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> OrdersServiceServer<Orders> {
    OrdersServiceServer::new(Orders { ctx })
}

#[tonic::async_trait]
impl OrdersService for Orders {
    async fn list_merchant_orders(
        &self,
        request: Request<pb::ListMerchantOrdersRequest>,
    ) -> Result<Response<pb::ListMerchantOrdersResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let message = request.get_ref();
        let query = convert::order_list_query(
            message.page.as_ref(),
            message.query.as_ref(),
            message.filter.as_ref(),
        )?;
        let list = self
            .ctx
            .upstream(
                "orders.list_merchant",
                &context,
                self.ctx
                    .client
                    .orders()
                    .with_options(context.call_options())
                    .list_merchant(&query),
            )
            .await?;
        let (orders, pagination) = convert::order_list_to_proto(list)?;
        Ok(Response::new(pb::ListMerchantOrdersResponse {
            orders,
            pagination,
        }))
    }

    async fn get_order(
        &self,
        request: Request<pb::GetOrderRequest>,
    ) -> Result<Response<pb::GetOrderResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let oid = common::uuid_field("oid", &request.get_ref().oid)?;
        let order = self
            .ctx
            .upstream(
                "orders.get",
                &context,
                self.ctx
                    .client
                    .orders()
                    .with_options(context.call_options())
                    .get(&oid),
            )
            .await?;
        Ok(Response::new(pb::GetOrderResponse {
            order: Some(convert::order_to_proto(order)?),
        }))
    }

    async fn list_account_orders(
        &self,
        request: Request<pb::ListAccountOrdersRequest>,
    ) -> Result<Response<pb::ListAccountOrdersResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let message = request.get_ref();
        let mut ids = Violations::new();
        let uid = ids.uuid("uid", &message.uid);
        let aid = ids.uuid("aid", &message.aid);
        let query = convert::order_list_query(
            message.page.as_ref(),
            message.query.as_ref(),
            message.filter.as_ref(),
        );
        // Report bad ids and a bad query together when both are wrong.
        let query = match (ids.into_result(), query) {
            (Ok(()), Ok(query)) => query,
            (Err(status), _) | (Ok(()), Err(status)) => return Err(status),
        };
        let list = self
            .ctx
            .upstream(
                "orders.list_account",
                &context,
                self.ctx
                    .client
                    .orders()
                    .with_options(context.call_options())
                    .list_account(&uid, &aid, &query),
            )
            .await?;
        let (orders, pagination) = convert::order_list_to_proto(list)?;
        Ok(Response::new(pb::ListAccountOrdersResponse {
            orders,
            pagination,
        }))
    }
}
