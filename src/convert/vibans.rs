//! Virtual IBANs of an account.

use ralio_core::model;
use tonic::Status;

use super::accounts::opt_enum;
use super::common::{Violations, timestamp};
use crate::proto::ralio::v1 as pb;

/// `(uid, aid)` of the account a vIBAN belongs to, plus the vIBAN id when there is one.
pub struct VibanPath {
    pub uid: String,
    pub aid: String,
    pub viban_id: String,
}

fn viban_path(v: &mut Violations, uid: &str, aid: &str, viban_id: Option<&str>) -> VibanPath {
    VibanPath {
        uid: v.uuid("uid", uid),
        aid: v.uuid("aid", aid),
        viban_id: viban_id
            .map(|id| v.uuid("viban_id", id))
            .unwrap_or_default(),
    }
}

pub fn create(r: &pb::CreateVibanRequest) -> Result<(VibanPath, model::VirtualIbanCreate), Status> {
    let mut v = Violations::new();
    let at = viban_path(&mut v, &r.uid, &r.aid, None);
    let name = v.alias("name", &r.name);
    let rail = v.enum_required::<pb::VibanRail>("rail", r.rail);
    let body = model::VirtualIbanCreate {
        name,
        rail: model::VibanRail::from_wire(rail.unwrap_or_default()),
    };
    v.finish((at, body))
}

pub fn list(r: &pb::ListVibansRequest) -> Result<VibanPath, Status> {
    let mut v = Violations::new();
    let at = viban_path(&mut v, &r.uid, &r.aid, None);
    v.finish(at)
}

/// The path of a request naming one vIBAN (get, deactivate).
pub fn one(uid: &str, aid: &str, viban_id: &str) -> Result<VibanPath, Status> {
    let mut v = Violations::new();
    let at = viban_path(&mut v, uid, aid, Some(viban_id));
    v.finish(at)
}

pub fn update_alias(
    r: &pb::UpdateVibanAliasRequest,
) -> Result<(VibanPath, model::VirtualIbanUpdate), Status> {
    let mut v = Violations::new();
    let at = viban_path(&mut v, &r.uid, &r.aid, Some(&r.viban_id));
    let name = v.alias("name", &r.name);
    v.finish((at, model::VirtualIbanUpdate { name }))
}

pub fn viban_to_proto(x: model::VirtualIban) -> Result<pb::VirtualIban, Status> {
    Ok(pb::VirtualIban {
        created_at: timestamp("viban.created_at", x.created_at.as_deref())?,
        updated_at: timestamp("viban.updated_at", x.updated_at.as_deref())?,
        id: x.id,
        account_id: x.account_id.unwrap_or_default(),
        name: x.name.unwrap_or_default(),
        rail: opt_enum::<pb::VibanRail>(x.rail.as_ref().map(|r| r.as_str())),
        state: opt_enum::<pb::VibanState>(x.state.as_ref().map(|s| s.as_str())),
        account_number: x.account_number.unwrap_or_default(),
        bic: x.bic.unwrap_or_default(),
        routing_number: x.routing_number.unwrap_or_default(),
        aba_routing_code: x.aba_routing_code.unwrap_or_default(),
        account_holder: x.account_holder.unwrap_or_default(),
        bank_name: x.bank_name.unwrap_or_default(),
        payin_method_id: x.payin_method_id.unwrap_or_default(),
        provider: x.provider.unwrap_or_default(),
        rejection_reason: x.rejection_reason.unwrap_or_default(),
    })
}

pub fn vibans_to_proto(list: Vec<model::VirtualIban>) -> Result<Vec<pb::VirtualIban>, Status> {
    list.into_iter().map(viban_to_proto).collect()
}
