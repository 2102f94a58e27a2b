//! Virtual IBANs of accounts (spec/NOTES.md D10): create (SEPA for EUR accounts, ACH for USD
//! accounts), list, get, rename, deactivate; the control API activates or rejects pending ones.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::Rng;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, UuidPath};
use crate::listing::{ListQuery, ListSpec};
use crate::state::AppState;
use crate::store::{AccountCurrency, Store, Viban, VibanRail, VibanState, format_time};
use crate::validate::Fields;

pub const MAX_NAME_LEN: usize = 255;
const BANK_NAME: &str = "Ralio Sandbox Bank";
const SEPA_BIC: &str = "RALIESM2XXX";
/// A routing number with a valid ABA checksum, used for every ACH vIBAN.
const ACH_ROUTING_NUMBER: &str = "011000015";
const PROVIDER: &str = "MOCK";

const VIBAN_LIST: ListSpec = ListSpec {
    fields: &[
        "id",
        "name",
        "rail",
        "state",
        "accountNumber",
        "createdAt",
        "updatedAt",
    ],
    search: &["id", "name", "accountNumber"],
};

pub fn routes() -> Router<AppState> {
    let base = "/api/v1/account/users/{uid}/accounts/{aid}/virtual-ibans";
    Router::new()
        .route(base, get(list_vibans).post(create_viban))
        .route(
            &format!("{base}/{{vibanId}}"),
            get(get_viban).put(rename_viban),
        )
        .route(
            &format!("{base}/{{vibanId}}/deactivate"),
            post(deactivate_viban),
        )
}

#[derive(Debug, Deserialize)]
struct AccountPath {
    uid: Uuid,
    aid: Uuid,
}

#[derive(Debug, Deserialize)]
struct VibanPath {
    uid: Uuid,
    aid: Uuid,
    #[serde(rename = "vibanId")]
    viban_id: Uuid,
}

/// The `VirtualIban` view (`dto.VirtualIBANResponse`); ACH ones also carry the older
/// `abaRoutingCode`.
pub fn view(viban: &Viban) -> Value {
    json!({
        "id": viban.id,
        "accountId": viban.account_id,
        "name": viban.name,
        "rail": viban.rail.as_str(),
        "state": viban.state.as_str(),
        "accountHolder": viban.account_holder,
        "accountNumber": viban.account_number,
        "bankName": viban.bank_name,
        "bic": viban.bic,
        "routingNumber": viban.routing_number,
        "abaRoutingCode": viban.routing_number,
        "provider": PROVIDER,
        "payinMethodId": viban.payin_method_id,
        "rejectionReason": viban.rejection_reason,
        "createdAt": format_time(viban.created_at),
        "updatedAt": format_time(viban.updated_at),
    })
}

/// `data` of the `viban_*` webhooks (webhooks.md §5.7): `iban`+`bic` for an activated SEPA
/// vIBAN, `accountNumber`+`routingNumber` for ACH (D15), `iban` on deactivation, `reason` on
/// failure.
fn event_data(viban: &Viban) -> Value {
    let mut data = Map::new();
    data.insert("vibanId".into(), json!(viban.id));
    data.insert("accountId".into(), json!(viban.account_id));
    data.insert("rail".into(), json!(viban.rail.as_str()));
    data.insert("status".into(), json!(viban.state.as_str()));
    match (viban.state, viban.rail) {
        (VibanState::Active, VibanRail::Sepa) => {
            data.insert("iban".into(), json!(viban.account_number));
            data.insert("bic".into(), json!(viban.bic));
        }
        (VibanState::Active, VibanRail::Ach) => {
            data.insert("accountNumber".into(), json!(viban.account_number));
            data.insert("routingNumber".into(), json!(viban.routing_number));
        }
        (VibanState::Inactive, VibanRail::Sepa) => {
            data.insert("iban".into(), json!(viban.account_number));
        }
        (VibanState::Inactive, VibanRail::Ach) => {
            data.insert("accountNumber".into(), json!(viban.account_number));
        }
        (VibanState::Rejected, _) => {
            data.insert("reason".into(), json!(viban.rejection_reason));
        }
        (VibanState::Pending, _) => {}
    }
    Value::Object(data)
}

/// The event fired when a vIBAN enters `state`.
fn event_name(state: VibanState) -> Option<&'static str> {
    match state {
        VibanState::Active => Some("viban_activated"),
        VibanState::Rejected => Some("viban_failed"),
        VibanState::Inactive => Some("viban_deactivated"),
        VibanState::Pending => None,
    }
}

/// A Spanish-format IBAN (`ES` + check digits + 20 digits) with valid ISO 13616 check digits.
fn sandbox_iban() -> String {
    let mut rng = rand::rng();
    let bban: String = (0..20)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    // Check digits: 98 - (BBAN + "ES00" as digits, E=14 S=28) mod 97.
    let numeric = format!("{bban}142800");
    let remainder = numeric
        .bytes()
        .fold(0u32, |acc, digit| (acc * 10 + u32::from(digit - b'0')) % 97);
    format!("ES{:02}{bban}", 98 - remainder)
}

