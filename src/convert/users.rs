//! Users: individual, personal (with a forwarded KYC payload) and business.

use ralio_core::model;
use serde_json::Value;
use tonic::Status;

use super::common::{
    JsonObject, Violations, enum_from_wire, map_to_struct, path, struct_to_json, struct_to_map,
};
use crate::proto::ralio::v1 as pb;
use crate::proto_enum;

proto_enum!(
    pb::IdentityDocumentType => "IDENTITY_DOCUMENT_TYPE_",
    pb::EmploymentStatus => "EMPLOYMENT_STATUS_",
    pb::SourceOfFunds => "SOURCE_OF_FUNDS_",
    pb::ConstitutionType => "CONSTITUTION_TYPE_",
    pb::IndustryType => "INDUSTRY_TYPE_",
);

impl Violations {
    /// An ISO 3166-1 alpha-2 country code (`ES`); empty is absent unless `required`.
    pub fn country(&mut self, field: &str, value: &str, required: bool) -> Option<String> {
        if value.is_empty() {
            if required {
                self.add(field, "is required");
            }
            return None;
        }
        if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
            self.add(field, "must be an ISO 3166-1 alpha-2 country code");
        }
        Some(value.to_ascii_uppercase())
    }

    fn non_negative(&mut self, field: &str, value: i64) -> i64 {
        if value < 0 {
            self.add(field, "must not be negative");
        }
        value
    }
}

pub fn individual_user_create(
    r: &pb::CreateIndividualUserRequest,
) -> Result<model::IndividualUserCreate, Status> {
    let mut v = Violations::new();
    let document_type =
        v.enum_required::<pb::IdentityDocumentType>("document_type", r.document_type);
    let employment_status =
        v.enum_required::<pb::EmploymentStatus>("employment_status", r.employment_status);
    let source_of_funds =
        v.enum_required::<pb::SourceOfFunds>("source_of_funds", r.source_of_funds);
    let body = model::IndividualUserCreate {
        activity: v.required("activity", &r.activity),
        address: v.required("address", &r.address),
        address_line2: Violations::optional(&r.address_line2),
        birth_country: v
            .country("birth_country", &r.birth_country, true)
            .unwrap_or_default(),
        birthdate: v.date("birthdate", &r.birthdate),
        city: v.required("city", &r.city),
        country: v.country("country", &r.country, true).unwrap_or_default(),
        document_number: v.required("document_number", &r.document_number),
        document_type: model::IdentityDocumentType::from_wire(document_type.unwrap_or_default()),
        email: v.required("email", &r.email),
        employment_status: model::EmploymentStatus::from_wire(
            employment_status.unwrap_or_default(),
        ),
        estimated_annual_income: v
            .non_negative("estimated_annual_income", r.estimated_annual_income),
        estimated_annual_transaction_volume: v.non_negative(
            "estimated_annual_transaction_volume",
            r.estimated_annual_transaction_volume,
        ),
        estimated_net_worth: v.non_negative("estimated_net_worth", r.estimated_net_worth),
        has_pep_close_associate: r.has_pep_close_associate,
        is_public_office: r.is_public_office,
        name: v.required("name", &r.name),
        nationality: v
            .country("nationality", &r.nationality, true)
            .unwrap_or_default(),
        pep_associate_country: v.country("pep_associate_country", &r.pep_associate_country, false),
        pep_associate_name: Violations::optional(&r.pep_associate_name),
        pep_associate_position: Violations::optional(&r.pep_associate_position),
        phone_number: v.required("phone_number", &r.phone_number),
        phone_number_country: v
            .country("phone_number_country", &r.phone_number_country, true)
            .unwrap_or_default(),
        postal_code: v.required("postal_code", &r.postal_code),
        professional_sector: v.required("professional_sector", &r.professional_sector),
        province: v.required("province", &r.province),
        public_office_country: v.country("public_office_country", &r.public_office_country, false),
        public_office_position: Violations::optional(&r.public_office_position),
        source_of_funds: model::SourceOfFunds::from_wire(source_of_funds.unwrap_or_default()),
        surname: v.required("surname", &r.surname),
        // Whether it must be true is RalioPay's rule (D15); its 400 reaches the caller as is.
        terms_and_conditions_accepted: r.terms_and_conditions_accepted,
    };
    v.finish(body)
}

