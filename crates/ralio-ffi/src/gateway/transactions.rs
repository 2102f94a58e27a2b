//! An account's ledger through the gateway (`TransactionsService`).

use ralio_core::model::{Transaction, TransactionListItem};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::transactions_service_client::TransactionsServiceClient;

use super::orders::order_in;
use super::{GatewayConn, list_query_out, missing, no_paging, status_to_error, time};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> TransactionsServiceClient<tonic::transport::Channel> {
    TransactionsServiceClient::new(conn.channel.clone())
}

pub async fn list(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    query: ListQuery,
) -> Result<Vec<TransactionListItem>, RalioFfiError> {
    no_paging(&query)?;
    let request = pb::ListTransactionsRequest {
        uid,
        aid,
        query: list_query_out(&query),
    };
    let response = client(conn)
        .list_transactions(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(response
        .transactions
        .into_iter()
        .map(|t| TransactionListItem {
            id: t.id,
            amount: t.amount,
            created_at: time(t.created_at),
            order: t.order.map(order_in),
            running_balance: t.running_balance,
        })
        .collect())
}

pub async fn get(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    tid: String,
) -> Result<Transaction, RalioFfiError> {
    let response = client(conn)
        .get_transaction(conn.request(pb::GetTransactionRequest { uid, aid, tid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let t = response.transaction.ok_or_else(|| missing("transaction"))?;
    Ok(Transaction {
        id: t.id,
        amount: t.amount,
        created_at: time(t.created_at),
        order: t.order.map(order_in),
        running_balance: t.running_balance,
    })
}
