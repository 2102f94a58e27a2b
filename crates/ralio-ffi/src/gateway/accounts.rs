//! User accounts through the gateway (`AccountsService`).

use ralio_core::model::{self, Account, AccountCreate, AccountUpdate};
use ralio_core::{CallOptions, ListQuery};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::account_service_client::AccountServiceClient;

use super::{
    GatewayConn, currency_in, enum_in, enum_out, list_query_out, missing, no_paging, opt,
    status_to_error, time,
};
use crate::error::RalioFfiError;

fn client(conn: &GatewayConn) -> AccountServiceClient<tonic::transport::Channel> {
    AccountServiceClient::new(conn.channel.clone())
}

pub async fn create(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    body: AccountCreate,
) -> Result<Account, RalioFfiError> {
    let request = pb::CreateUserAccountRequest {
        uid,
        alias: body.alias,
        currency: enum_out::<pb::AccountCurrency>(body.currency.as_str()),
    };
    let response = client(conn)
        .create_user_account(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    account_in(response.account)
}

pub async fn list(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    query: ListQuery,
) -> Result<Vec<Account>, RalioFfiError> {
    no_paging(&query)?;
    let request = pb::ListUserAccountsRequest {
        uid,
        query: list_query_out(&query),
    };
    let response = client(conn)
        .list_user_accounts(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    response
        .accounts
        .into_iter()
        .map(|a| account_in(Some(a)))
        .collect()
}

pub async fn get(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
) -> Result<Account, RalioFfiError> {
    let response = client(conn)
        .get_user_account(conn.request(pb::GetUserAccountRequest { uid, aid }, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    account_in(response.account)
}

pub async fn update(
    conn: &GatewayConn,
    options: &CallOptions,
    uid: String,
    aid: String,
    body: AccountUpdate,
) -> Result<Account, RalioFfiError> {
    let request = pb::UpdateUserAccountRequest {
        uid,
        aid,
        alias: body.alias,
    };
    let response = client(conn)
        .update_user_account(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    account_in(response.account)
}

fn account_in(account: Option<pb::Account>) -> Result<Account, RalioFfiError> {
    let a = account.ok_or_else(|| missing("account"))?;
    Ok(Account {
        id: a.id,
        alias: opt(a.alias),
        currency: currency_in(a.currency),
        balance: a.balance,
        pending_in: a.pending_in,
        pending_out: a.pending_out,
        state: enum_in::<pb::AccountState, _>(a.state, model::AccountState::from_wire),
        account_type: opt(a.r#type),
        purpose: enum_in::<pb::AccountPurpose, _>(a.purpose, model::AccountPurpose::from_wire),
        user_id: opt(a.user_id),
        created_at: time(a.created_at),
        updated_at: time(a.updated_at),
    })
}
