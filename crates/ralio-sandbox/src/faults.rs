//! Fault injection for the sandbox's `/api/v1` routes (spec/NOTES.md D21): added latency,
//! injected error responses and dropped connections, configured through `/sandbox/v1/faults`.

use crate::error::{ApiError, ApiResult, Violation};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use globset::{GlobBuilder, GlobMatcher};
use parking_lot::RwLock;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Upper bound of `latencyMs`: ten minutes is more than any client timeout worth testing.
const MAX_LATENCY_MS: u64 = 600_000;

/// Paths a rule without `route` applies to.
const API_PREFIX: &str = "/api/v1/";

/// One fault rule, as configured and as shown back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// Glob over the request path (`*` stays within one segment, `**` crosses segments);
    /// `None`: every `/api/v1` route.
    pub route: Option<String>,
    /// Upper-case HTTP method; `None`: every method.
    pub method: Option<String>,
    /// Delay added before the request is handled (or failed).
    pub latency_ms: u64,
    /// Probability in `0.0..=1.0` that a matching request fails. A probability, not money:
    /// the one float the sandbox accepts.
    pub error_rate: f64,
    /// The status of an injected error response (4xx or 5xx).
    pub error_status: u16,
    /// Fail by closing the connection without any HTTP response instead.
    pub drop_connection: bool,
}

/// A rule ready to match requests.
#[derive(Debug, Clone)]
struct CompiledRule {
    rule: FaultRule,
    route: Option<GlobMatcher>,
    method: Option<Method>,
}

impl CompiledRule {
    fn matches(&self, method: &Method, path: &str) -> bool {
        let route_matches = match &self.route {
            Some(glob) => glob.is_match(path),
            None => path.starts_with(API_PREFIX),
        };
        route_matches && self.method.as_ref().is_none_or(|m| m == method)
    }
}

/// The shared rule set; cheap to clone, all clones see the same rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<RwLock<Vec<CompiledRule>>>,
}

impl Faults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the rule set. Validates every rule first; on error nothing changes.
    pub fn set(&self, rules: Vec<FaultRule>) -> ApiResult<()> {
        let compiled = rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| compile(rule).map_err(|v| ApiError::validation(vec![v.at(i)])))
            .collect::<ApiResult<Vec<_>>>()?;
        *self.rules.write() = compiled;
        Ok(())
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.write().clear();
    }

    /// The current rules, in matching order.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.read().iter().map(|c| c.rule.clone()).collect()
    }

    /// The first rule that matches the request. Control routes are never faulted, so a rule
    /// cannot lock the operator out of removing it.
    fn matching(&self, method: &Method, path: &str) -> Option<FaultRule> {
        if path.starts_with("/sandbox/") {
            return None;
        }
        self.rules
            .read()
            .iter()
            .find(|c| c.matches(method, path))
            .map(|c| c.rule.clone())
    }
}

/// Middleware for `axum::middleware::from_fn_with_state(faults, faults::layer)`: applies the
/// first matching rule's latency, then fails the request with its probability.
pub async fn layer(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    let Some(rule) = faults.matching(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    if rule.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(rule.latency_ms)).await;
    }
    // `random()` is in `[0, 1)`: a rate of 1.0 always fails and 0.0 never does.
    if rule.error_rate > 0.0 && rand::random::<f64>() < rule.error_rate {
        return if rule.drop_connection {
            dropped_connection()
        } else {
            injected_error(rule.error_status).into_response()
        };
    }
    next.run(req).await
}

/// A response whose body fails before its first byte. hyper then aborts the connection
/// without writing a response head, so the client sees a closed connection, as with a
/// crashed upstream. Anything that buffers response bodies must sit inside this layer.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The D3 error for an injected status (spec/NOTES.md D3); 429 and 503 say when to retry.
fn injected_error(status: u16) -> ApiError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = match status.as_u16() {
        400 => "VALIDATION_ERROR",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        409 => "CONFLICT",
        413 => "PAYLOAD_TOO_LARGE",
        422 => "INVALID_STATE",
        429 => "RATE_LIMITED",
        503 => "UNAVAILABLE",
        _ => "INTERNAL",
    };
    let error = ApiError::new(status, code, "fault injected by the sandbox");
    if matches!(status.as_u16(), 429 | 503) {
        error.with_retry_after(1)
    } else {
        error
    }
}

