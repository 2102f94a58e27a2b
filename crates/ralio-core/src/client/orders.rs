use crate::error::RalioError;
use crate::model::{Order, OrderList};
use crate::query::ListQuery;
use crate::transport::Request;

super::sub_client! {
    /// Orders of the merchant and of single accounts.
    Orders
}

impl Orders {
    /// `GET /api/v1/account/orders` (listMerchantOrders), paged.
    pub async fn list_merchant(&self, query: &ListQuery) -> Result<OrderList, RalioError> {
        let request = Request::get(&["api", "v1", "account", "orders"]).list_query(query);
        self.transport.call(request, &self.options).await
    }

    /// `GET /api/v1/account/orders/{oid}` (getOrder).
    pub async fn get(&self, oid: &str) -> Result<Order, RalioError> {
        let request = Request::get(&["api", "v1", "account", "orders", oid]);
        self.transport.call(request, &self.options).await
    }

    /// `GET .../accounts/{aid}/orders` (listAccountOrders), paged.
    pub async fn list_account(
        &self,
        uid: &str,
        aid: &str,
        query: &ListQuery,
    ) -> Result<OrderList, RalioError> {
        let request = Request::get(&[
            "api", "v1", "account", "users", uid, "accounts", aid, "orders",
        ])
        .list_query(query);
        self.transport.call(request, &self.options).await
    }
}
