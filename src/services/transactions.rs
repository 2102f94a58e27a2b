//! `TransactionsService`: an account's ledger (spec/NOTES.md D8). Read-only.

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::transactions as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::transactions_service_server::{
    TransactionsService, TransactionsServiceServer,
};
use crate::request_context::RequestContext;

pub struct Transactions {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> TransactionsServiceServer<Transactions> {
    TransactionsServiceServer::new(Transactions { ctx })
}

#[tonic::async_trait]
impl TransactionsService for Transactions {
    async fn list_transactions(
        &self,
        request: Request<pb::ListTransactionsRequest>,
    ) -> Result<Response<pb::ListTransactionsResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let ((uid, aid), query) = convert::list_transactions(request.get_ref())?;
        let items = self
            .ctx
            .upstream(
                "transactions.list",
                &context,
                self.ctx
                    .client
                    .transactions()
                    .with_options(context.call_options())
                    .list(&uid, &aid, &query),
            )
            .await?;
        let transactions = items
            .into_iter()
            .map(convert::list_item_to_proto)
            .collect::<Result<_, _>>()?;
        Ok(Response::new(pb::ListTransactionsResponse { transactions }))
    }

    async fn get_transaction(
        &self,
        request: Request<pb::GetTransactionRequest>,
    ) -> Result<Response<pb::GetTransactionResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let (uid, aid, tid) = convert::get_transaction(request.get_ref())?;
        let transaction = self
            .ctx
            .upstream(
                "transactions.get",
                &context,
                self.ctx
                    .client
                    .transactions()
                    .with_options(context.call_options())
                    .get(&uid, &aid, &tid),
            )
            .await?;
        Ok(Response::new(pb::GetTransactionResponse {
            transaction: Some(convert::transaction_to_proto(transaction)?),
        }))
    }
}
