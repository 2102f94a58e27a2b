//! The webhook control routes of the sandbox (spec/NOTES.md D13, D21).

use super::dispatcher::{RedeliverError, WebhookDispatcher};
use super::endpoint::{WebhookEndpoint, WebhookSecret};
use super::event::EventType;
use crate::error::{ApiError, ApiResult, Violation};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};
use uuid::Uuid;

/// `PUT|GET|DELETE /sandbox/v1/webhook`, `GET /sandbox/v1/webhook/deliveries`,
/// `POST /sandbox/v1/webhook/redeliver/{eventId}`; merge into the sandbox's router.
pub fn router<S: Clone + Send + Sync + 'static>(dispatcher: WebhookDispatcher) -> Router<S> {
    Router::new()
        .route(
            "/sandbox/v1/webhook",
            get(get_config).put(put_config).delete(delete_config),
        )
        .route("/sandbox/v1/webhook/deliveries", get(list_deliveries))
        .route("/sandbox/v1/webhook/redeliver/{eventId}", post(redeliver))
        .with_state(dispatcher)
}

async fn put_config(
    State(dispatcher): State<WebhookDispatcher>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let endpoint = parse_endpoint(&body)?;
    let view = redacted(&endpoint);
    dispatcher.configure(endpoint);
    Ok(Json(view))
}

async fn get_config(State(dispatcher): State<WebhookDispatcher>) -> ApiResult<Json<Value>> {
    let endpoint = dispatcher
        .endpoint()
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    Ok(Json(redacted(&endpoint)))
}

async fn delete_config(State(dispatcher): State<WebhookDispatcher>) -> StatusCode {
    dispatcher.clear();
    StatusCode::NO_CONTENT
}

async fn list_deliveries(State(dispatcher): State<WebhookDispatcher>) -> Json<Value> {
    Json(json!({ "deliveries": dispatcher.deliveries() }))
}

async fn redeliver(
    State(dispatcher): State<WebhookDispatcher>,
    Path(event_id): Path<String>,
) -> ApiResult<Response> {
    let event_id =
        Uuid::parse_str(&event_id).map_err(|_| ApiError::invalid("eventId", "must be a UUID"))?;
    match dispatcher.redeliver(event_id) {
        Ok(()) => Ok((StatusCode::ACCEPTED, Json(json!({ "eventId": event_id }))).into_response()),
        Err(RedeliverError::UnknownEvent(_)) => {
            Err(ApiError::not_found(format!("event {event_id}")))
        }
        Err(err @ RedeliverError::NoEndpoint) => {
            Err(ApiError::unprocessable("INVALID_STATE", err.to_string()))
        }
    }
}

/// The configuration as shown to clients: the secret is never echoed.
fn redacted(endpoint: &WebhookEndpoint) -> Value {
    json!({
        "url": endpoint.url,
        "secret": "***",
        "events": endpoint.events,
    })
}

/// Reads and validates `{"url", "secret", "events"?}`, naming every offending field.
fn parse_endpoint(body: &[u8]) -> ApiResult<WebhookEndpoint> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| ApiError::invalid("body", format!("malformed JSON: {err}")))?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    };
    let mut violations = Vec::new();

    let url = match object.get("url") {
        None | Some(Value::Null) => {
            violations.push(Violation::new("url", "is required"));
            None
        }
        Some(Value::String(url)) => match check_url(url) {
            Ok(()) => Some(url.clone()),
            Err(description) => {
                violations.push(Violation::new("url", description));
                None
            }
        },
        Some(_) => {
            violations.push(Violation::new("url", "must be a string"));
            None
        }
    };

    let secret = match object.get("secret") {
        None | Some(Value::Null) => {
            violations.push(Violation::new("secret", "is required"));
            None
        }
        Some(Value::String(secret)) if secret.is_empty() => {
            violations.push(Violation::new("secret", "must not be empty"));
            None
        }
        Some(Value::String(secret)) => Some(WebhookSecret::new(secret.clone())),
        Some(_) => {
            violations.push(Violation::new("secret", "must be a string"));
            None
        }
    };

    let events = match object.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(names)) if names.is_empty() => {
            violations.push(Violation::new(
                "events",
                "must not be empty; omit it to receive every event",
            ));
            None
        }
        Some(Value::Array(names)) => {
            let mut events = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                match name.as_str().map(str::parse::<EventType>) {
                    Some(Ok(event)) => {
                        if !events.contains(&event) {
                            events.push(event);
                        }
                    }
                    Some(Err(err)) => {
                        violations.push(Violation::new(format!("events[{i}]"), err.to_string()))
                    }
                    None => violations.push(Violation::new(
                        format!("events[{i}]"),
                        "must be an event name",
                    )),
                }
            }
            Some(events)
        }
        Some(_) => {
            violations.push(Violation::new("events", "must be an array of event names"));
            None
        }
    };

    match (url, secret) {
        (Some(url), Some(secret)) if violations.is_empty() => Ok(WebhookEndpoint {
            url,
            secret,
            events,
        }),
        _ => Err(ApiError::validation(violations)),
    }
}

fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "must be an absolute URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must be an http or https URL");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        err.violations.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn parses_a_valid_config() {
        let endpoint = parse_endpoint(
            br#"{"url":"https://example.test/hook","secret":"s","events":["payin_completed"]}"#,
        )
        .unwrap();
        assert_eq!(endpoint.url, "https://example.test/hook");
        assert_eq!(endpoint.events, Some(vec![EventType::PayinCompleted]));
    }

    #[test]
    fn names_every_bad_field() {
        let err = parse_endpoint(
            br#"{"url":"ftp://x","secret":"","events":["payin_completed","nope",3]}"#,
        )
        .unwrap_err();
        assert_eq!(err.code, "VALIDATION_ERROR");
        assert_eq!(fields(err), ["url", "secret", "events[1]", "events[2]"]);
        assert_eq!(
            fields(parse_endpoint(b"{}").unwrap_err()),
            ["url", "secret"]
        );
        assert_eq!(fields(parse_endpoint(b"[").unwrap_err()), ["body"]);
    }
}
