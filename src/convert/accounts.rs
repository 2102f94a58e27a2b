//! User accounts (wallets).

use ralio_core::model;
use tonic::Status;

use super::common::{ProtoEnum, Violations, currency_to_proto, enum_from_wire, timestamp};
use crate::proto::ralio::v1 as pb;
use crate::proto_enum;

proto_enum!(pb::AccountCurrency => "ACCOUNT_CURRENCY_");

/// Longest alias RalioPay accepts (D15).
const MAX_ALIAS_LEN: usize = 255;

impl Violations {
    /// An account or vIBAN alias: non-empty, at most 255 characters.
    pub fn alias(&mut self, field: &str, value: &str) -> String {
        let alias = self.required(field, value);
        if alias.chars().count() > MAX_ALIAS_LEN {
            self.add(field, "must be at most 255 characters");
        }
        alias
    }
}

pub fn create(r: &pb::CreateUserAccountRequest) -> Result<(String, model::AccountCreate), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &r.uid);
    let alias = v.alias("alias", &r.alias);
    let currency = v.enum_required::<pb::AccountCurrency>("currency", r.currency);
    let body = model::AccountCreate {
        alias,
        currency: model::Currency::from_wire(currency.unwrap_or_default()),
    };
    v.finish((uid, body))
}

pub fn update(
    r: &pb::UpdateUserAccountRequest,
) -> Result<(String, String, model::AccountUpdate), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &r.uid);
    let aid = v.uuid("aid", &r.aid);
    let alias = v.alias("alias", &r.alias);
    v.finish((uid, aid, model::AccountUpdate { alias }))
}

/// `(uid, aid)` of a request naming one account.
pub fn ids(uid: &str, aid: &str) -> Result<(String, String), Status> {
    let mut v = Violations::new();
    let ids = (v.uuid("uid", uid), v.uuid("aid", aid));
    v.finish(ids)
}

pub fn list(r: &pb::ListUserAccountsRequest) -> Result<(String, ralio_core::ListQuery), Status> {
    let mut v = Violations::new();
    let uid = v.uuid("uid", &r.uid);
    let mut query = ralio_core::ListQuery::new();
    v.list_query("query", r.query.as_ref(), &mut query);
    v.finish((uid, query))
}

pub(crate) fn opt_enum<E: ProtoEnum>(value: Option<&str>) -> i32 {
    value.map_or(0, enum_from_wire::<E>)
}

pub fn account_to_proto(a: model::Account) -> Result<pb::Account, Status> {
    Ok(pb::Account {
        created_at: timestamp("account.created_at", a.created_at.as_deref())?,
        updated_at: timestamp("account.updated_at", a.updated_at.as_deref())?,
        id: a.id,
        alias: a.alias.unwrap_or_default(),
        currency: currency_to_proto(&a.currency),
        balance: a.balance,
        pending_in: a.pending_in,
        pending_out: a.pending_out,
        state: opt_enum::<pb::AccountState>(a.state.as_ref().map(|s| s.as_str())),
        r#type: a.account_type.unwrap_or_default(),
        purpose: opt_enum::<pb::AccountPurpose>(a.purpose.as_ref().map(|p| p.as_str())),
        user_id: a.user_id.unwrap_or_default(),
    })
}

pub fn accounts_to_proto(list: Vec<model::Account>) -> Result<Vec<pb::Account>, Status> {
    list.into_iter().map(account_to_proto).collect()
}
