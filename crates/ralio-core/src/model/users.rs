//! Individual, personal and business users (`/api/v1/account/{individual,personal}-users`,
//! `/api/v1/account/business-user`).

use serde::{Deserialize, Serialize};

use super::common::{KycLevel, PostalAddress};
use super::reference::Activity;
use super::wire_enum::wire_enum;

wire_enum! {
    /// Identity document of a natural person.
    IdentityDocumentType {
        NationalId = "NATIONAL_ID",
        ResidenceCard = "RESIDENCE_CARD",
        Passport = "PASSPORT",
        DrivingLicense = "DRIVING_LICENSE",
    }
}

wire_enum! {
    EmploymentStatus {
        Employed = "EMPLOYED",
        SelfEmployed = "SELF_EMPLOYED",
        Unemployed = "UNEMPLOYED",
        Student = "STUDENT",
        Retired = "RETIRED",
    }
}

wire_enum! {
    SourceOfFunds {
        Employment = "EMPLOYMENT",
        Salary = "SALARY",
        Savings = "SAVINGS",
        Investment = "INVESTMENT",
        Pension = "PENSION",
        GovernmentBenefits = "GOVERNMENT_BENEFITS",
        PropertySales = "PROPERTY_SALES",
        Inheritance = "INHERITANCE",
        Combination = "COMBINATION",
    }
}

wire_enum! {
    ConstitutionType {
        Individual = "INDIVIDUAL",
        Corporation = "CORPORATION",
        Llc = "LLC",
        Partnership = "PARTNERSHIP",
        LimitedPartnership = "LIMITED_PARTNERSHIP",
        SoleProprietorship = "SOLE_PROPRIETORSHIP",
        Cooperative = "COOPERATIVE",
        NonProfit = "NON_PROFIT",
        Government = "GOVERNMENT",
        Trust = "TRUST",
        FinancialInstitution = "FINANCIAL_INSTITUTION",
        Foundation = "FOUNDATION",
        Other = "OTHER",
    }
}

wire_enum! {
    IndustryType {
        Wholesale = "WHOLESALE",
        Retail = "RETAIL",
        CryptoFintech = "CRYPTO_FINTECH",
        Ecommerce = "ECOMMERCE",
        Education = "EDUCATION",
        Entertainment = "ENTERTAINMENT",
        Government = "GOVERNMENT",
        Hospitality = "HOSPITALITY",
        Manufacturing = "MANUFACTURING",
        PaymentsRemittance = "PAYMENTS_REMITTANCE",
        FinancialServices = "FINANCIAL_SERVICES",
        ProfessionalServices = "PROFESSIONAL_SERVICES",
        Healthcare = "HEALTHCARE",
        TransportLogistics = "TRANSPORT_LOGISTICS",
        RealEstate = "REAL_ESTATE",
        NonProfit = "NON_PROFIT",
        Other = "OTHER",
    }
}

/// Body of `POST /api/v1/account/individual-users` (createIndividualUser).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct IndividualUserCreate {
    /// Slug from the activities catalogue (not its name).
    pub activity: String,
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address_line2: Option<String>,
    pub birth_country: String,
    pub birthdate: String,
    pub city: String,
    pub country: String,
    pub document_number: String,
    pub document_type: IdentityDocumentType,
    pub email: String,
    pub employment_status: EmploymentStatus,
    pub estimated_annual_income: i64,
    pub estimated_annual_transaction_volume: i64,
    pub estimated_net_worth: i64,
    pub has_pep_close_associate: bool,
    pub is_public_office: bool,
    pub name: String,
    pub nationality: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_position: Option<String>,
    pub phone_number: String,
    pub phone_number_country: String,
    pub postal_code: String,
    pub professional_sector: String,
    pub province: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub public_office_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub public_office_position: Option<String>,
    pub source_of_funds: SourceOfFunds,
    pub surname: String,
    pub terms_and_conditions_accepted: bool,
}

/// The `activity` of a created user: upstream documents the catalogue object, but a bare slug is
/// accepted too since the create body sends one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(untagged)]
pub enum UserActivity {
    Slug(String),
    Detail(Activity),
}

/// An individual user as returned by createIndividualUser.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct IndividualUser {
    /// The `uid` of every `/account/users/{uid}/...` route.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub activity: Option<UserActivity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address_line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub birth_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub birthdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub document_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub document_type: Option<IdentityDocumentType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub employment_status: Option<EmploymentStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub estimated_annual_income: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub estimated_annual_transaction_volume: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub estimated_net_worth: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub has_pep_close_associate: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub is_public_office: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pep_associate_position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phone_number_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub professional_sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub public_office_country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub public_office_position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub source_of_funds: Option<SourceOfFunds>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub surname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub terms_and_conditions_accepted: Option<bool>,
    /// The user's KYC level, which the sandbox serves (spec/NOTES.md D15, D17).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kyc_level: Option<KycLevel>,
}

/// Body of `POST /api/v1/account/personal-users` (createPersonalUser). `kyc` is the raw
/// identity-provider payload, forwarded as opaque JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct PersonalUserCreate {
    pub address: String,
    pub birthdate: String,
    pub city: String,
    pub country: String,
    pub document_number: String,
    pub document_type: IdentityDocumentType,
    pub email: String,
    pub name: String,
    pub postal_code: String,
    pub surname: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub activity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub is_public_office: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kyc: Option<serde_json::Value>,
}

/// A personal user as returned by createPersonalUser.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct PersonalUser {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub activity: Option<UserActivity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub birthdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub document_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub document_type: Option<IdentityDocumentType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub is_public_office: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub surname: Option<String>,
    /// The user's KYC level, which the sandbox serves (spec/NOTES.md D15, D17).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kyc_level: Option<KycLevel>,
}

/// `company.addresses` of a business user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CompanyAddresses {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub operational: Option<PostalAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registered: Option<PostalAddress>,
}

/// `company` of a business user. `contact` and `incorporation` are only partly documented, so
/// they travel as JSON objects; `constitutionType` sits inside `incorporation`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub addresses: Option<CompanyAddresses>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub contact: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub incorporation: Option<serde_json::Value>,
}

/// `businessActivity` of a business user; the nested, loosely documented parts (company size,
/// funds flow, providers, revenue breakdown) travel as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct BusinessActivity {
    pub business_nature: String,
    pub business_type: String,
    pub industry_type: IndustryType,
    pub revenue_model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub business_type_other: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub company_size: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub existing_providers: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expected_monthly_volume: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub funds_flow: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub industry_type_other: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub msb_relationship: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub products_and_services: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub revenue_breakdown: Option<serde_json::Value>,
}

/// Body of `POST /api/v1/account/business-user` (createBusinessUser).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct BusinessUserCreate {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub business_activity: Option<BusinessActivity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub company: Option<Company>,
    /// Further top-level fields upstream accepts but does not document, sent as given
    /// (spec/NOTES.md D17 `additional`).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A business user as returned by createBusinessUser: only its `id` is documented, the rest is
/// kept as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BusinessUser {
    pub id: String,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}
