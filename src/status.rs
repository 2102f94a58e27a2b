//! The one mapping from errors to gRPC statuses with `google.rpc` details.
//!
//! Every status the gateway sends carries an `ErrorInfo` (reason = RalioPay's machine code or a
//! gateway code, domain = [`DOMAIN`], metadata = request id and HTTP status when there is one),
//! so clients branch on `reason` and never on the message. Upstream errors also carry a
//! `RequestInfo` with the request id that was sent to RalioPay, for support requests.

use std::collections::HashMap;
use std::time::Duration;

use ralio_core::{ApiError, RalioError, TimeoutKind};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::auth::Scope;

/// `ErrorInfo.domain` of every error.
pub const DOMAIN: &str = "raliopay.com";

/// `RetryInfo` delay suggested on a 429 that carried no `Retry-After`.
const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Gateway reasons (`ErrorInfo.reason`) for failures that have no RalioPay code.
pub mod reason {
    /// A request field failed the gateway's validation (same code as RalioPay's, so clients
    /// handle both alike).
    pub const VALIDATION_ERROR: &str = "VALIDATION_ERROR";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const MISSING_SCOPE: &str = "MISSING_SCOPE";
    pub const UPSTREAM_UNREACHABLE: &str = "UPSTREAM_UNREACHABLE";
    pub const UPSTREAM_TIMEOUT: &str = "UPSTREAM_TIMEOUT";
    pub const UPSTREAM_BAD_RESPONSE: &str = "UPSTREAM_BAD_RESPONSE";
    pub const UPSTREAM_CREDENTIALS: &str = "UPSTREAM_CREDENTIALS";
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
    pub const IDEMPOTENCY_OUTCOME_UNKNOWN: &str = "IDEMPOTENCY_OUTCOME_UNKNOWN";
    pub const INTERNAL: &str = "INTERNAL";
}

/// Maps a core-client error to the status the caller sees. `request_id` is the id of the gRPC
/// request (also sent to RalioPay as `X-Request-Id`).
///
/// Failures the caller cannot fix (our credentials rejected, an unreadable response) are logged
/// here, once, at warning/error level.
pub fn from_ralio(err: &RalioError, request_id: &str) -> Status {
    let mut status = map_ralio(err, request_id);
    if err.outcome_unknown() {
        status
            .metadata_mut()
            .insert(OUTCOME_METADATA, OUTCOME_UNKNOWN.parse().expect("ascii"));
    }
    status
}

/// Response metadata set on a failure after which RalioPay may nevertheless have acted (a 5xx,
/// a timeout, a connection lost after the request was sent): `ralio-outcome: unknown`.
pub const OUTCOME_METADATA: &str = "ralio-outcome";
const OUTCOME_UNKNOWN: &str = "unknown";

/// Whether `status` says the upstream call may have taken effect (see [`OUTCOME_METADATA`]).
pub fn is_outcome_unknown(status: &Status) -> bool {
    status
        .metadata()
        .get(OUTCOME_METADATA)
        .is_some_and(|value| value == OUTCOME_UNKNOWN)
}

/// What a repeat of an idempotency key gets when the first call's upstream outcome is unknown:
/// `ABORTED` (`IDEMPOTENCY_OUTCOME_UNKNOWN`). Repeating the call could move money twice, so the
/// key stays taken; `detail` says why the outcome is unknown.
pub fn idempotency_outcome_unknown(detail: &str) -> Status {
    gateway_error(
        Code::Aborted,
        reason::IDEMPOTENCY_OUTCOME_UNKNOWN,
        &format!(
            "{detail}; the request may or may not have taken effect at RalioPay. Check the \
             resource (e.g. the order by its reference) before using a new idempotency key"
        ),
    )
}

