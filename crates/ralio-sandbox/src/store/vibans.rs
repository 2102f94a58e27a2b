//! Virtual IBANs attached to accounts (spec/NOTES.md D10).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// `SEPA` (EUR accounts: IBAN + BIC) or `ACH` (USD accounts: account + routing number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VibanRail {
    Sepa,
    Ach,
}

impl VibanRail {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sepa => "SEPA",
            Self::Ach => "ACH",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "SEPA" => Some(Self::Sepa),
            "ACH" => Some(Self::Ach),
            _ => None,
        }
    }
}

/// `IN_PROGRESS` exists upstream but is never produced (spec/NOTES.md D10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VibanState {
    Pending,
    Active,
    Rejected,
    Inactive,
}

impl VibanState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Active => "ACTIVE",
            Self::Rejected => "REJECTED",
            Self::Inactive => "INACTIVE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Viban {
    pub id: Uuid,
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub rail: VibanRail,
    pub state: VibanState,
    pub account_holder: String,
    /// IBAN for SEPA, account number for ACH.
    pub account_number: String,
    /// SEPA only.
    pub bic: Option<String>,
    /// ACH only.
    pub routing_number: Option<String>,
    pub bank_name: &'static str,
    pub payin_method_id: Uuid,
    pub rejection_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
