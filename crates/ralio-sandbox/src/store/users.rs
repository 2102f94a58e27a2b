//! End users of the merchant: individual, personal (older KYC blob) and business users.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Which creation route made the user; it decides the JSON view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// `POST /api/v1/account/individual-users` (flat KYC body).
    Individual,
    /// `POST /api/v1/account/personal-users` (older body with a `kyc` blob).
    Personal,
    /// `POST /api/v1/account/business-user`.
    Business,
    /// The seeded merchant itself.
    Merchant,
}

/// KYC (or KYB) level: users start `LIGHT`; a verified IDV (or approved KYB) session raises them
/// to `REGULAR`, which account creation requires (spec/NOTES.md D10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KycLevel {
    Light,
    Regular,
}

impl KycLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "LIGHT",
            Self::Regular => "REGULAR",
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub kind: UserKind,
    /// The numeric KYC id of the webhook payloads (`kycId`).
    pub kyc_id: i64,
    /// Unique over all users, compared case-insensitively.
    pub email: String,
    /// Display name (name + surname, or the company name).
    pub display_name: String,
    pub kyc_level: KycLevel,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The validated creation fields, echoed back by the user's JSON view.
    pub profile: Map<String, Value>,
}

impl User {
    /// Whether `email` is this user's, ignoring ASCII case.
    pub fn has_email(&self, email: &str) -> bool {
        self.email.eq_ignore_ascii_case(email)
    }
}