fn sandbox_ach_account_number() -> String {
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

async fn create_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    let name = f.bounded_str("name", true, MAX_NAME_LEN);
    let rail = f
        .enumeration("rail", true, &["SEPA", "ACH"])
        .and_then(VibanRail::parse);
    f.finish()?;
    let (Some(name), Some(rail)) = (name, rail) else {
        return Err(ApiError::internal("validated fields missing"));
    };

    let now = state.now();
    let mut store = state.store();
    let account = store.user_account(path.uid, path.aid)?;
    let expected = match account.currency {
        AccountCurrency::Eur => VibanRail::Sepa,
        AccountCurrency::Usd => VibanRail::Ach,
    };
    if rail != expected {
        return Err(ApiError::invalid(
            "rail",
            format!(
                "a {} account takes {} vIBANs",
                account.currency.code(),
                expected.as_str()
            ),
        ));
    }
    if !account.is_active() {
        return Err(ApiError::unprocessable(
            "ACCOUNT_NOT_ACTIVE",
            "vIBANs can only be requested for ACTIVE accounts",
        ));
    }
    let holder = store.user(path.uid)?.display_name.clone();
    let (account_number, bic, routing_number) = match rail {
        VibanRail::Sepa => (sandbox_iban(), Some(SEPA_BIC.to_owned()), None),
        VibanRail::Ach => (
            sandbox_ach_account_number(),
            None,
            Some(ACH_ROUTING_NUMBER.to_owned()),
        ),
    };
    let mut viban = Viban {
        id: Uuid::new_v4(),
        account_id: path.aid,
        user_id: path.uid,
        name: name.to_owned(),
        rail,
        state: VibanState::Pending,
        account_holder: holder,
        account_number,
        bic,
        routing_number,
        bank_name: BANK_NAME,
        payin_method_id: Uuid::new_v4(),
        rejection_reason: None,
        created_at: now,
        updated_at: now,
    };
    // With auto-activate the vIBAN passes PENDING at once (D10).
    if state.config.auto_activate.vibans {
        viban.state = VibanState::Active;
    }
    let body = view(&viban);
    store.vibans.insert(viban.id, viban.clone());
    if let Some(event) = event_name(viban.state) {
        state.emit(event, event_data(&viban));
    }
    Ok((StatusCode::CREATED, Json(body)))
}

/// The vIBAN `vibanId` of account `aid` of user `uid` (404/403 as for accounts; a vIBAN of
/// another account is 404).
fn account_viban(store: &Store, path: &VibanPath) -> ApiResult<Viban> {
    store.user_account(path.uid, path.aid)?;
    match store.vibans.get(&path.viban_id) {
        Some(viban) if viban.account_id == path.aid => Ok(viban.clone()),
        _ => Err(ApiError::not_found("virtual IBAN")),
    }
}

async fn list_vibans(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<AccountPath>,
    query: ListQuery,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    store.user_account(path.uid, path.aid)?;
    let items = store
        .vibans
        .values()
        .filter(|v| v.account_id == path.aid)
        .map(view)
        .collect();
    query.bare(&VIBAN_LIST, items).map(Json)
}

async fn get_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<VibanPath>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    Ok(Json(view(&account_viban(&store, &path)?)))
}

async fn rename_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<VibanPath>,
    JsonBody(body): JsonBody,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let name = f.bounded_str("name", true, MAX_NAME_LEN);
    f.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;
    let now = state.now();
    let mut store = state.store();
    account_viban(&store, &path)?;
    let viban = store
        .vibans
        .get_mut(&path.viban_id)
        .ok_or_else(|| ApiError::not_found("virtual IBAN"))?;
    viban.name = name.to_owned();
    viban.updated_at = now;
    Ok(Json(view(viban)))
}

async fn deactivate_viban(
    State(state): State<AppState>,
    UuidPath(path): UuidPath<VibanPath>,
) -> ApiResult<Json<Value>> {
    let mut store = state.store();
    account_viban(&store, &path)?;
    transition(
        &state,
        &mut store,
        path.viban_id,
        VibanState::Inactive,
        None,
    )
    .map(Json)
}

/// Moves a vIBAN along D10 (`PENDING` → `ACTIVE` | `REJECTED`, `ACTIVE` → `INACTIVE`) and fires
/// the matching webhook; anything else is `422 INVALID_STATE`.
pub fn transition(
    state: &AppState,
    store: &mut Store,
    viban_id: Uuid,
    target: VibanState,
    reason: Option<String>,
) -> ApiResult<Value> {
    let now = state.now();
    let viban = store
        .vibans
        .get_mut(&viban_id)
        .ok_or_else(|| ApiError::not_found("virtual IBAN"))?;
    let allowed = matches!(
        (viban.state, target),
        (
            VibanState::Pending,
            VibanState::Active | VibanState::Rejected
        ) | (VibanState::Active, VibanState::Inactive)
    );
    if !allowed {
        return Err(ApiError::unprocessable(
            "INVALID_STATE",
            format!(
                "a {} vIBAN cannot become {}",
                viban.state.as_str(),
                target.as_str()
            ),
        ));
    }
    viban.state = target;
    viban.updated_at = now;
    if target == VibanState::Rejected {
        viban.rejection_reason =
            Some(reason.unwrap_or_else(|| "Rejected by the provider".to_owned()));
    }
    let viban = viban.clone();
    if let Some(event) = event_name(target) {
        state.emit(event, event_data(&viban));
    }
    Ok(view(&viban))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ibans_pass_the_mod_97_check() {
        for _ in 0..50 {
            let iban = sandbox_iban();
            assert_eq!(iban.len(), 24);
            // Move the first four characters to the end, letters to numbers, mod 97 == 1.
            let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
            let digits: String = rearranged
                .chars()
                .map(|c| match c {
                    'A'..='Z' => (c as u32 - 'A' as u32 + 10).to_string(),
                    _ => c.to_string(),
                })
                .collect();
            let rem = digits
                .bytes()
                .fold(0u32, |acc, d| (acc * 10 + u32::from(d - b'0')) % 97);
            assert_eq!(rem, 1, "{iban}");
        }
    }
}
