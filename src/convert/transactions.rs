//! Ledger transactions of an account (spec/NOTES.md D8): signed minor units and the running
//! balance. The list and the detail differ only in RalioPay's key casing, which the core
//! client absorbs, so both become the same proto message.

use ralio_core::ListQuery;
use ralio_core::model;
use tonic::Status;

use super::common::{self, Violations};
use super::orders::order_to_proto;
use crate::proto::ralio::v1 as pb;

/// listTransactions: `(uid, aid)` and the sort/filter/search query (a bare array, no paging).
pub fn list_transactions(
    request: &pb::ListTransactionsRequest,
) -> Result<((String, String), ListQuery), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &request.uid);
    let aid = v.uuid("aid", &request.aid);
    let mut query = ListQuery::new();
    v.list_query("query", request.query.as_ref(), &mut query);
    v.finish(((uid, aid), query))
}

/// getTransaction: `(uid, aid, tid)`.
pub fn get_transaction(
    request: &pb::GetTransactionRequest,
) -> Result<(String, String, String), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &request.uid);
    let aid = v.uuid("aid", &request.aid);
    let tid = v.uuid("tid", &request.tid);
    v.finish((uid, aid, tid))
}

/// An entry of the list (snake_case upstream).
pub fn list_item_to_proto(item: model::TransactionListItem) -> Result<pb::Transaction, Status> {
    transaction(
        item.id,
        item.amount,
        item.running_balance,
        item.created_at,
        item.order,
    )
}

/// The detail (camelCase upstream).
pub fn transaction_to_proto(detail: model::Transaction) -> Result<pb::Transaction, Status> {
    transaction(
        detail.id,
        detail.amount,
        detail.running_balance,
        detail.created_at,
        detail.order,
    )
}

fn transaction(
    id: String,
    amount: i64,
    running_balance: i64,
    created_at: Option<String>,
    order: Option<model::Order>,
) -> Result<pb::Transaction, Status> {
    Ok(pb::Transaction {
        id,
        amount,
        running_balance,
        created_at: common::timestamp("created_at", created_at.as_deref())?,
        order: order.map(order_to_proto).transpose()?,
    })
}
