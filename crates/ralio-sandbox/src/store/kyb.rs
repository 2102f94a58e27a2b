//! KYB sessions of business users and their documents (spec/NOTES.md D10).

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KybState {
    Created,
    Submitted,
    Approved,
    Rejected,
}

impl KybState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "CREATED",
            Self::Submitted => "SUBMITTED",
            Self::Approved => "APPROVED",
            Self::Rejected => "REJECTED",
        }
    }
}

/// An uploaded document; the sandbox keeps its metadata only, not the bytes.
#[derive(Debug, Clone)]
pub struct KybDocument {
    pub id: Uuid,
    pub category: String,
    pub kind: String,
    pub file_name: String,
    pub file_size: u64,
    pub mime_type: String,
    pub review_state: &'static str,
    pub rejection_reason: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct KybSession {
    pub id: Uuid,
    /// The numeric id of the webhook payload (`kybId`).
    pub kyb_id: i64,
    pub user_id: Uuid,
    pub state: KybState,
    pub documents: Vec<KybDocument>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