fn map_ralio(err: &RalioError, request_id: &str) -> Status {
    match err {
        RalioError::Api(api) => from_api_error(api, request_id),
        RalioError::Transport { message, .. } => {
            tracing::warn!(error = %message, "RalioPay unreachable");
            build(
                Code::Unavailable,
                "RalioPay is unreachable; retry later",
                Details::new(reason::UPSTREAM_UNREACHABLE, request_id),
            )
        }
        RalioError::Timeout { kind, elapsed, .. } => {
            let what = match kind {
                TimeoutKind::Attempt => "RalioPay did not answer in time",
                TimeoutKind::Deadline => "the call's deadline passed while waiting for RalioPay",
            };
            tracing::info!(?kind, ?elapsed, "upstream timeout");
            build(
                Code::DeadlineExceeded,
                what,
                Details::new(reason::UPSTREAM_TIMEOUT, request_id),
            )
        }
        RalioError::Decode {
            status, message, ..
        } => {
            tracing::error!(http_status = status, error = %message, "unreadable RalioPay response");
            build(
                Code::Internal,
                "RalioPay's response could not be read; the operation may have taken effect",
                Details::new(reason::UPSTREAM_BAD_RESPONSE, request_id).http_status(*status),
            )
        }
        RalioError::InvalidRequest(message) => build(
            Code::InvalidArgument,
            message,
            Details::new(reason::INVALID_REQUEST, request_id),
        ),
    }
}

fn from_api_error(api: &ApiError, request_id: &str) -> Status {
    let mut details = Details::new(&api.code, request_id).http_status(api.status);
    if let Some(upstream_id) = api.request_id.as_deref().filter(|id| *id != request_id) {
        details = details.meta("upstream_request_id", upstream_id);
    }
    let message = api.message.as_str();
    match api.status {
        400 | 413 => {
            let violations = api
                .violations
                .iter()
                .map(|v| FieldViolation::new(&v.field, &v.description))
                .collect();
            build(
                Code::InvalidArgument,
                message,
                details.bad_request(violations),
            )
        }
        401 => {
            // The client already re-logged in once: our api_code/api_key are wrong or revoked.
            // The caller cannot fix that, so they get a generic message and operators a log.
            tracing::error!(
                ralio_code = %api.code,
                "RalioPay rejected the gateway's credentials after a re-login; check api_code/api_key"
            );
            build(
                Code::PermissionDenied,
                "the gateway's RalioPay credentials were rejected",
                Details {
                    reason: reason::UPSTREAM_CREDENTIALS.to_owned(),
                    ..details
                },
            )
        }
        403 => {
            tracing::warn!(ralio_code = %api.code, "RalioPay refused access: {message}");
            build(Code::PermissionDenied, message, details)
        }
        404 => build(Code::NotFound, message, details),
        408 => build(Code::DeadlineExceeded, message, details),
        // spec/NOTES.md D3: CONFLICT means a unique value is taken; any other 409 is a
        // concurrent modification the caller may retry.
        409 if api.code == "CONFLICT" => build(Code::AlreadyExists, message, details),
        409 => build(Code::Aborted, message, details),
        422 => {
            let violation = (api.code.clone(), message.to_owned());
            build(
                Code::FailedPrecondition,
                message,
                details.precondition(violation),
            )
        }
        429 => build(
            Code::ResourceExhausted,
            message,
            details.retry_after(api.retry_after.or(Some(DEFAULT_RETRY_DELAY))),
        ),
        501 => build(Code::Unimplemented, message, details),
        500..=599 => {
            tracing::warn!(http_status = api.status, ralio_code = %api.code, "RalioPay failed: {message}");
            build(
                Code::Unavailable,
                message,
                details.retry_after(api.retry_after),
            )
        }
        other => {
            tracing::error!(http_status = other, ralio_code = %api.code, "unexpected RalioPay status: {message}");
            build(Code::Internal, message, details)
        }
    }
}

