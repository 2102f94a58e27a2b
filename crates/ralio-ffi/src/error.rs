//! The one error type of the bindings: the core's rich [`RalioError`] folded into the few cases a
//! foreign caller branches on (application-services' split), each keeping Ralio's machine `code`
//! so finer handling stays possible.
//!
//! The human text is in `reason`, not `message`: Kotlin exceptions already have a `message`
//! property, which uniffi derives from the fields. Nothing here carries a secret: Ralio's error
//! bodies never do (spec/NOTES.md D3), and the core's transport messages name only the URL.

use ralio_core::{RalioError, TimeoutKind, Violation};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum RalioFfiError {
    /// The input was refused (`400 VALIDATION_ERROR`, `413`), or not sent because it is invalid
    /// (`code` `INVALID_REQUEST`). `violations` name the offending fields.
    #[error("validation failed ({code}): {reason}")]
    Validation {
        code: String,
        reason: String,
        violations: Vec<Violation>,
        request_id: Option<String>,
    },
    /// The credentials or token were refused (401).
    #[error("unauthorized ({code}): {reason}")]
    Unauthorized {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// The caller may not touch this resource (403).
    #[error("permission denied ({code}): {reason}")]
    PermissionDenied {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// Unknown id or route (404).
    #[error("not found ({code}): {reason}")]
    NotFound {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// A unique value is taken (409).
    #[error("conflict ({code}): {reason}")]
    Conflict {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// A business rule refused the call (422: `INSUFFICIENT_FUNDS`, `INVALID_OTP`,
    /// `INVALID_STATE`, `KYC_REQUIRED`, …).
    #[error("failed precondition ({code}): {reason}")]
    FailedPrecondition {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// Too many requests (429); retry after `retry_after_secs` when given.
    #[error("rate limited ({code}): {reason}")]
    RateLimited {
        code: String,
        reason: String,
        retry_after_secs: Option<u64>,
        request_id: Option<String>,
    },
    /// RalioPay could not be reached or is down (502/503/504, connection errors); transient.
    #[error("unavailable ({code}): {reason}")]
    Unavailable {
        code: String,
        reason: String,
        retry_after_secs: Option<u64>,
        request_id: Option<String>,
    },
    /// The call ran out of time (`code` `ATTEMPT_TIMEOUT` or `DEADLINE_EXCEEDED`).
    #[error("timed out ({code}): {reason}")]
    Timeout {
        code: String,
        reason: String,
        request_id: Option<String>,
    },
    /// The operation is not offered on this connection (gateway mode does not carry every
    /// operation yet, and `login` has no meaning through the gateway), or a `*_blocking` method
    /// was called on a thread running an async runtime (`BLOCKING_CALL_IN_ASYNC_CONTEXT`).
    #[error("unsupported ({code}): {reason}")]
    Unsupported { code: String, reason: String },
    /// Anything else: a 500, another status, or a response that could not be decoded.
    #[error("internal error ({code}): {reason}")]
    Internal {
        code: String,
        reason: String,
        status: Option<u16>,
        request_id: Option<String>,
    },
}

impl From<RalioError> for RalioFfiError {
    fn from(error: RalioError) -> Self {
        match error {
            RalioError::Api(api) => {
                let retry_after_secs = api.retry_after.map(|delay| delay.as_secs());
                let (code, reason, request_id) = (api.code, api.message, api.request_id);
                match api.status {
                    400 | 413 => Self::Validation {
                        code,
                        reason,
                        violations: api.violations,
                        request_id,
                    },
                    401 => Self::Unauthorized {
                        code,
                        reason,
                        request_id,
                    },
                    403 => Self::PermissionDenied {
                        code,
                        reason,
                        request_id,
                    },
                    404 => Self::NotFound {
                        code,
                        reason,
                        request_id,
                    },
                    409 => Self::Conflict {
                        code,
                        reason,
                        request_id,
                    },
                    // A 422 that still carries violations is a validation failure in disguise.
                    422 if !api.violations.is_empty() => Self::Validation {
                        code,
                        reason,
                        violations: api.violations,
                        request_id,
                    },
                    422 => Self::FailedPrecondition {
                        code,
                        reason,
                        request_id,
                    },
                    429 => Self::RateLimited {
                        code,
                        reason,
                        retry_after_secs,
                        request_id,
                    },
                    502..=504 => Self::Unavailable {
                        code,
                        reason,
                        retry_after_secs,
                        request_id,
                    },
                    status => Self::Internal {
                        code,
                        reason,
                        status: Some(status),
                        request_id,
                    },
                }
            }
            RalioError::Transport {
                message,
                request_id,
                ..
            } => Self::Unavailable {
                code: "TRANSPORT".to_owned(),
                reason: message,
                retry_after_secs: None,
                request_id,
            },
            RalioError::Timeout {
                kind,
                elapsed,
                request_id,
            } => Self::Timeout {
                code: match kind {
                    TimeoutKind::Attempt => "ATTEMPT_TIMEOUT",
                    TimeoutKind::Deadline => "DEADLINE_EXCEEDED",
                }
                .to_owned(),
                reason: format!("timed out after {} ms", elapsed.as_millis()),
                request_id,
            },
            RalioError::Decode {
                status,
                message,
                request_id,
            } => Self::Internal {
                code: "DECODE".to_owned(),
                reason: message,
                status: Some(status),
                request_id,
            },
            RalioError::InvalidRequest(reason) => Self::Validation {
                code: "INVALID_REQUEST".to_owned(),
                reason,
                violations: Vec::new(),
                request_id: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ralio_core::ApiError;

    use super::*;

    fn api(status: u16, code: &str, violations: Vec<Violation>) -> RalioError {
        RalioError::Api(ApiError {
            status,
            code: code.to_owned(),
            message: "text".to_owned(),
            violations,
            retry_after: Some(Duration::from_secs(7)),
            request_id: Some("req-1".to_owned()),
        })
    }

    #[test]
    fn statuses_fold_into_the_documented_variants() {
        let violation = Violation {
            field: "amount.amount".into(),
            description: "must be greater than zero".into(),
        };
        match RalioFfiError::from(api(400, "VALIDATION_ERROR", vec![violation.clone()])) {
            RalioFfiError::Validation {
                code,
                violations,
                request_id,
                ..
            } => {
                assert_eq!(code, "VALIDATION_ERROR");
                assert_eq!(violations, vec![violation]);
                assert_eq!(request_id.as_deref(), Some("req-1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            RalioFfiError::from(api(422, "INSUFFICIENT_FUNDS", vec![])),
            RalioFfiError::FailedPrecondition { code, .. } if code == "INSUFFICIENT_FUNDS"
        ));
        assert!(matches!(
            RalioFfiError::from(api(429, "RATE_LIMITED", vec![])),
            RalioFfiError::RateLimited {
                retry_after_secs: Some(7),
                ..
            }
        ));
        assert!(matches!(
            RalioFfiError::from(api(404, "NOT_FOUND", vec![])),
            RalioFfiError::NotFound { .. }
        ));
        assert!(matches!(
            RalioFfiError::from(api(503, "UNAVAILABLE", vec![])),
            RalioFfiError::Unavailable { .. }
        ));
        assert!(matches!(
            RalioFfiError::from(api(500, "INTERNAL", vec![])),
            RalioFfiError::Internal {
                status: Some(500),
                ..
            }
        ));
        assert!(matches!(
            RalioFfiError::from(RalioError::Timeout {
                kind: TimeoutKind::Deadline,
                elapsed: Duration::from_millis(5),
                request_id: None
            }),
            RalioFfiError::Timeout { code, .. } if code == "DEADLINE_EXCEEDED"
        ));
    }
}