/// `PUT|GET|DELETE /sandbox/v1/faults`; merge into the sandbox's router.
pub fn router<S: Clone + Send + Sync + 'static>(faults: Faults) -> Router<S> {
    Router::new()
        .route(
            "/sandbox/v1/faults",
            get(get_rules).put(put_rules).delete(delete_rules),
        )
        .with_state(faults)
}

async fn get_rules(State(faults): State<Faults>) -> Json<Value> {
    Json(json!({ "rules": faults.rules() }))
}

async fn put_rules(State(faults): State<Faults>, body: Bytes) -> ApiResult<Json<Value>> {
    faults.set(parse_rules(&body)?)?;
    Ok(Json(json!({ "rules": faults.rules() })))
}

async fn delete_rules(State(faults): State<Faults>) -> StatusCode {
    faults.clear();
    StatusCode::NO_CONTENT
}

/// A violation whose field may still need the array index of its rule.
struct RuleViolation {
    field: &'static str,
    description: String,
}

impl RuleViolation {
    fn new(field: &'static str, description: impl Into<String>) -> Self {
        Self {
            field,
            description: description.into(),
        }
    }

    /// Names the field inside rule `index` of an array body.
    fn at(self, index: usize) -> Violation {
        Violation::new(format!("[{index}].{}", self.field), self.description)
    }

    fn top_level(self) -> Violation {
        Violation::new(self.field, self.description)
    }
}

/// Reads one rule object or an array of them.
fn parse_rules(body: &[u8]) -> ApiResult<Vec<FaultRule>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| ApiError::invalid("body", format!("malformed JSON: {err}")))?;
    match value {
        Value::Object(object) => parse_rule(&object).map(|rule| vec![rule]).map_err(|v| {
            ApiError::validation(v.into_iter().map(RuleViolation::top_level).collect())
        }),
        Value::Array(items) => {
            let mut rules = Vec::with_capacity(items.len());
            let mut violations = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_object().map(parse_rule) {
                    Some(Ok(rule)) => rules.push(rule),
                    Some(Err(errs)) => violations.extend(errs.into_iter().map(|v| v.at(i))),
                    None => violations.push(Violation::new(format!("[{i}]"), "must be an object")),
                }
            }
            if violations.is_empty() {
                Ok(rules)
            } else {
                Err(ApiError::validation(violations))
            }
        }
        _ => Err(ApiError::invalid(
            "body",
            "must be a rule object or an array of them",
        )),
    }
}

/// Reads one rule, collecting every violation. `errorRate` defaults to 1.0 when the rule asks
/// for a failure (`errorStatus` or `dropConnection`) and to 0.0 otherwise (latency only).
fn parse_rule(object: &Map<String, Value>) -> Result<FaultRule, Vec<RuleViolation>> {
    let mut violations = Vec::new();
    let field = |name: &str| object.get(name).filter(|v| !v.is_null());

    let route = match field("route") {
        None => None,
        Some(Value::String(route)) => Some(route.clone()),
        Some(_) => {
            violations.push(RuleViolation::new("route", "must be a string"));
            None
        }
    };
    let method = match field("method") {
        None => None,
        Some(Value::String(method)) => Some(method.to_ascii_uppercase()),
        Some(_) => {
            violations.push(RuleViolation::new("method", "must be a string"));
            None
        }
    };
    let latency_ms = match field("latencyMs") {
        None => 0,
        Some(value) => match value.as_u64().filter(|ms| *ms <= MAX_LATENCY_MS) {
            Some(ms) => ms,
            None => {
                violations.push(RuleViolation::new(
                    "latencyMs",
                    format!("must be an integer from 0 to {MAX_LATENCY_MS}"),
                ));
                0
            }
        },
    };
    let error_status = match field("errorStatus") {
        None => None,
        Some(value) => match value.as_u64().filter(|s| (400..=599).contains(s)) {
            Some(status) => u16::try_from(status).ok(),
            None => {
                violations.push(RuleViolation::new(
                    "errorStatus",
                    "must be an HTTP status from 400 to 599",
                ));
                None
            }
        },
    };
    let drop_connection = match field("dropConnection") {
        None => false,
        Some(Value::Bool(drop)) => *drop,
        Some(_) => {
            violations.push(RuleViolation::new("dropConnection", "must be a boolean"));
            false
        }
    };
    let error_rate = match field("errorRate") {
        None if error_status.is_some() || drop_connection => 1.0,
        None => 0.0,
        Some(value) => match value.as_f64().filter(|r| (0.0..=1.0).contains(r)) {
            Some(rate) => rate,
            None => {
                violations.push(RuleViolation::new(
                    "errorRate",
                    "must be a number from 0.0 to 1.0",
                ));
                0.0
            }
        },
    };
    let rule = FaultRule {
        route,
        method,
        latency_ms,
        error_rate,
        error_status: error_status.unwrap_or(500),
        drop_connection,
    };
    // Glob and method syntax are checked by compiling, so `Faults::set` and the route agree.
    if let Err(violation) = compile(rule.clone()) {
        violations.push(violation);
    }
    if violations.is_empty() {
        Ok(rule)
    } else {
        Err(violations)
    }
}