/// A gateway-side validation failure: `INVALID_ARGUMENT` with a `BadRequest` naming each
/// offending proto field (`user.email`, `amount.currency`).
pub fn invalid_argument<F, D>(violations: impl IntoIterator<Item = (F, D)>) -> Status
where
    F: Into<String>,
    D: Into<String>,
{
    let violations: Vec<FieldViolation> = violations
        .into_iter()
        .map(|(field, description)| FieldViolation::new(field, description))
        .collect();
    let message = match violations.as_slice() {
        [one] => format!("{}: {}", one.field, one.description),
        many => format!("{} invalid fields", many.len()),
    };
    build(
        Code::InvalidArgument,
        &message,
        Details::gateway(reason::VALIDATION_ERROR).bad_request(violations),
    )
}

/// No or unknown bearer token.
pub fn unauthenticated(message: &str) -> Status {
    build(
        Code::Unauthenticated,
        message,
        Details::gateway(reason::UNAUTHENTICATED),
    )
}

/// The caller's token lacks `scope`.
pub fn missing_scope(scope: Scope) -> Status {
    build(
        Code::PermissionDenied,
        &format!("this call needs the `{scope}` scope"),
        Details::gateway(reason::MISSING_SCOPE).meta("scope", scope.as_str()),
    )
}

/// A gateway-side failure that is neither the caller's nor RalioPay's fault. `message` must be
/// fit for the caller; put the detail in a log line.
pub fn internal(message: &str) -> Status {
    build(Code::Internal, message, Details::gateway(reason::INTERNAL))
}

/// A status with an `ErrorInfo` of the given reason and code (used by the idempotency layer
/// for its own refusals).
pub fn gateway_error(code: Code, reason: &str, message: &str) -> Status {
    build(code, message, Details::gateway(reason))
}

/// Whether a caller may retry the same request after this status and expect a different
/// outcome: the idempotency layer forgets such failures instead of replaying them.
pub fn is_transient(code: Code) -> bool {
    matches!(
        code,
        Code::Unavailable | Code::ResourceExhausted | Code::DeadlineExceeded | Code::Cancelled
    )
}

/// The details every status carries, collected before they are encoded.
struct Details {
    reason: String,
    request_id: Option<String>,
    metadata: HashMap<String, String>,
    violations: Vec<FieldViolation>,
    precondition: Option<(String, String)>,
    retry_after: Option<Duration>,
}

impl Details {
    fn new(reason: &str, request_id: &str) -> Self {
        let mut details = Self::gateway(reason);
        details.request_id = Some(request_id.to_owned());
        details.meta("request_id", request_id)
    }

    /// Details of a failure found by the gateway itself (the request id travels in the
    /// `x-request-id` response metadata).
    fn gateway(reason: &str) -> Self {
        Self {
            reason: reason.to_owned(),
            request_id: None,
            metadata: HashMap::new(),
            violations: Vec::new(),
            precondition: None,
            retry_after: None,
        }
    }

    fn meta(mut self, key: &str, value: &str) -> Self {
        self.metadata.insert(key.to_owned(), value.to_owned());
        self
    }

    fn http_status(self, status: u16) -> Self {
        self.meta("http_status", &status.to_string())
    }

    fn bad_request(mut self, violations: Vec<FieldViolation>) -> Self {
        self.violations = violations;
        self
    }

    fn precondition(mut self, violation: (String, String)) -> Self {
        self.precondition = Some(violation);
        self
    }

    fn retry_after(mut self, delay: Option<Duration>) -> Self {
        self.retry_after = delay;
        self
    }
}

