//! The one error type of the client.
//!
//! No variant ever carries a secret: API errors hold what Ralio's error body says (D3, which
//! never contains secrets), transport errors hold reqwest's message (it names the URL, whose
//! path holds only ids; the token travels in a header and is never formatted).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One offending input of a `VALIDATION_ERROR` (spec/NOTES.md D3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Violation {
    /// JSON path of the input (`amount.amount`) or name of the path/query parameter.
    pub field: String,
    pub description: String,
}

/// The error body of every 4xx/5xx (D3). Every field is optional because upstream never showed
/// the schema; a body that is not this shape still yields an [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
}

/// A non-2xx answer from Ralio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Ralio's machine code (`error` field, e.g. `INSUFFICIENT_FUNDS`), or `HTTP_<status>` when the
    /// body did not carry one.
    pub code: String,
    pub message: String,
    pub violations: Vec<Violation>,
    /// From the `Retry-After` header (seconds form).
    pub retry_after: Option<Duration>,
    pub request_id: Option<String>,
}

/// What ran out when a call timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// One HTTP attempt exceeded the per-call timeout (may be retried).
    Attempt,
    /// The overall deadline of the call passed (never retried).
    Deadline,
}

/// Every way a call can fail.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RalioError {
    /// Ralio answered with a 4xx/5xx.
    #[error("RalioPay returned {} {}: {}", .0.status, .0.code, .0.message)]
    Api(ApiError),
    /// The request could not be sent or the response could not be read (connection refused,
    /// reset, TLS failure, …).
    #[error("transport error: {message}")]
    Transport {
        message: String,
        request_id: Option<String>,
        /// Whether the failure may have come after the request left this client. `false` only
        /// when no connection was made (refused, DNS, TLS handshake, connect timeout), so
        /// RalioPay certainly never saw the request; a reset or a broken response is `true`.
        request_sent: bool,
    },
    /// The call ran out of time.
    #[error("timed out ({kind:?}) after {elapsed:?}")]
    Timeout {
        kind: TimeoutKind,
        elapsed: Duration,
        request_id: Option<String>,
    },
    /// A 2xx response whose body is not the documented JSON.
    #[error("could not decode the {status} response: {message}")]
    Decode {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The call was not sent because its input or the configuration is invalid.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl RalioError {
    /// Whether the failure is transient (429, 500, 502, 503, 504, transport errors, attempt
    /// timeouts). The client only acts on it for reads and for writes with an idempotency key,
    /// and retries a 500 for reads only (a 500 after a write may mean it happened).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => matches!(api.status, 429 | 500 | 502 | 503 | 504),
            Self::Transport { .. } => true,
            Self::Timeout { kind, .. } => *kind == TimeoutKind::Attempt,
            Self::Decode { .. } | Self::InvalidRequest(_) => false,
        }
    }

    /// Whether a failed write may nevertheless have taken effect at RalioPay, which has no
    /// idempotency of its own: a 5xx (it may have failed after committing), a timeout, a transport
    /// failure after the request was sent, or a 2xx whose body could not be read. `false` means
    /// RalioPay certainly did not act: it refused the request (4xx), or it was never sent.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Api(api) => api.status >= 500,
            Self::Transport { request_sent, .. } => *request_sent,
            Self::Timeout { .. } | Self::Decode { .. } => true,
            Self::InvalidRequest(_) => false,
        }
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// Ralio's machine code (`VALIDATION_ERROR`, `TOKEN_EXPIRED`, …), for API errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api(api) => Some(&api.code),
            _ => None,
        }
    }

    /// The field violations of a `VALIDATION_ERROR` (empty otherwise).
    pub fn violations(&self) -> &[Violation] {
        match self {
            Self::Api(api) => &api.violations,
            _ => &[],
        }
    }

    /// How long Ralio asked us to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// The request id of the failed call, when known (echoed by Ralio or sent by us).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.request_id.as_deref(),
            Self::Transport { request_id, .. }
            | Self::Timeout { request_id, .. }
            | Self::Decode { request_id, .. } => request_id.as_deref(),
            Self::InvalidRequest(_) => None,
        }
    }

    /// Builds an [`ApiError`] from a status, its raw body and headers' values.
    pub(crate) fn from_response(
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
        header_request_id: Option<String>,
    ) -> Self {
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let message = parsed
            .message
            .unwrap_or_else(|| body_excerpt(body).unwrap_or_else(|| format!("HTTP {status}")));
        Self::Api(ApiError {
            status,
            code: parsed.error.unwrap_or_else(|| format!("HTTP_{status}")),
            message,
            violations: parsed.violations.unwrap_or_default(),
            retry_after,
            request_id: parsed.request_id.or(header_request_id),
        })
    }
}

/// A short, printable start of a non-JSON error body (proxies answer with HTML or text).
fn body_excerpt(body: &[u8]) -> Option<String> {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(text.chars().take(MAX).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d3_body_becomes_a_typed_error() {
        let body = br#"{"status":"BAD_REQUEST","code":400,"error":"VALIDATION_ERROR",
            "message":"amount.amount: must be greater than zero","requestId":"req-1",
            "violations":[{"field":"amount.amount","description":"must be greater than zero"}]}"#;
        let err = RalioError::from_response(400, body, None, Some("hdr".into()));
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.code(), Some("VALIDATION_ERROR"));
        assert_eq!(err.request_id(), Some("req-1"));
        assert_eq!(err.violations()[0].field, "amount.amount");
        assert!(!err.is_retryable());
        assert!(!err.outcome_unknown());
    }

    #[test]
    fn only_failures_that_may_follow_a_sent_request_leave_the_outcome_unknown() {
        let transport = |request_sent| RalioError::Transport {
            message: "x".into(),
            request_id: None,
            request_sent,
        };
        assert!(!transport(false).outcome_unknown());
        assert!(transport(true).outcome_unknown());
        for status in [500, 502, 503, 504] {
            assert!(RalioError::from_response(status, b"", None, None).outcome_unknown());
        }
        for status in [400, 404, 409, 422, 429] {
            assert!(!RalioError::from_response(status, b"", None, None).outcome_unknown());
        }
        let timeout = RalioError::Timeout {
            kind: TimeoutKind::Attempt,
            elapsed: Duration::from_secs(1),
            request_id: None,
        };
        assert!(timeout.outcome_unknown());
        assert!(!RalioError::InvalidRequest("x".into()).outcome_unknown());
    }

    #[test]
    fn non_json_body_still_gives_status_and_a_code() {
        let err = RalioError::from_response(
            503,
            b"<html>upstream down</html>",
            Some(Duration::from_secs(2)),
            Some("hdr".into()),
        );
        assert_eq!(err.code(), Some("HTTP_503"));
        assert_eq!(err.request_id(), Some("hdr"));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
        assert!(err.is_retryable());
        assert!(err.to_string().contains("upstream down"));
    }
}
