//! User creation: individual users (flat KYC body), personal users (older body with a `kyc`
//! blob) and business users. Every required field and enum of the API reference is checked and
//! every violation is reported (spec/NOTES.md D12); a taken e-mail is `409 CONFLICT` (D3).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api::reference::{self, Language};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::store::{KycLevel, Store, User, UserKind, format_time};
use crate::validate::Fields;

pub const DOCUMENT_TYPES: &[&str] = &[
    "NATIONAL_ID",
    "RESIDENCE_CARD",
    "PASSPORT",
    "DRIVING_LICENSE",
];
pub const EMPLOYMENT_STATUSES: &[&str] = &[
    "EMPLOYED",
    "SELF_EMPLOYED",
    "UNEMPLOYED",
    "STUDENT",
    "RETIRED",
];
pub const SOURCES_OF_FUNDS: &[&str] = &[
    "EMPLOYMENT",
    "SALARY",
    "SAVINGS",
    "INVESTMENT",
    "PENSION",
    "GOVERNMENT_BENEFITS",
    "PROPERTY_SALES",
    "INHERITANCE",
    "COMBINATION",
];
pub const CONSTITUTION_TYPES: &[&str] = &[
    "INDIVIDUAL",
    "CORPORATION",
    "LLC",
    "PARTNERSHIP",
    "LIMITED_PARTNERSHIP",
    "SOLE_PROPRIETORSHIP",
    "COOPERATIVE",
    "NON_PROFIT",
    "GOVERNMENT",
    "TRUST",
    "FINANCIAL_INSTITUTION",
    "FOUNDATION",
    "OTHER",
];
pub const INDUSTRY_TYPES: &[&str] = &[
    "WHOLESALE",
    "RETAIL",
    "CRYPTO_FINTECH",
    "ECOMMERCE",
    "EDUCATION",
    "ENTERTAINMENT",
    "GOVERNMENT",
    "HOSPITALITY",
    "MANUFACTURING",
    "PAYMENTS_REMITTANCE",
    "FINANCIAL_SERVICES",
    "PROFESSIONAL_SERVICES",
    "HEALTHCARE",
    "TRANSPORT_LOGISTICS",
    "REAL_ESTATE",
    "NON_PROFIT",
    "OTHER",
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/account/individual-users", post(create_individual))
        .route("/api/v1/account/personal-users", post(create_personal))
        .route("/api/v1/account/business-user", post(create_business))
}

/// The JSON view of a user, by kind (`IndividualUser`, `PersonalUser`, `BusinessUser`).
/// `kycLevel` and `createdAt` are additions of the sandbox (upstream shows no level on users).
pub fn view(user: &User) -> Value {
    let mut body = user.profile.clone();
    if let Some(slug) = body.get("activity").and_then(Value::as_str)
        && let Some(activity) = reference::activity(slug)
    {
        body.insert("activity".into(), activity.view(Language::English));
    }
    body.insert("id".into(), json!(user.id));
    body.insert("kycLevel".into(), json!(user.kyc_level.as_str()));
    body.insert("createdAt".into(), json!(format_time(user.created_at)));
    Value::Object(body)
}

/// Copies `names` that are present (and not null) from `body`.
fn pick(body: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    names
        .iter()
        .filter_map(|name| {
            body.get(*name)
                .filter(|v| !v.is_null())
                .map(|v| ((*name).to_owned(), v.clone()))
        })
        .collect()
}

fn check_activity(fields: &mut Fields<'_>, required: bool) {
    let slug = if required {
        fields.required_str("activity")
    } else {
        fields.optional_str("activity")
    };
    if slug.is_some_and(|slug| reference::activity(slug).is_none()) {
        fields.reject(
            "activity",
            "must be a slug of GET /api/v1/reference/activities",
        );
    }
}