pub fn personal_user_create(
    r: &pb::CreatePersonalUserRequest,
) -> Result<model::PersonalUserCreate, Status> {
    let mut v = Violations::new();
    let document_type =
        v.enum_required::<pb::IdentityDocumentType>("document_type", r.document_type);
    let body = model::PersonalUserCreate {
        address: v.required("address", &r.address),
        birthdate: v.date("birthdate", &r.birthdate),
        city: v.required("city", &r.city),
        country: v.country("country", &r.country, true).unwrap_or_default(),
        document_number: v.required("document_number", &r.document_number),
        document_type: model::IdentityDocumentType::from_wire(document_type.unwrap_or_default()),
        email: v.required("email", &r.email),
        name: v.required("name", &r.name),
        postal_code: v.required("postal_code", &r.postal_code),
        surname: v.required("surname", &r.surname),
        activity: Violations::optional(&r.activity),
        is_public_office: Some(r.is_public_office),
        kyc: r.kyc.as_ref().map(personal_kyc_json),
    };
    v.finish(body)
}

/// The forwarded identity-provider payload in RalioPay's camelCase JSON (openapi
/// `PersonalUserKyc`).
fn personal_kyc_json(kyc: &pb::PersonalUserKyc) -> Value {
    JsonObject::new()
        .opt("data", kyc.data.as_ref().map(kyc_data_json))
        .build()
}

