//! Identity verification (IDV / KYC) sessions (`/api/v1/account/users/{uid}/identity-verifications`).
//!
//! Upstream mixes cases here (NOTES §8): the session itself is camelCase, while the list items,
//! checks and state history use snake_case `created_at`, `updated_at`, `session_id`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::common::Pagination;
use super::wire_enum::wire_enum;

wire_enum! {
    /// IDV session state (numeric codes 1..6 upstream).
    IdvSessionState {
        NotStarted = "NOT_STARTED",
        Started = "STARTED",
        Verified = "VERIFIED",
        Review = "REVIEW",
        Rejected = "REJECTED",
        Expired = "EXPIRED",
    }
}

/// State of one KYC check: `Validated` (1) or `Refused` (2). Older pages send the name, the newest
/// `kyc_session_failed` page the number; both are read, the name is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum KycCheckState {
    Validated,
    Refused,
    Unknown(String),
}

impl KycCheckState {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Validated => "Validated",
            Self::Refused => "Refused",
            Self::Unknown(other) => other,
        }
    }
}

impl Serialize for KycCheckState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for KycCheckState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => match text.as_str() {
                "Validated" | "VALIDATED" => Self::Validated,
                "Refused" | "REFUSED" => Self::Refused,
                _ => Self::Unknown(text),
            },
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(1) => Self::Validated,
                Some(2) => Self::Refused,
                _ => Self::Unknown(number.to_string()),
            },
            other => Self::Unknown(other.to_string()),
        })
    }
}

/// `flow` of an IDV session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvFlow {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tag: Option<String>,
}

/// An IDV session as returned by createIdvSession (camelCase).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(rename_all = "camelCase")]
pub struct IdvSession {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub data: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub flow: Option<IdvFlow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hosted_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub state: Option<IdvSessionState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
}

/// An IDV session inside the list: snake_case `created_at` / `updated_at`, the rest camelCase.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvSessionListItem {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub data: Option<serde_json::Value>,
    #[serde(rename = "expiresAt", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub flow: Option<IdvFlow>,
    #[serde(rename = "hostedUrl", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hosted_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub state: Option<IdvSessionState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
}

/// Response of listIdvSessions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvSessionList {
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sessions: Vec<IdvSessionListItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pagination: Option<Pagination>,
}

/// `mappedError` of a refused reason (newest revision only).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvMappedError {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason: Option<String>,
}

/// Why a check was refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvRefusedReason {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(rename = "mappedError", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub mapped_error: Option<IdvMappedError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub message: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reason_type: Option<String>,
}

/// One check of an IDV session (snake_case).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvCheck {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refused_reasons: Vec<IdvRefusedReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub state: Option<KycCheckState>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub check_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub updated_at: Option<String>,
}

/// Response of getIdvSessionChecks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvSessionChecks {
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub checks: Vec<IdvCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session_id: Option<String>,
}

/// One state change of an IDV session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvStateLog {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub new_state: Option<IdvSessionState>,
}

/// Response of getIdvSessionStateHistory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct IdvSessionStateHistory {
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub logs: Vec<IdvStateLog>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub session_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_items_use_snake_case_timestamps_and_camel_case_urls() {
        let raw = json!({
            "sessions": [{
                "id": "s-1", "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:01Z",
                "expiresAt": "2025-01-08T00:00:00Z", "hostedUrl": "https://verify.raliopay.com/session/abc123",
                "state": "NOT_STARTED", "type": "user"
            }],
            "pagination": {"next": null, "previous": null, "numPages": 1, "page": 1, "pageSize": 30, "total": 1}
        });
        let list: IdvSessionList = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(
            list.sessions[0].created_at.as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        assert_eq!(list.sessions[0].state, Some(IdvSessionState::NotStarted));
        assert_eq!(serde_json::to_value(&list).unwrap(), raw);
    }

    #[test]
    fn checks_and_history_use_snake_case_and_both_check_state_forms() {
        let raw = json!({
            "session_id": "s-1",
            "checks": [
                {"id": 1, "type": "document-verification", "state": "Validated", "created_at": "t", "updated_at": "t"},
                {"id": 2, "type": "face-matching", "state": 2, "refused_reasons": [{"code": "NO_MATCH", "id": 9, "message": "m", "type": "FACE"}]}
            ]
        });
        let checks: IdvSessionChecks = serde_json::from_value(raw).unwrap();
        assert_eq!(checks.session_id.as_deref(), Some("s-1"));
        assert_eq!(checks.checks[0].state, Some(KycCheckState::Validated));
        assert_eq!(checks.checks[1].state, Some(KycCheckState::Refused));
        assert_eq!(
            checks.checks[1].refused_reasons[0].code.as_deref(),
            Some("NO_MATCH")
        );

        let history: IdvSessionStateHistory = serde_json::from_value(json!({
            "session_id": "s-1", "logs": [{"id": 1, "created_at": "t", "new_state": "VERIFIED"}]
        }))
        .unwrap();
        assert_eq!(history.logs[0].new_state, Some(IdvSessionState::Verified));
    }
}