fn ensure_email_free(store: &Store, email: &str) -> ApiResult<()> {
    if store.users.values().any(|u| u.has_email(email)) {
        return Err(ApiError::conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    Ok(())
}

fn insert_user(
    state: &AppState,
    store: &mut Store,
    kind: UserKind,
    email: &str,
    display_name: String,
    profile: Map<String, Value>,
) -> User {
    let now = state.now();
    let user = User {
        id: Uuid::new_v4(),
        kind,
        kyc_id: store.next_number(),
        email: email.to_owned(),
        display_name,
        kyc_level: KycLevel::Light,
        created_at: now,
        updated_at: now,
        profile,
    };
    store.users.insert(user.id, user.clone());
    user
}

const INDIVIDUAL_FIELDS: &[&str] = &[
    "activity",
    "address",
    "addressLine2",
    "birthCountry",
    "birthdate",
    "city",
    "country",
    "documentNumber",
    "documentType",
    "email",
    "employmentStatus",
    "estimatedAnnualIncome",
    "estimatedAnnualTransactionVolume",
    "estimatedNetWorth",
    "gender",
    "hasPepCloseAssociate",
    "isPublicOffice",
    "name",
    "nationality",
    "pepAssociateCountry",
    "pepAssociateName",
    "pepAssociatePosition",
    "phoneNumber",
    "phoneNumberCountry",
    "postalCode",
    "professionalSector",
    "province",
    "publicOfficeCountry",
    "publicOfficePosition",
    "sourceOfFunds",
    "surname",
    "termsAndConditionsAccepted",
];

async fn create_individual(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    check_activity(&mut f, true);
    for name in [
        "address",
        "birthdate",
        "city",
        "documentNumber",
        "name",
        "phoneNumber",
        "postalCode",
        "professionalSector",
        "province",
        "surname",
    ] {
        f.required_str(name);
    }
    for name in [
        "addressLine2",
        "gender",
        "pepAssociateName",
        "pepAssociatePosition",
        "publicOfficePosition",
    ] {
        f.optional_str(name);
    }
    for name in [
        "birthCountry",
        "country",
        "nationality",
        "phoneNumberCountry",
    ] {
        f.country(name, true);
    }
    for name in ["pepAssociateCountry", "publicOfficeCountry"] {
        f.country(name, false);
    }
    f.enumeration("documentType", true, DOCUMENT_TYPES);
    f.enumeration("employmentStatus", true, EMPLOYMENT_STATUSES);
    f.enumeration("sourceOfFunds", true, SOURCES_OF_FUNDS);
    for name in [
        "estimatedAnnualIncome",
        "estimatedAnnualTransactionVolume",
        "estimatedNetWorth",
    ] {
        if f.integer(name, true).is_some_and(|n| n < 0) {
            f.reject(name, "must not be negative");
        }
    }
    f.boolean("hasPepCloseAssociate", true);
    f.boolean("isPublicOffice", true);
    if f.boolean("termsAndConditionsAccepted", true) == Some(false) {
        f.reject("termsAndConditionsAccepted", "must be true");
    }
    let email = f.email("email", true);
    f.finish()?;
    let email = email.ok_or_else(|| ApiError::internal("validated email missing"))?;

    let display_name = format!(
        "{} {}",
        body.get("name").and_then(Value::as_str).unwrap_or_default(),
        body.get("surname")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    let mut store = state.store();
    ensure_email_free(&store, email)?;
    let profile = pick(&body, INDIVIDUAL_FIELDS);
    let user = insert_user(
        &state,
        &mut store,
        UserKind::Individual,
        email,
        display_name,
        profile,
    );
    Ok((StatusCode::CREATED, Json(view(&user))))
}

const PERSONAL_FIELDS: &[&str] = &[
    "activity",
    "address",
    "birthdate",
    "city",
    "country",
    "documentNumber",
    "documentType",
    "email",
    "isPublicOffice",
    "name",
    "postalCode",
    "surname",
];

async fn create_personal(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    for name in [
        "address",
        "birthdate",
        "city",
        "country",
        "documentNumber",
        "name",
        "postalCode",
        "surname",
    ] {
        f.required_str(name);
    }
    f.enumeration("documentType", true, DOCUMENT_TYPES);
    check_activity(&mut f, false);
    f.boolean("isPublicOffice", false);
    let kyc = f.object("kyc", false);
    let email = f.email("email", true);
    f.finish()?;
    let email = email.ok_or_else(|| ApiError::internal("validated email missing"))?;

    let display_name = format!(
        "{} {}",
        body.get("name").and_then(Value::as_str).unwrap_or_default(),
        body.get("surname")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    let mut store = state.store();
    ensure_email_free(&store, email)?;
    let profile = pick(&body, PERSONAL_FIELDS);
    let mut user = insert_user(
        &state,
        &mut store,
        UserKind::Personal,
        email,
        display_name,
        profile,
    );
    // spec/NOTES.md D15: a forwarded KYC payload whose identity is verified makes the user
    // REGULAR at once, as if an IDV session had been approved.
    if kyc.is_some_and(identity_verified) {
        user.kyc_level = KycLevel::Regular;
        if let Some(stored) = store.users.get_mut(&user.id) {
            stored.kyc_level = KycLevel::Regular;
        }
        state.emit("kyc_state_updated", kyc_state_data(&user));
    }
    Ok((StatusCode::CREATED, Json(view(&user))))
}

/// `kyc.data.identity.status == "verified"` (any case).
fn identity_verified(kyc: &Map<String, Value>) -> bool {
    kyc.get("data")
        .and_then(|d| d.get("identity"))
        .and_then(|i| i.get("status"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("verified"))
}

/// `data` of `kyc_state_updated` (webhooks.md §5.5, newest revision).
pub fn kyc_state_data(user: &User) -> Value {
    json!({
        "kycId": user.kyc_id,
        "entityType": "user",
        "userId": user.id,
        "state": user.kyc_level.as_str(),
    })
}

async fn create_business(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut f = Fields::new(&body);
    if let Some(activity) = f.object("businessActivity", true) {
        f.nested("businessActivity", activity, |a| {
            for name in ["businessNature", "businessType", "revenueModel"] {
                a.required_str(name);
            }
            if a.enumeration("industryType", true, INDUSTRY_TYPES) == Some("OTHER") {
                a.required_str("industryTypeOther");
            }
        });
    }
    let mut email = None;
    let mut company_name = None;
    if let Some(company) = f.object("company", false) {
        f.nested("company", company, |c| {
            if let Some(incorporation) = c.object("incorporation", false) {
                c.nested("incorporation", incorporation, |i| {
                    if i.enumeration("constitutionType", false, CONSTITUTION_TYPES) == Some("OTHER")
                    {
                        i.required_str("constitutionTypeOther");
                    }
                    company_name = i
                        .optional_str("legalName")
                        .or_else(|| i.optional_str("name"));
                });
            }
            if let Some(contact) = c.object("contact", false) {
                c.nested("contact", contact, |k| email = k.email("email", false));
            }
            if let Some(addresses) = c.object("addresses", false) {
                c.nested("addresses", addresses, |a| {
                    for kind in ["operational", "registered"] {
                        if let Some(address) = a.object(kind, false) {
                            a.nested(kind, address, |p| p.country("country", false));
                        }
                    }
                });
            }
            company_name = company_name.or_else(|| c.optional_str("name"));
        });
    }
    f.finish()?;

    let mut store = state.store();
    if let Some(email) = email {
        ensure_email_free(&store, email)?;
    }
    let display_name = company_name.unwrap_or("Business user").to_owned();
    let user = insert_user(
        &state,
        &mut store,
        UserKind::Business,
        email.unwrap_or_default(),
        display_name,
        body.clone(),
    );
    Ok((StatusCode::CREATED, Json(view(&user))))
}
