//! The merchant's own user and accounts.

use ralio_core::model;
use tonic::Status;

use super::accounts::opt_enum;
use super::common::{currency_to_proto, map_to_struct, timestamp};
use crate::proto::ralio::v1 as pb;

pub fn user_to_proto(u: model::MerchantUser) -> pb::MerchantUser {
    pb::MerchantUser {
        id: u.id,
        name: u.name.unwrap_or_default(),
        email: u.email.unwrap_or_default(),
        additional: (!u.other.is_empty()).then(|| map_to_struct(&u.other)),
    }
}

pub fn account_summary_to_proto(a: model::MerchantAccountListItem) -> pb::MerchantAccountSummary {
    pb::MerchantAccountSummary {
        id: a.id,
        alias: a.alias.unwrap_or_default(),
        currency: currency_to_proto(&a.currency),
        balance: a.balance,
        pending_in: a.pending_in,
        pending_out: a.pending_out,
        purpose: opt_enum::<pb::AccountPurpose>(a.purpose.as_ref().map(|p| p.as_str())),
        state: opt_enum::<pb::AccountState>(a.state.as_ref().map(|s| s.as_str())),
        user_id: a.user_id.unwrap_or_default(),
    }
}

pub fn account_to_proto(a: model::MerchantAccount) -> Result<pb::MerchantAccount, Status> {
    let user = match a.user {
        None => None,
        Some(owner) => Some(pb::MerchantAccountOwner {
            created_at: timestamp("account.user.created_at", owner.created_at.as_deref())?,
            id: owner.id.unwrap_or_default(),
            name: owner.name.unwrap_or_default(),
            email: owner.email.unwrap_or_default(),
            country: owner.country.unwrap_or_default(),
            display_type: owner.display_type.unwrap_or_default(),
            r#type: owner
                .user_type
                .and_then(|t| i32::try_from(t).ok())
                .unwrap_or_default(),
        }),
    };
    Ok(pb::MerchantAccount {
        id: a.id,
        alias: a.alias.unwrap_or_default(),
        currency: currency_to_proto(&a.currency),
        balance: a.balance,
        pending_in: a.pending_in,
        pending_out: a.pending_out,
        purpose: opt_enum::<pb::AccountPurpose>(a.purpose.as_ref().map(|p| p.as_str())),
        state: opt_enum::<pb::AccountState>(a.state.as_ref().map(|s| s.as_str())),
        r#type: a.account_type.unwrap_or_default(),
        user,
    })
}
