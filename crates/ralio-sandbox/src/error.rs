//! The one error type of the sandbox's HTTP API and its JSON body (spec/NOTES.md D3).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One offending input of a `VALIDATION_ERROR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// JSON path of the offending input, or the name of a path/query parameter.
    pub field: String,
    /// What is wrong with it, for people.
    pub description: String,
}

impl Violation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// An API failure: HTTP status, machine code, message and (for validation errors) violations.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub violations: Vec<Violation>,
    /// Seconds for a `Retry-After` header (429 and 503 only).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            violations: Vec::new(),
            retry_after: None,
        }
    }

    /// `400 VALIDATION_ERROR` for one field.
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::validation(vec![Violation::new(field, description)])
    }

    /// `400 VALIDATION_ERROR` for several fields; the message lists them all.
    pub fn validation(violations: Vec<Violation>) -> Self {
        let message = violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.description))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "VALIDATION_ERROR",
            message,
            violations,
            retry_after: None,
        }
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("{what} not found"),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// `422` with a domain code such as `INSUFFICIENT_FUNDS` or `INVALID_STATE`.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The JSON body, with the request id the response will carry.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        let mut body = serde_json::json!({
            "status": status_name(self.status),
            "code": self.status.as_u16(),
            "error": self.code,
            "message": self.message,
            "requestId": request_id,
        });
        if self.code == "VALIDATION_ERROR" {
            body["violations"] = serde_json::to_value(&self.violations).unwrap_or_default();
        }
        body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

/// `BAD_REQUEST`, `NOT_FOUND`, …: the reason phrase in SCREAMING_SNAKE case.
fn status_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("UNKNOWN")
        .to_ascii_uppercase()
        .replace([' ', '-'], "_")
}

/// The request id is filled in by the request-id middleware, which rewrites the body's
/// `requestId` (see `crate::request_id`); until then the error carries a placeholder.
pub const REQUEST_ID_PLACEHOLDER: &str = "";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body(REQUEST_ID_PLACEHOLDER);
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_names_fields() {
        let err = ApiError::invalid("amount.amount", "must be greater than zero");
        let body = err.body("req-1");
        assert_eq!(body["status"], "BAD_REQUEST");
        assert_eq!(body["code"], 400);
        assert_eq!(body["error"], "VALIDATION_ERROR");
        assert_eq!(body["requestId"], "req-1");
        assert_eq!(body["violations"][0]["field"], "amount.amount");
    }

    #[test]
    fn non_validation_body_has_no_violations() {
        let body = ApiError::not_found("account").body("r");
        assert_eq!(body["status"], "NOT_FOUND");
        assert!(body.get("violations").is_none());
    }
}