fn kyc_data_json(d: &pb::KycVerificationData) -> Value {
    JsonObject::new()
        .opt(
            "computed",
            d.computed.as_ref().map(|c| {
                JsonObject::new()
                    .opt(
                        "age",
                        c.age
                            .as_ref()
                            .map(|a| JsonObject::new().value("data", a.data).build()),
                    )
                    .opt(
                        "isDocumentExpired",
                        c.is_document_expired.as_ref().map(|f| {
                            JsonObject::new()
                                .opt("data", f.data.as_ref().map(struct_to_json))
                                .build()
                        }),
                    )
                    .build()
            }),
        )
        .opt(
            "deviceFingerprint",
            d.device_fingerprint.as_ref().map(|f| {
                JsonObject::new()
                    .opt(
                        "app",
                        f.app.as_ref().map(|a| {
                            JsonObject::new()
                                .str("platform", &a.platform)
                                .str("version", &a.version)
                                .build()
                        }),
                    )
                    .opt("browser", f.browser.as_ref().map(software_json))
                    .opt(
                        "device",
                        f.device
                            .as_ref()
                            .map(|x| JsonObject::new().str("type", &x.r#type).build()),
                    )
                    .opt("engine", f.engine.as_ref().map(software_json))
                    .str("ip", &f.ip)
                    .opt("os", f.os.as_ref().map(software_json))
                    .str("ua", &f.ua)
                    .build()
            }),
        )
        .list(
            "documents",
            d.documents
                .iter()
                .map(|doc| {
                    JsonObject::new()
                        .str("country", &doc.country)
                        .opt("fields", doc.fields.as_ref().map(struct_to_json))
                        .list(
                            "merchantFields",
                            doc.merchant_fields.iter().map(struct_to_json).collect(),
                        )
                        .list(
                            "photos",
                            doc.photos.iter().map(|p| Value::from(p.as_str())).collect(),
                        )
                        .str("region", &doc.region)
                        .list("steps", doc.steps.iter().map(step_json).collect())
                        .str("type", &doc.r#type)
                        .build()
                })
                .collect(),
        )
        .value("expired", d.expired)
        .opt(
            "flow",
            d.flow.as_ref().map(|f| {
                JsonObject::new()
                    .str("id", &f.id)
                    .str("name", &f.name)
                    .build()
            }),
        )
        .value("hasProblem", d.has_problem)
        .str("id", &d.id)
        .opt(
            "identity",
            d.identity.as_ref().map(|i| {
                JsonObject::new()
                    .str("id", &i.id)
                    .str("status", &i.status)
                    .build()
            }),
        )
        .value("masJobToBePostpone", d.mas_job_to_be_postpone)
        .opt(
            "metadata",
            d.metadata
                .as_ref()
                .map(|m| JsonObject::new().str("userId", &m.user_id).build()),
        )
        .str("profileId", &d.profile_id)
        .list("steps", d.steps.iter().map(step_json).collect())
        .list(
            "videoAgreement",
            d.video_agreement.iter().map(struct_to_json).collect(),
        )
        .build()
}

fn software_json(s: &pb::KycSoftware) -> Value {
    JsonObject::new()
        .str("major", &s.major)
        .str("name", &s.name)
        .str("version", &s.version)
        .build()
}

fn step_json(s: &pb::KycProviderStep) -> Value {
    JsonObject::new()
        .opt("data", s.data.as_ref().map(struct_to_json))
        .opt("error", s.error.as_ref().map(struct_to_json))
        .str("id", &s.id)
        .value("status", s.status)
        .build()
}

pub fn business_user_create(
    r: &pb::CreateBusinessUserRequest,
) -> Result<model::BusinessUserCreate, Status> {
    let mut v = Violations::new();
    let business_activity = v
        .present("business_activity", r.business_activity.as_ref())
        .map(|a| business_activity(&mut v, a));
    let company = r.company.as_ref().map(|c| company(&mut v, c));
    let other = r.additional.as_ref().map(struct_to_map).unwrap_or_default();
    v.finish(model::BusinessUserCreate {
        business_activity,
        company,
        other,
    })
}

fn business_activity(v: &mut Violations, a: &pb::BusinessActivity) -> model::BusinessActivity {
    const F: &str = "business_activity";
    let industry = v.enum_required::<pb::IndustryType>(&path(F, "industry_type"), a.industry_type);
    model::BusinessActivity {
        business_nature: v.required(&path(F, "business_nature"), &a.business_nature),
        business_type: v.required(&path(F, "business_type"), &a.business_type),
        industry_type: model::IndustryType::from_wire(industry.unwrap_or_default()),
        revenue_model: v.required(&path(F, "revenue_model"), &a.revenue_model),
        business_type_other: Violations::optional(&a.business_type_other),
        company_size: a.company_size.as_ref().map(|s| {
            JsonObject::new()
                .value("branchesInCountry", s.branches_in_country)
                .value("branchesOutsideCountry", s.branches_outside_country)
                .value("totalEmployees", s.total_employees)
                .build()
        }),
        existing_providers: a.existing_providers.as_ref().map(|p| {
            JsonObject::new()
                .value("banks", p.banks.clone())
                .value("psps", p.psps.clone())
                .build()
        }),
        expected_monthly_volume: Violations::optional(&a.expected_monthly_volume),
        funds_flow: a.funds_flow.as_ref().map(|f| {
            JsonObject::new()
                .value(
                    "inwardsPayments",
                    f.inwards_payments
                        .iter()
                        .map(payment_share_json)
                        .collect::<Vec<_>>(),
                )
                .value(
                    "outwardsPayments",
                    f.outwards_payments
                        .iter()
                        .map(payment_share_json)
                        .collect::<Vec<_>>(),
                )
                .build()
        }),
        industry_type_other: Violations::optional(&a.industry_type_other),
        msb_relationship: a.msb_relationship.as_ref().map(|m| {
            JsonObject::new()
                .str("purposeOfTransactions", &m.purpose_of_transactions)
                .str("targetClients", &m.target_clients)
                .build()
        }),
        products_and_services: (!a.products_and_services.is_empty())
            .then(|| a.products_and_services.clone()),
        revenue_breakdown: (!a.revenue_breakdown.is_empty()).then(|| {
            Value::Array(
                a.revenue_breakdown
                    .iter()
                    .map(|r| {
                        JsonObject::new()
                            .value("percentage", r.percentage)
                            .str("productOrService", &r.product_or_service)
                            .build()
                    })
                    .collect(),
            )
        }),
    }
}

fn payment_share_json(p: &pb::PaymentShare) -> Value {
    JsonObject::new()
        .str("country", &p.country)
        .value("percentage", p.percentage)
        .str("productSector", &p.product_sector)
        .build()
}

fn company(v: &mut Violations, c: &pb::Company) -> model::Company {
    let incorporation = c.incorporation.as_ref().map(|i| {
        let constitution = v.enum_optional::<pb::ConstitutionType>(
            "company.incorporation.constitution_type",
            i.constitution_type,
        );
        let mut object = i.additional.as_ref().map(struct_to_map).unwrap_or_default();
        let typed = JsonObject::new()
            .opt("constitutionType", constitution.map(Value::from))
            .str("constitutionTypeOther", &i.constitution_type_other)
            .into_map();
        object.extend(typed);
        Value::Object(object)
    });
    model::Company {
        addresses: c.addresses.as_ref().map(|a| model::CompanyAddresses {
            operational: a
                .operational
                .as_ref()
                .map(|p| address(v, "company.addresses.operational", p)),
            registered: a
                .registered
                .as_ref()
                .map(|p| address(v, "company.addresses.registered", p)),
        }),
        contact: c.contact.as_ref().map(struct_to_json),
        incorporation,
    }
}

fn address(v: &mut Violations, field: &str, a: &pb::PostalAddress) -> model::PostalAddress {
    model::PostalAddress {
        city: Violations::optional(&a.city),
        country: v.country(&path(field, "country"), &a.country, false),
        line1: Violations::optional(&a.line1),
        postal_code: Violations::optional(&a.postal_code),
        province: Violations::optional(&a.province),
    }
}

// --- responses ---------------------------------------------------------------------------------

/// A user's activity: the catalogue object, or just its slug when RalioPay echoed the slug.
pub fn activity_to_proto(activity: &model::UserActivity) -> pb::Activity {
    match activity {
        model::UserActivity::Slug(slug) => pb::Activity {
            slug: slug.clone(),
            ..Default::default()
        },
        model::UserActivity::Detail(detail) => super::reference::activity_to_proto(detail),
    }
}

fn kyc_level(level: Option<&model::KycLevel>) -> i32 {
    level.map_or(0, |l| enum_from_wire::<pb::KycLevel>(l.as_str()))
}

/// The proto value of an optional REST enum string (unset or unknown: `*_UNSPECIFIED`).
fn wire<E: super::common::ProtoEnum>(value: Option<&str>) -> i32 {
    value.map_or(0, enum_from_wire::<E>)
}

pub fn individual_user_to_proto(u: model::IndividualUser) -> pb::IndividualUser {
    pb::IndividualUser {
        id: u.id,
        activity: u.activity.as_ref().map(activity_to_proto),
        address: u.address.unwrap_or_default(),
        address_line2: u.address_line2.unwrap_or_default(),
        birth_country: u.birth_country.unwrap_or_default(),
        birthdate: u.birthdate.unwrap_or_default(),
        city: u.city.unwrap_or_default(),
        country: u.country.unwrap_or_default(),
        document_number: u.document_number.unwrap_or_default(),
        document_type: wire::<pb::IdentityDocumentType>(
            u.document_type.as_ref().map(|x| x.as_str()),
        ),
        email: u.email.unwrap_or_default(),
        employment_status: wire::<pb::EmploymentStatus>(
            u.employment_status.as_ref().map(|x| x.as_str()),
        ),
        estimated_annual_income: u.estimated_annual_income.unwrap_or_default(),
        estimated_annual_transaction_volume: u
            .estimated_annual_transaction_volume
            .unwrap_or_default(),
        estimated_net_worth: u.estimated_net_worth.unwrap_or_default(),
        gender: u.gender.unwrap_or_default(),
        has_pep_close_associate: u.has_pep_close_associate.unwrap_or_default(),
        is_public_office: u.is_public_office.unwrap_or_default(),
        name: u.name.unwrap_or_default(),
        nationality: u.nationality.unwrap_or_default(),
        pep_associate_country: u.pep_associate_country.unwrap_or_default(),
        pep_associate_name: u.pep_associate_name.unwrap_or_default(),
        pep_associate_position: u.pep_associate_position.unwrap_or_default(),
        phone_number: u.phone_number.unwrap_or_default(),
        phone_number_country: u.phone_number_country.unwrap_or_default(),
        postal_code: u.postal_code.unwrap_or_default(),
        professional_sector: u.professional_sector.unwrap_or_default(),
        province: u.province.unwrap_or_default(),
        public_office_country: u.public_office_country.unwrap_or_default(),
        public_office_position: u.public_office_position.unwrap_or_default(),
        source_of_funds: wire::<pb::SourceOfFunds>(u.source_of_funds.as_ref().map(|x| x.as_str())),
        surname: u.surname.unwrap_or_default(),
        terms_and_conditions_accepted: u.terms_and_conditions_accepted.unwrap_or_default(),
        kyc_level: kyc_level(u.kyc_level.as_ref()),
    }
}

pub fn personal_user_to_proto(u: model::PersonalUser) -> pb::PersonalUser {
    pb::PersonalUser {
        id: u.id,
        activity: u.activity.as_ref().map(activity_to_proto),
        address: u.address.unwrap_or_default(),
        birthdate: u.birthdate.unwrap_or_default(),
        city: u.city.unwrap_or_default(),
        country: u.country.unwrap_or_default(),
        document_number: u.document_number.unwrap_or_default(),
        document_type: wire::<pb::IdentityDocumentType>(
            u.document_type.as_ref().map(|x| x.as_str()),
        ),
        email: u.email.unwrap_or_default(),
        is_public_office: u.is_public_office.unwrap_or_default(),
        name: u.name.unwrap_or_default(),
        surname: u.surname.unwrap_or_default(),
        kyc_level: kyc_level(u.kyc_level.as_ref()),
    }
}

/// The business user: `id`, `kycLevel`, and every other field as `additional`.
pub fn business_user_to_proto(u: model::BusinessUser) -> pb::BusinessUser {
    let mut other = u.other;
    let kyc_level = other
        .remove("kycLevel")
        .and_then(|v| v.as_str().map(enum_from_wire::<pb::KycLevel>))
        .unwrap_or(0);
    pb::BusinessUser {
        id: u.id,
        kyc_level,
        additional: (!other.is_empty()).then(|| map_to_struct(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::common::enum_to_wire;

    #[test]
    fn individual_reports_every_missing_field() {
        let err = individual_user_create(&pb::CreateIndividualUserRequest::default()).unwrap_err();
        let bad = tonic_types::StatusExt::get_details_bad_request(&err).unwrap();
        let fields: Vec<_> = bad
            .field_violations
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        for expected in [
            "activity",
            "birthdate",
            "document_type",
            "email",
            "source_of_funds",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing in {fields:?}"
            );
        }
    }

    #[test]
    fn kyc_payload_is_camel_case_json() {
        let kyc = pb::PersonalUserKyc {
            data: Some(pb::KycVerificationData {
                identity: Some(pb::KycIdentity {
                    id: "i".into(),
                    status: "verified".into(),
                }),
                metadata: Some(pb::KycMetadata {
                    user_id: "u".into(),
                }),
                ..Default::default()
            }),
        };
        let json = personal_kyc_json(&kyc);
        assert_eq!(json["data"]["identity"]["status"], "verified");
        assert_eq!(json["data"]["metadata"]["userId"], "u");
        assert_eq!(json["data"]["hasProblem"], false);
        assert!(json["data"].get("documents").is_none());
    }

    #[test]
    fn business_user_splits_kyc_level_from_the_rest() {
        let mut other = serde_json::Map::new();
        other.insert("kycLevel".into(), "LIGHT".into());
        other.insert("name".into(), "Acme".into());
        let user = business_user_to_proto(model::BusinessUser {
            id: "b".into(),
            other,
        });
        assert_eq!(enum_to_wire::<pb::KycLevel>(user.kyc_level), Some("LIGHT"));
        let additional = struct_to_json(&user.additional.unwrap());
        assert_eq!(additional, serde_json::json!({"name": "Acme"}));
    }
}