fn compile(rule: FaultRule) -> Result<CompiledRule, RuleViolation> {
    let route = match &rule.route {
        None => None,
        Some(route) if !route.starts_with('/') => {
            return Err(RuleViolation::new("route", "must start with /"));
        }
        Some(route) => Some(
            GlobBuilder::new(route)
                .literal_separator(true)
                .build()
                .map_err(|err| {
                    RuleViolation::new("route", format!("invalid glob: {}", err.kind()))
                })?
                .compile_matcher(),
        ),
    };
    let method = match &rule.method {
        None => None,
        Some(method) => Some(
            Method::from_bytes(method.as_bytes())
                .map_err(|_| RuleViolation::new("method", "must be an HTTP method"))?,
        ),
    };
    if !(0.0..=1.0).contains(&rule.error_rate) {
        return Err(RuleViolation::new(
            "errorRate",
            "must be a number from 0.0 to 1.0",
        ));
    }
    if !(400..=599).contains(&rule.error_status) {
        return Err(RuleViolation::new(
            "errorStatus",
            "must be an HTTP status from 400 to 599",
        ));
    }
    Ok(CompiledRule {
        rule,
        route,
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.violations.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn defaults_depend_on_what_the_rule_asks_for() {
        let latency = parse_rules(br#"{"latencyMs": 50}"#).unwrap();
        assert_eq!(latency[0].error_rate, 0.0);
        assert_eq!(latency[0].error_status, 500);
        let failing = parse_rules(br#"{"errorStatus": 503}"#).unwrap();
        assert_eq!(failing[0].error_rate, 1.0);
        let dropping = parse_rules(br#"[{"dropConnection": true, "method": "post"}]"#).unwrap();
        assert_eq!(dropping[0].error_rate, 1.0);
        assert_eq!(dropping[0].method.as_deref(), Some("POST"));
    }

    #[test]
    fn names_bad_fields() {
        let err =
            parse_rules(br#"{"route":"/api/[","errorRate":1.5,"errorStatus":302,"latencyMs":-1}"#)
                .unwrap_err();
        assert_eq!(
            fields(err),
            ["latencyMs", "errorStatus", "errorRate", "route"]
        );
        let err = parse_rules(br#"[{}, {"route": "api/v1"}, 3]"#).unwrap_err();
        assert_eq!(fields(err), ["[1].route", "[2]"]);
        assert_eq!(fields(parse_rules(b"3").unwrap_err()), ["body"]);
    }

    #[test]
    fn globs_stay_within_segments() {
        let faults = Faults::new();
        faults
            .set(parse_rules(br#"{"route": "/api/v1/account/*", "method": "GET"}"#).unwrap())
            .unwrap();
        assert!(faults.matching(&Method::GET, "/api/v1/account/x").is_some());
        assert!(
            faults
                .matching(&Method::POST, "/api/v1/account/x")
                .is_none()
        );
        assert!(
            faults
                .matching(&Method::GET, "/api/v1/account/x/y")
                .is_none()
        );
        assert!(faults.matching(&Method::GET, "/api/v1/users").is_none());

        faults.set(parse_rules(b"{}").unwrap()).unwrap();
        assert!(
            faults
                .matching(&Method::GET, "/api/v1/users/1/accounts")
                .is_some()
        );
        assert!(
            faults
                .matching(&Method::GET, "/sandbox/v1/faults")
                .is_none()
        );
        assert!(faults.matching(&Method::GET, "/health").is_none());
    }
}
