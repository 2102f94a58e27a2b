//! Users through the gateway (`UserService`): individual, personal (with the forwarded KYC
//! payload) and business users. The model keeps RalioPay's open JSON objects (KYC payload,
//! company records, business activity details); they are read into the typed proto messages
//! here, the reverse of the gateway's `convert::users`.

use ralio_core::model::{
    self, BusinessUser, BusinessUserCreate, IndividualUser, IndividualUserCreate, PersonalUser,
    PersonalUserCreate,
};
use ralio_core::{CallOptions, Violation};
use ralio_gateway::convert::common::{enum_to_wire, json_to_struct, map_to_struct, struct_to_map};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::user_service_client::UserServiceClient;
use serde_json::Value;

use super::{GatewayConn, enum_in, enum_out, missing, opt, status_to_error};
use crate::error::RalioFfiError;

pub async fn create_individual(
    conn: &GatewayConn,
    options: &CallOptions,
    body: IndividualUserCreate,
) -> Result<IndividualUser, RalioFfiError> {
    let request = pb::CreateIndividualUserRequest {
        activity: body.activity,
        address: body.address,
        address_line2: body.address_line2.unwrap_or_default(),
        birth_country: body.birth_country,
        birthdate: body.birthdate,
        city: body.city,
        country: body.country,
        document_number: body.document_number,
        document_type: enum_out::<pb::IdentityDocumentType>(body.document_type.as_str()),
        email: body.email,
        employment_status: enum_out::<pb::EmploymentStatus>(body.employment_status.as_str()),
        estimated_annual_income: body.estimated_annual_income,
        estimated_annual_transaction_volume: body.estimated_annual_transaction_volume,
        estimated_net_worth: body.estimated_net_worth,
        has_pep_close_associate: body.has_pep_close_associate,
        is_public_office: body.is_public_office,
        name: body.name,
        nationality: body.nationality,
        pep_associate_country: body.pep_associate_country.unwrap_or_default(),
        pep_associate_name: body.pep_associate_name.unwrap_or_default(),
        pep_associate_position: body.pep_associate_position.unwrap_or_default(),
        phone_number: body.phone_number,
        phone_number_country: body.phone_number_country,
        postal_code: body.postal_code,
        professional_sector: body.professional_sector,
        province: body.province,
        public_office_country: body.public_office_country.unwrap_or_default(),
        public_office_position: body.public_office_position.unwrap_or_default(),
        source_of_funds: enum_out::<pb::SourceOfFunds>(body.source_of_funds.as_str()),
        surname: body.surname,
        terms_and_conditions_accepted: body.terms_and_conditions_accepted,
    };
    let response = UserServiceClient::new(conn.channel.clone())
        .create_individual_user(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let user = response.user.ok_or_else(|| missing("user"))?;
    Ok(individual_user_in(user))
}

pub(crate) fn activity_in(activity: pb::Activity) -> model::UserActivity {
    if activity.id == 0 && activity.name.is_empty() {
        model::UserActivity::Slug(activity.slug)
    } else {
        model::UserActivity::Detail(model::Activity {
            id: (activity.id != 0).then_some(activity.id),
            name: opt(activity.name),
            slug: activity.slug,
        })
    }
}

fn individual_user_in(u: pb::IndividualUser) -> IndividualUser {
    IndividualUser {
        id: u.id,
        activity: u.activity.map(activity_in),
        address: opt(u.address),
        address_line2: opt(u.address_line2),
        birth_country: opt(u.birth_country),
        birthdate: opt(u.birthdate),
        city: opt(u.city),
        country: opt(u.country),
        document_number: opt(u.document_number),
        document_type: enum_in::<pb::IdentityDocumentType, _>(
            u.document_type,
            model::IdentityDocumentType::from_wire,
        ),
        email: opt(u.email),
        employment_status: enum_in::<pb::EmploymentStatus, _>(
            u.employment_status,
            model::EmploymentStatus::from_wire,
        ),
        estimated_annual_income: Some(u.estimated_annual_income),
        estimated_annual_transaction_volume: Some(u.estimated_annual_transaction_volume),
        estimated_net_worth: Some(u.estimated_net_worth),
        gender: opt(u.gender),
        has_pep_close_associate: Some(u.has_pep_close_associate),
        is_public_office: Some(u.is_public_office),
        name: opt(u.name),
        nationality: opt(u.nationality),
        pep_associate_country: opt(u.pep_associate_country),
        pep_associate_name: opt(u.pep_associate_name),
        pep_associate_position: opt(u.pep_associate_position),
        phone_number: opt(u.phone_number),
        phone_number_country: opt(u.phone_number_country),
        postal_code: opt(u.postal_code),
        professional_sector: opt(u.professional_sector),
        province: opt(u.province),
        public_office_country: opt(u.public_office_country),
        public_office_position: opt(u.public_office_position),
        source_of_funds: enum_in::<pb::SourceOfFunds, _>(
            u.source_of_funds,
            model::SourceOfFunds::from_wire,
        ),
        surname: opt(u.surname),
        terms_and_conditions_accepted: Some(u.terms_and_conditions_accepted),
        kyc_level: enum_in::<pb::KycLevel, _>(u.kyc_level, model::KycLevel::from_wire),
    }
}

pub async fn create_personal(
    conn: &GatewayConn,
    options: &CallOptions,
    body: PersonalUserCreate,
) -> Result<PersonalUser, RalioFfiError> {
    let mut reader = JsonReader::default();
    let kyc = body.kyc.as_ref().map(|kyc| reader.personal_kyc("kyc", kyc));
    reader.finish()?;
    let request = pb::CreatePersonalUserRequest {
        address: body.address,
        birthdate: body.birthdate,
        city: body.city,
        country: body.country,
        document_number: body.document_number,
        document_type: enum_out::<pb::IdentityDocumentType>(body.document_type.as_str()),
        email: body.email,
        name: body.name,
        postal_code: body.postal_code,
        surname: body.surname,
        activity: body.activity.unwrap_or_default(),
        is_public_office: body.is_public_office.unwrap_or(false),
        kyc,
    };
    let response = UserServiceClient::new(conn.channel.clone())
        .create_personal_user(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let u = response.user.ok_or_else(|| missing("user"))?;
    Ok(PersonalUser {
        id: u.id,
        activity: u.activity.map(activity_in),
        address: opt(u.address),
        birthdate: opt(u.birthdate),
        city: opt(u.city),
        country: opt(u.country),
        document_number: opt(u.document_number),
        document_type: enum_in::<pb::IdentityDocumentType, _>(
            u.document_type,
            model::IdentityDocumentType::from_wire,
        ),
        email: opt(u.email),
        is_public_office: Some(u.is_public_office),
        name: opt(u.name),
        surname: opt(u.surname),
        kyc_level: enum_in::<pb::KycLevel, _>(u.kyc_level, model::KycLevel::from_wire),
    })
}

pub async fn create_business(
    conn: &GatewayConn,
    options: &CallOptions,
    body: BusinessUserCreate,
) -> Result<BusinessUser, RalioFfiError> {
    let mut reader = JsonReader::default();
    let business_activity = body
        .business_activity
        .as_ref()
        .map(|a| reader.business_activity(a));
    let company = body.company.as_ref().map(|c| reader.company(c));
    reader.finish()?;
    let request = pb::CreateBusinessUserRequest {
        business_activity,
        company,
        additional: (!body.other.is_empty()).then(|| map_to_struct(&body.other)),
    };
    let response = UserServiceClient::new(conn.channel.clone())
        .create_business_user(conn.request(request, options)?)
        .await
        .map_err(status_to_error)?
        .into_inner();
    let u = response.user.ok_or_else(|| missing("user"))?;
    let mut other = u.additional.as_ref().map(struct_to_map).unwrap_or_default();
    if let Some(level) = enum_to_wire::<pb::KycLevel>(u.kyc_level) {
        other.insert("kycLevel".to_owned(), Value::from(level));
    }
    Ok(BusinessUser { id: u.id, other })
}

/// Reads the model's open JSON objects (RalioPay's camelCase shapes) into the typed proto
/// messages, collecting a violation per value of the wrong type.
#[derive(Default)]
struct JsonReader {
    violations: Vec<Violation>,
}

impl JsonReader {
    fn finish(self) -> Result<(), RalioFfiError> {
        if self.violations.is_empty() {
            return Ok(());
        }
        Err(RalioFfiError::Validation {
            code: "INVALID_REQUEST".to_owned(),
            reason: "a JSON field does not have the documented shape".to_owned(),
            violations: self.violations,
            request_id: None,
        })
    }

    fn bad(&mut self, field: &str, description: &str) {
        self.violations.push(Violation {
            field: field.to_owned(),
            description: description.to_owned(),
        });
    }

    fn str(&mut self, object: &Value, key: &str, at: &str) -> String {
        match object.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(_) => {
                self.bad(&format!("{at}.{key}"), "must be a string");
                String::new()
            }
        }
    }

    fn int(&mut self, object: &Value, key: &str, at: &str) -> i32 {
        match object.get(key) {
            None | Some(Value::Null) => 0,
            Some(value) => match value.as_i64().and_then(|n| i32::try_from(n).ok()) {
                Some(n) => n,
                None => {
                    self.bad(&format!("{at}.{key}"), "must be a 32-bit integer");
                    0
                }
            },
        }
    }

    fn bool(&mut self, object: &Value, key: &str, at: &str) -> bool {
        match object.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(_) => {
                self.bad(&format!("{at}.{key}"), "must be a boolean");
                false
            }
        }
    }

    fn strings(&mut self, object: &Value, key: &str, at: &str) -> Vec<String> {
        self.array(object, key, at)
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Value::String(text) => Some(text.clone()),
                _ => {
                    self.bad(&format!("{at}.{key}[{i}]"), "must be a string");
                    None
                }
            })
            .collect()
    }

    fn array<'a>(&mut self, object: &'a Value, key: &str, at: &str) -> &'a [Value] {
        match object.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.bad(&format!("{at}.{key}"), "must be an array");
                &[]
            }
        }
    }

    /// A nested object (`None` when absent).
    fn object<'a>(&mut self, object: &'a Value, key: &str, at: &str) -> Option<&'a Value> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(value @ Value::Object(_)) => Some(value),
            Some(_) => {
                self.bad(&format!("{at}.{key}"), "must be an object");
                None
            }
        }
    }

    fn structure(&mut self, value: &Value, at: &str) -> Option<prost_types::Struct> {
        let converted = json_to_struct(value);
        if converted.is_none() {
            self.bad(at, "must be an object");
        }
        converted
    }

    fn business_activity(&mut self, a: &model::BusinessActivity) -> pb::BusinessActivity {
        const AT: &str = "business_activity";
        let share = |reader: &mut Self, item: &Value, at: &str| pb::PaymentShare {
            country: reader.str(item, "country", at),
            percentage: reader.int(item, "percentage", at),
            product_sector: reader.str(item, "productSector", at),
        };
        pb::BusinessActivity {
            business_nature: a.business_nature.clone(),
            business_type: a.business_type.clone(),
            industry_type: enum_out::<pb::IndustryType>(a.industry_type.as_str()),
            revenue_model: a.revenue_model.clone(),
            business_type_other: a.business_type_other.clone().unwrap_or_default(),
            company_size: a.company_size.as_ref().map(|s| {
                let at = format!("{AT}.company_size");
                pb::CompanySize {
                    branches_in_country: self.int(s, "branchesInCountry", &at),
                    branches_outside_country: self.int(s, "branchesOutsideCountry", &at),
                    total_employees: self.int(s, "totalEmployees", &at),
                }
            }),
            existing_providers: a.existing_providers.as_ref().map(|p| {
                let at = format!("{AT}.existing_providers");
                pb::ExistingProviders {
                    banks: self.strings(p, "banks", &at),
                    psps: self.strings(p, "psps", &at),
                }
            }),
            expected_monthly_volume: a.expected_monthly_volume.clone().unwrap_or_default(),
            funds_flow: a.funds_flow.as_ref().map(|f| {
                let at = format!("{AT}.funds_flow");
                let mut side = |key: &str| {
                    let items = self.array(f, key, &at).to_vec();
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| share(self, item, &format!("{at}.{key}[{i}]")))
                        .collect()
                };
                pb::FundsFlow {
                    inwards_payments: side("inwardsPayments"),
                    outwards_payments: side("outwardsPayments"),
                }
            }),
            industry_type_other: a.industry_type_other.clone().unwrap_or_default(),
            msb_relationship: a.msb_relationship.as_ref().map(|m| {
                let at = format!("{AT}.msb_relationship");
                pb::MsbRelationship {
                    purpose_of_transactions: self.str(m, "purposeOfTransactions", &at),
                    target_clients: self.str(m, "targetClients", &at),
                }
            }),
            products_and_services: a.products_and_services.clone().unwrap_or_default(),
            revenue_breakdown: match &a.revenue_breakdown {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let at = format!("{AT}.revenue_breakdown[{i}]");
                        pb::RevenueShare {
                            percentage: self.int(item, "percentage", &at),
                            product_or_service: self.str(item, "productOrService", &at),
                        }
                    })
                    .collect(),
                Some(_) => {
                    self.bad(&format!("{AT}.revenue_breakdown"), "must be an array");
                    Vec::new()
                }
            },
        }
    }

    fn company(&mut self, c: &model::Company) -> pb::Company {
        let address = |a: &model::PostalAddress| pb::PostalAddress {
            line1: a.line1.clone().unwrap_or_default(),
            city: a.city.clone().unwrap_or_default(),
            country: a.country.clone().unwrap_or_default(),
            postal_code: a.postal_code.clone().unwrap_or_default(),
            province: a.province.clone().unwrap_or_default(),
        };
        pb::Company {
            addresses: c.addresses.as_ref().map(|a| pb::CompanyAddresses {
                operational: a.operational.as_ref().map(address),
                registered: a.registered.as_ref().map(address),
            }),
            contact: c
                .contact
                .as_ref()
                .and_then(|contact| self.structure(contact, "company.contact")),
            incorporation: c.incorporation.as_ref().and_then(|i| {
                let at = "company.incorporation";
                let Value::Object(map) = i else {
                    self.bad(at, "must be an object");
                    return None;
                };
                let mut rest = map.clone();
                let constitution = rest.remove("constitutionType");
                let other = rest.remove("constitutionTypeOther");
                let constitution_type = match constitution {
                    None | Some(Value::Null) => 0,
                    Some(Value::String(wire)) => enum_out::<pb::ConstitutionType>(&wire),
                    Some(_) => {
                        self.bad(&format!("{at}.constitutionType"), "must be a string");
                        0
                    }
                };
                let constitution_type_other = match other {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(text)) => text,
                    Some(_) => {
                        self.bad(&format!("{at}.constitutionTypeOther"), "must be a string");
                        String::new()
                    }
                };
                Some(pb::CompanyIncorporation {
                    constitution_type,
                    constitution_type_other,
                    additional: (!rest.is_empty()).then(|| map_to_struct(&rest)),
                })
            }),
        }
    }

    /// The forwarded identity-provider payload (openapi `PersonalUserKyc`: `{data: {...}}`).
    fn personal_kyc(&mut self, at: &str, kyc: &Value) -> pb::PersonalUserKyc {
        if !kyc.is_object() {
            self.bad(at, "must be an object");
            return pb::PersonalUserKyc::default();
        }
        let data_at = format!("{at}.data");
        pb::PersonalUserKyc {
            data: self
                .object(kyc, "data", at)
                .map(|data| self.kyc_data(&data_at, data)),
        }
    }

    fn kyc_data(&mut self, at: &str, d: &Value) -> pb::KycVerificationData {
        let software = |reader: &mut Self, object: &Value, key: &str| {
            let inner_at = format!("{at}.deviceFingerprint.{key}");
            reader
                .object(object, key, &format!("{at}.deviceFingerprint"))
                .map(|s| pb::KycSoftware {
                    major: reader.str(s, "major", &inner_at),
                    name: reader.str(s, "name", &inner_at),
                    version: reader.str(s, "version", &inner_at),
                })
        };
        let computed = self.object(d, "computed", at).map(|c| {
            let c_at = format!("{at}.computed");
            pb::KycComputed {
                age: self.object(c, "age", &c_at).map(|age| pb::KycComputedAge {
                    data: self.int(age, "data", &format!("{c_at}.age")),
                }),
                is_document_expired: self.object(c, "isDocumentExpired", &c_at).map(|flag| {
                    let f_at = format!("{c_at}.isDocumentExpired");
                    pb::KycComputedFlag {
                        data: self
                            .object(flag, "data", &f_at)
                            .and_then(|data| self.structure(data, &format!("{f_at}.data"))),
                    }
                }),
            }
        });
        let device_fingerprint = self.object(d, "deviceFingerprint", at).map(|f| {
            let f_at = format!("{at}.deviceFingerprint");
            pb::KycDeviceFingerprint {
                app: self.object(f, "app", &f_at).map(|a| pb::KycApp {
                    platform: self.str(a, "platform", &format!("{f_at}.app")),
                    version: self.str(a, "version", &format!("{f_at}.app")),
                }),
                browser: software(self, f, "browser"),
                device: self.object(f, "device", &f_at).map(|x| pb::KycDevice {
                    r#type: self.str(x, "type", &format!("{f_at}.device")),
                }),
                engine: software(self, f, "engine"),
                ip: self.str(f, "ip", &f_at),
                os: software(self, f, "os"),
                ua: self.str(f, "ua", &f_at),
            }
        });
        let documents = self
            .array(d, "documents", at)
            .iter()
            .enumerate()
            .map(|(i, doc)| {
                let doc_at = format!("{at}.documents[{i}]");
                pb::KycProviderDocument {
                    country: self.str(doc, "country", &doc_at),
                    fields: self
                        .object(doc, "fields", &doc_at)
                        .and_then(|f| self.structure(f, &format!("{doc_at}.fields"))),
                    merchant_fields: self
                        .array(doc, "merchantFields", &doc_at)
                        .iter()
                        .enumerate()
                        .filter_map(|(j, f)| {
                            self.structure(f, &format!("{doc_at}.merchantFields[{j}]"))
                        })
                        .collect(),
                    photos: self.strings(doc, "photos", &doc_at),
                    region: self.str(doc, "region", &doc_at),
                    steps: self.steps(doc, &doc_at),
                    r#type: self.str(doc, "type", &doc_at),
                }
            })
            .collect();
        pb::KycVerificationData {
            computed,
            device_fingerprint,
            documents,
            expired: self.bool(d, "expired", at),
            flow: self.object(d, "flow", at).map(|f| pb::KycFlow {
                id: self.str(f, "id", &format!("{at}.flow")),
                name: self.str(f, "name", &format!("{at}.flow")),
            }),
            has_problem: self.bool(d, "hasProblem", at),
            id: self.str(d, "id", at),
            identity: self.object(d, "identity", at).map(|x| pb::KycIdentity {
                id: self.str(x, "id", &format!("{at}.identity")),
                status: self.str(x, "status", &format!("{at}.identity")),
            }),
            mas_job_to_be_postpone: self.bool(d, "masJobToBePostpone", at),
            metadata: self.object(d, "metadata", at).map(|m| pb::KycMetadata {
                user_id: self.str(m, "userId", &format!("{at}.metadata")),
            }),
            profile_id: self.str(d, "profileId", at),
            steps: self.steps(d, at),
            video_agreement: self
                .array(d, "videoAgreement", at)
                .iter()
                .enumerate()
                .filter_map(|(i, v)| self.structure(v, &format!("{at}.videoAgreement[{i}]")))
                .collect(),
        }
    }

    fn steps(&mut self, object: &Value, at: &str) -> Vec<pb::KycProviderStep> {
        self.array(object, "steps", at)
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let s_at = format!("{at}.steps[{i}]");
                pb::KycProviderStep {
                    data: self
                        .object(step, "data", &s_at)
                        .and_then(|x| self.structure(x, &format!("{s_at}.data"))),
                    error: self
                        .object(step, "error", &s_at)
                        .and_then(|x| self.structure(x, &format!("{s_at}.error"))),
                    id: self.str(step, "id", &s_at),
                    status: self.int(step, "status", &s_at),
                }
            })
            .collect()
    }
}
