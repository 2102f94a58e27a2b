//! `MerchantService`: the merchant's own user and accounts (`read`).

use tonic::{Request, Response, Status};

use super::ServiceContext;
use crate::auth::{Scope, require_scope};
use crate::convert::common::uuid_field;
use crate::convert::{common, merchant as convert};
use crate::proto::ralio::v1 as pb;
use crate::proto::ralio::v1::merchant_service_server::{MerchantService, MerchantServiceServer};
use crate::request_context::RequestContext;

pub struct Merchant {
    ctx: ServiceContext,
}

/// The tonic server of this group.
pub fn server(ctx: ServiceContext) -> MerchantServiceServer<Merchant> {
    MerchantServiceServer::new(Merchant { ctx })
}

#[tonic::async_trait]
impl MerchantService for Merchant {
    async fn get_merchant_user(
        &self,
        request: Request<pb::GetMerchantUserRequest>,
    ) -> Result<Response<pb::GetMerchantUserResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let merchant = self
            .ctx
            .client
            .merchant()
            .with_options(context.call_options());
        let user = self
            .ctx
            .upstream("merchant.user", &context, merchant.user())
            .await?;
        Ok(Response::new(pb::GetMerchantUserResponse {
            user: Some(convert::user_to_proto(user)),
        }))
    }

    async fn list_merchant_user_accounts(
        &self,
        request: Request<pb::ListMerchantUserAccountsRequest>,
    ) -> Result<Response<pb::ListMerchantUserAccountsResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let query = common::list_query(None, request.get_ref().query.as_ref())?;
        let merchant = self
            .ctx
            .client
            .merchant()
            .with_options(context.call_options());
        let accounts = self
            .ctx
            .upstream(
                "merchant.list_accounts",
                &context,
                merchant.list_accounts(&query),
            )
            .await?;
        Ok(Response::new(pb::ListMerchantUserAccountsResponse {
            accounts: accounts
                .into_iter()
                .map(convert::account_summary_to_proto)
                .collect(),
        }))
    }

    async fn get_merchant_user_account(
        &self,
        request: Request<pb::GetMerchantUserAccountRequest>,
    ) -> Result<Response<pb::GetMerchantUserAccountResponse>, Status> {
        require_scope(&request, Scope::Read)?;
        let context = RequestContext::of(&request);
        let aid = uuid_field("aid", &request.get_ref().aid)?;
        let merchant = self
            .ctx
            .client
            .merchant()
            .with_options(context.call_options());
        let account = self
            .ctx
            .upstream("merchant.account", &context, merchant.account(&aid))
            .await?;
        Ok(Response::new(pb::GetMerchantUserAccountResponse {
            account: Some(convert::account_to_proto(account)?),
        }))
    }
}
