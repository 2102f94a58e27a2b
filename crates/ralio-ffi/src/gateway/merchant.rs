//! The merchant's own user and accounts through the gateway (`MerchantService`).

use ralio_core::model::{
    self, MerchantAccount, MerchantAccountListItem, MerchantAccountOwner, MerchantUser,
};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::convert::common::struct_to_map;
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::merchant_service_client::MerchantServiceClient;

use super::{
    GatewayConn, currency_in, enum_in, list_query_out, missing, no_paging, opt, status_to_error,
    time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> MerchantServiceClient<tonic::transport::Channel> {
    MerchantServiceClient::new(conn.channel.clone())
}

pub async fn user(
    conn: &GatewayConn,
    options: &CallOptions,
) -> Result<MerchantUser, RalioFfiError> {
    let response = client(conn)
        .get_merchant_user(conn.request(pb::GetMerchantUserRequest {}, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let u = response.user.ok_or_else(|| missing("user"))?;
    Ok(MerchantUser {
        id: u.id,
        name: opt(u.name),
        email: opt(u.email),
        other: u.additional.as_ref().map(struct_to_map).unwrap_or_default(),
    })
}

pub async fn list_accounts(
    conn: &GatewayConn,
    options: &CallOptions,
    query: ListQuery,
) -> Result<Vec<MerchantAccountListItem>, RalioFfiError> {
    no_paging(&query)?;
    let request = pb::ListMerchantUserAccountsRequest {
        query: list_query_out(&query),
    };
    let response = client(conn)
        .list_merchant_user_accounts(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    Ok(response
        .accounts
        .into_iter()
        .map(|a| MerchantAccountListItem {
            id: a.id,
            alias: opt(a.alias),
            currency: currency_in(a.currency),
            balance: a.balance,
            pending_in: a.pending_in,
            pending_out: a.pending_out,
            purpose: enum_in::<pb::AccountPurpose, _>(a.purpose, model::AccountPurpose::from_wire),
            state: enum_in::<pb::AccountState, _>(a.state, model::AccountState::from_wire),
            user_id: opt(a.user_id),
        })
        .collect())
}

pub async fn account(
    conn: &GatewayConn,
    options: &CallOptions,
    aid: String,
) -> Result<MerchantAccount, RalioFfiError> {
    let response = client(conn)
        .get_merchant_user_account(
            conn.request(pb::GetMerchantUserAccountRequest { aid }, options)?,
        )
        .await
        .map_err(status_to_error)?
        .into_inner();
    let a = response.account.ok_or_else(|| missing("account"))?;
    Ok(MerchantAccount {
        id: a.id,
        alias: opt(a.alias),
        currency: currency_in(a.currency),
        balance: a.balance,
        pending_in: a.pending_in,
        pending_out: a.pending_out,
        purpose: enum_in::<pb::AccountPurpose, _>(a.purpose, model::AccountPurpose::from_wire),
        state: enum_in::<pb::AccountState, _>(a.state, model::AccountState::from_wire),
        account_type: opt(a.r#type),
        user: a.user.map(|owner| MerchantAccountOwner {
            id: opt(owner.id),
            country: opt(owner.country),
            created_at: time(owner.created_at),
            display_type: opt(owner.display_type),
            email: opt(owner.email),
            name: opt(owner.name),
            user_type: (owner.r#type != 0).then_some(i64::from(owner.r#type)),
        }),
    })
}