fn build(code: Code, message: &str, details: Details) -> Status {
    let mut rich = ErrorDetails::with_error_info(details.reason.clone(), DOMAIN, details.metadata);
    if let Some(request_id) = details.request_id {
        rich.set_request_info(request_id, "");
    }
    if !details.violations.is_empty() {
        rich.set_bad_request(details.violations);
    }
    if let Some((kind, description)) = details.precondition {
        rich.add_precondition_failure_violation(kind, "", description);
    }
    if let Some(delay) = details.retry_after {
        rich.set_retry_info(Some(delay));
    }
    Status::with_error_details(code, message, rich)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ralio_core::Violation;

    const RID: &str = "req-42";

    fn api(status: u16, code: &str) -> RalioError {
        RalioError::Api(ApiError {
            status,
            code: code.into(),
            message: format!("{code} happened"),
            violations: Vec::new(),
            retry_after: None,
            request_id: Some(RID.into()),
        })
    }

    fn assert_error_info(status: &Status, reason: &str, http_status: Option<&str>) {
        let info = status.get_details_error_info().expect("ErrorInfo");
        assert_eq!(info.reason, reason);
        assert_eq!(info.domain, DOMAIN);
        assert_eq!(
            info.metadata.get("request_id").map(String::as_str),
            Some(RID)
        );
        assert_eq!(
            info.metadata.get("http_status").map(String::as_str),
            http_status
        );
        let request_info = status.get_details_request_info().expect("RequestInfo");
        assert_eq!(request_info.request_id, RID);
    }

    #[test]
    fn validation_error_becomes_invalid_argument_with_field_violations() {
        let err = RalioError::Api(ApiError {
            status: 400,
            code: "VALIDATION_ERROR".into(),
            message: "amount.amount: must be greater than zero".into(),
            violations: vec![Violation {
                field: "amount.amount".into(),
                description: "must be greater than zero".into(),
            }],
            retry_after: None,
            request_id: Some(RID.into()),
        });
        let status = from_ralio(&err, RID);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "amount.amount: must be greater than zero");
        let bad = status.get_details_bad_request().expect("BadRequest");
        assert_eq!(bad.field_violations.len(), 1);
        assert_eq!(bad.field_violations[0].field, "amount.amount");
        assert_eq!(
            bad.field_violations[0].description,
            "must be greater than zero"
        );
        assert_error_info(&status, "VALIDATION_ERROR", Some("400"));
    }

    #[test]
    fn rejected_credentials_become_permission_denied_without_upstream_detail() {
        let status = from_ralio(&api(401, "INVALID_CREDENTIALS"), RID);
        assert_eq!(status.code(), Code::PermissionDenied);
        assert!(!status.message().contains("INVALID_CREDENTIALS happened"));
        assert_error_info(&status, reason::UPSTREAM_CREDENTIALS, Some("401"));

        let status = from_ralio(&api(403, "FORBIDDEN"), RID);
        assert_eq!(status.code(), Code::PermissionDenied);
        assert_error_info(&status, "FORBIDDEN", Some("403"));
    }

    #[test]
    fn not_found_conflict_and_state_errors() {
        let status = from_ralio(&api(404, "NOT_FOUND"), RID);
        assert_eq!(status.code(), Code::NotFound);
        assert_error_info(&status, "NOT_FOUND", Some("404"));

        let status = from_ralio(&api(409, "CONFLICT"), RID);
        assert_eq!(status.code(), Code::AlreadyExists);
        assert_error_info(&status, "CONFLICT", Some("409"));
        assert_eq!(
            from_ralio(&api(409, "VERSION_MISMATCH"), RID).code(),
            Code::Aborted
        );

        let status = from_ralio(&api(422, "INSUFFICIENT_FUNDS"), RID);
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert_error_info(&status, "INSUFFICIENT_FUNDS", Some("422"));
        let failure = status
            .get_details_precondition_failure()
            .expect("PreconditionFailure");
        assert_eq!(failure.violations[0].r#type, "INSUFFICIENT_FUNDS");
        assert_eq!(
            failure.violations[0].description,
            "INSUFFICIENT_FUNDS happened"
        );
    }

    #[test]
    fn rate_limit_carries_retry_info() {
        let mut err = api(429, "RATE_LIMITED");
        if let RalioError::Api(api) = &mut err {
            api.retry_after = Some(Duration::from_secs(7));
        }
        let status = from_ralio(&err, RID);
        assert_eq!(status.code(), Code::ResourceExhausted);
        let retry = status.get_details_retry_info().expect("RetryInfo");
        assert_eq!(retry.retry_delay, Some(Duration::from_secs(7)));
        assert_error_info(&status, "RATE_LIMITED", Some("429"));

        // Without Retry-After a default hint is still given.
        let status = from_ralio(&api(429, "RATE_LIMITED"), RID);
        assert_eq!(
            status.get_details_retry_info().unwrap().retry_delay,
            Some(DEFAULT_RETRY_DELAY)
        );
    }

    #[test]
    fn server_errors_and_transport_failures_are_unavailable() {
        for http in [500, 502, 503, 504] {
            let status = from_ralio(&api(http, "INTERNAL"), RID);
            assert_eq!(status.code(), Code::Unavailable, "{http}");
            assert_error_info(&status, "INTERNAL", Some(&http.to_string()));
        }
        let err = RalioError::Transport {
            message: "connection refused to http://10.0.0.1".into(),
            request_id: Some(RID.into()),
            request_sent: false,
        };
        let status = from_ralio(&err, RID);
        assert_eq!(status.code(), Code::Unavailable);
        // The upstream address is for operators, not callers.
        assert!(!status.message().contains("10.0.0.1"));
        assert_error_info(&status, reason::UPSTREAM_UNREACHABLE, None);
    }

    #[test]
    fn timeouts_are_deadline_exceeded() {
        for kind in [TimeoutKind::Attempt, TimeoutKind::Deadline] {
            let err = RalioError::Timeout {
                kind,
                elapsed: Duration::from_millis(10),
                request_id: None,
            };
            let status = from_ralio(&err, RID);
            assert_eq!(status.code(), Code::DeadlineExceeded);
            assert_error_info(&status, reason::UPSTREAM_TIMEOUT, None);
        }
    }

    #[test]
    fn decode_and_invalid_request() {
        let err = RalioError::Decode {
            status: 200,
            message: "missing field id".into(),
            request_id: None,
        };
        let status = from_ralio(&err, RID);
        assert_eq!(status.code(), Code::Internal);
        assert_error_info(&status, reason::UPSTREAM_BAD_RESPONSE, Some("200"));

        let status = from_ralio(&RalioError::InvalidRequest("bad id".into()), RID);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_error_info(&status, reason::INVALID_REQUEST, None);
    }

    #[test]
    fn a_different_upstream_request_id_is_kept_in_metadata() {
        let mut err = api(404, "NOT_FOUND");
        if let RalioError::Api(api) = &mut err {
            api.request_id = Some("upstream-7".into());
        }
        let status = from_ralio(&err, RID);
        let info = status.get_details_error_info().unwrap();
        assert_eq!(
            info.metadata.get("upstream_request_id").unwrap(),
            "upstream-7"
        );
    }

    #[test]
    fn gateway_validation_helper_names_each_field() {
        let status = invalid_argument([
            ("user.email", "required"),
            ("amount.value", "must be positive"),
        ]);
        assert_eq!(status.code(), Code::InvalidArgument);
        let bad = status.get_details_bad_request().unwrap();
        let fields: Vec<_> = bad
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["user.email", "amount.value"]);
        let info = status.get_details_error_info().unwrap();
        assert_eq!(info.reason, reason::VALIDATION_ERROR);
        assert_eq!(info.domain, DOMAIN);

        let one = invalid_argument([("user.email", "required")]);
        assert_eq!(one.message(), "user.email: required");
    }

    #[test]
    fn scope_and_auth_helpers() {
        let status = missing_scope(Scope::MoneyMove);
        assert_eq!(status.code(), Code::PermissionDenied);
        let info = status.get_details_error_info().unwrap();
        assert_eq!(info.reason, reason::MISSING_SCOPE);
        assert_eq!(info.metadata.get("scope").unwrap(), "money:move");
        assert_eq!(unauthenticated("no").code(), Code::Unauthenticated);
    }

    #[test]
    fn transient_codes() {
        assert!(is_transient(Code::Unavailable));
        assert!(is_transient(Code::ResourceExhausted));
        assert!(!is_transient(Code::InvalidArgument));
        assert!(!is_transient(Code::FailedPrecondition));
        assert!(!is_transient(Code::Internal));
    }
}
