//! `AccountService`: a user's accounts (create/update need `accounts:write`; creation is
//! idempotent under the caller's `idempotency-key`).

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::accounts as convert;
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::account_service_server::{AccountService, AccountServiceServer};
use crate::request_context::{RequestContext, idempotency_key};

pub struct Accounts {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> AccountServiceServer<Accounts> {
    AccountServiceServer::new(Accounts { ctx })
}

#[tonic::async_trait]
impl AccountService for Accounts {
    async fn create_user_account(
        &self,
        request: Request<pb::CreateUserAccountRequest>,
    ) -> Result<Response<pb::CreateUserAccountResponse>, Status> {
        let caller = require_scope(&request, Scope::AccountsWrite)?;
        let key = idempotency_key(&request)?;
        let context = RequestContext::of(&request);
        let (uid, body) = convert::create(request.get_ref())?;
        let method = "/ralio.v1.AccountService/CreateUserAccount";
        let response = self
            .ctx
            .idempotent(&caller, key, method, request.get_ref(), || async {
                let accounts = self
                    .ctx
                    .client
                    .accounts()
                    .with_options(context.call_options());
                let account = self
                    .ctx
                    .upstream("accounts.create", &context, accounts.create(&uid, &body))
                    .await?;
                Ok(pb::CreateUserAccountResponse {
                    account: Some(convert::account_to_proto(account)?),
                })
            })
            .await?;
        Ok(Response::new(response))
    }

    async fn list_user_accounts(
        &self,
        request: Request<pb::ListUserAccountsRequest>,
    ) -> Result<Response<pb::ListUserAccountsResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let (uid, query) = convert::list(request.get_ref())?;
        let accounts = self
            .ctx
            .client
            .accounts()
            .with_options(context.call_options());
        let list = self
            .ctx
            .upstream("accounts.list", &context, accounts.list(&uid, &query))
            .await?;
        Ok(Response::new(pb::ListUserAccountsResponse {
            accounts: convert::accounts_to_proto(list)?,
        }))
    }

    /// Setting an alias is naturally idempotent, so no idempotency record is kept.
    async fn update_user_account(
        &self,
        request: Request<pb::UpdateUserAccountRequest>,
    ) -> Result<Response<pb::UpdateUserAccountResponse>, Status> {
        require_scope(&request, Scope::AccountsWrite)?;
        let context = RequestContext::of(&request);
        let (uid, aid, body) = convert::update(request.get_ref())?;
        let accounts = self
            .ctx
            .client
            .accounts()
            .with_options(context.call_options());
        let account = self
            .ctx
            .upstream(
                "accounts.update",
                &context,
                accounts.update(&uid, &aid, &body),
            )
            .await?;
        Ok(Response::new(pb::UpdateUserAccountResponse {
            account: Some(convert::account_to_proto(account)?),
        }))
    }

    async fn get_user_account(
        &self,
        request: Request<pb::GetUserAccountRequest>,
    ) -> Result<Response<pb::GetUserAccountResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let (uid, aid) = convert::ids(&request.get_ref().uid, &request.get_ref().aid)?;
        let accounts = self
            .ctx
            .client
            .accounts()
            .with_options(context.call_options());
        let account = self
            .ctx
            .upstream("accounts.get", &context, accounts.get(&uid, &aid))
            .await?;
        Ok(Response::new(pb::GetUserAccountResponse {
            account: Some(convert::account_to_proto(account)?),
        }))
    }
}
