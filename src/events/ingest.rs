//! `POST /webhooks/ralio`: RalioPay's webhook deliveries into the event log.
//!
//! Order matters: the signature is checked over the raw bytes before anything parses them
//! (a forger must not reach the JSON parser's edge cases), and the 2xx is sent only after the
//! event is durably committed, so RalioPay retries whatever we did not keep.
//!
//! Statuses: 200 stored (or already stored: a duplicate id), 401 missing or bad signature,
//! 413 body over the limit, 400 not a webhook envelope, 503 storage failure (retry later).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ralio_core::Secret;
use ralio_core::webhook::{
    EventType, SIGNATURE_HEADER, WebhookError, parse_envelope, verify_signature,
};
use serde_json::Value;
use serde_json::value::RawValue;

use super::log::{EventLog, NewEvent};
use crate::metrics::Metrics;

/// Path of the webhook receiver on the gateway's HTTP port.
pub const WEBHOOK_PATH: &str = "/webhooks/ralio";
/// Default largest accepted body (1 MiB); RalioPay's events are a few KB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// What the receiver needs.
#[derive(Clone)]
pub struct Ingest {
    log: Arc<dyn EventLog>,
    /// Accepted secrets: the current one and, during a rotation, the previous one.
    secrets: Arc<Vec<Secret>>,
    metrics: Metrics,
}

impl Ingest {
    pub fn new(log: Arc<dyn EventLog>, secrets: Vec<Secret>, metrics: Metrics) -> Self {
        let secrets = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        Self {
            log,
            secrets: Arc::new(secrets),
            metrics,
        }
    }

    /// The receiver's route, with its body limit.
    pub fn router(self, body_limit: usize) -> Router {
        Router::new()
            .route(WEBHOOK_PATH, post(receive))
            .layer(DefaultBodyLimit::max(body_limit))
            .with_state(self)
    }

    fn signed(&self, headers: &HeaderMap, body: &[u8]) -> bool {
        let Some(header) = headers
            .get(SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok())
        else {
            return false;
        };
        // Check every secret (no early exit), so timing does not reveal which one matched.
        self.secrets.iter().fold(false, |ok, secret| {
            verify_signature(secret, body, header) | ok
        })
    }
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn receive(State(ingest): State<Ingest>, headers: HeaderMap, body: Bytes) -> Response {
    if !ingest.signed(&headers, &body) {
        ingest.metrics.webhook_received("unauthorized");
        return reply(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "missing or invalid X-Signature"}),
        );
    }
    let event = match parse_delivery(&body) {
        Ok(event) => event,
        Err(err) => {
            ingest.metrics.webhook_received("malformed");
            return reply(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": err.to_string()}),
            );
        }
    };
    let unknown = matches!(
        EventType::normalise(&event.type_name),
        EventType::Unknown(_)
    );
    let id = event.id.clone();
    match ingest.log.append(vec![event]).await {
        Ok(outcomes) => {
            let Some(outcome) = outcomes.first() else {
                ingest.metrics.webhook_received("unavailable");
                return reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"error": "event log did not answer"}),
                );
            };
            if outcome.duplicate {
                ingest.metrics.webhook_received("duplicate");
            } else {
                ingest.metrics.webhook_received("stored");
                if unknown {
                    ingest.metrics.webhook_unknown_type();
                }
            }
            reply(
                StatusCode::OK,
                serde_json::json!({"cursor": outcome.cursor, "duplicate": outcome.duplicate}),
            )
        }
        Err(err) => {
            tracing::error!(error = %err, event_id = %id, "webhook not stored; RalioPay will retry");
            ingest.metrics.webhook_received("unavailable");
            reply(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"error": "event log unavailable; retry later"}),
            )
        }
    }
}

/// Reads a (signature-checked) body into the event to store: the envelope normalised by
/// ralio-core in one pass, `data` kept byte for byte, and the user/account it concerns.
///
/// An id or a type that is only whitespace counts as missing (400): it would be stored as an
/// event nobody can name or filter on.
pub fn parse_delivery(body: &[u8]) -> Result<NewEvent, WebhookError> {
    let fields = parse_envelope(body)?;
    if fields.id.trim().is_empty() {
        return Err(WebhookError::MissingField("eventId/id"));
    }
    let type_name = fields.name.trim();
    if type_name.is_empty() {
        return Err(WebhookError::MissingField("eventType/event"));
    }
    let data = fields.data.map_or("{}", RawValue::get).to_owned();
    // The envelope pass checked only the syntax of `data`; parsing it also refuses what a JSON
    // reader cannot hold (a number beyond f64), which subscribers could not decode either.
    let tree: Value =
        serde_json::from_str(&data).map_err(|err| WebhookError::InvalidJson(err.to_string()))?;
    let (user_id, account_id) = concerned(&EventType::normalise(&fields.name), &tree);
    Ok(NewEvent {
        id: fields.id,
        type_name: type_name.to_owned(),
        envelope: fields.envelope,
        occurred_at: fields.timestamp,
        user_id,
        account_id,
        data,
    })
}

/// The user and account an event concerns (spec/NOTES.md D20), read from `data` directly so
/// that it works even when the payload does not have the documented shape.
fn concerned(event_type: &EventType, data: &Value) -> (Option<String>, Option<String>) {
    let at = |pointer: &str| {
        data.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    match event_type {
        EventType::PayinProcessing | EventType::PayinCompleted | EventType::PayinFailed => (
            at("/destination/creditedUserId"),
            at("/destination/creditedAccountId"),
        ),
        EventType::PayoutCompleted => (at("/source/debitedUserId"), at("/source/debitedAccountId")),
        EventType::VibanActivated
        | EventType::VibanFailed
        | EventType::VibanDeactivated
        | EventType::AccountActivated
        | EventType::FundPending
        | EventType::FundReceived
        | EventType::FundError => (None, at("/accountId")),
        EventType::KycStateUpdated
        | EventType::KycExpirationWarning
        | EventType::KycSessionVerified
        | EventType::KycSessionManualReview
        | EventType::KycSessionFailed
        | EventType::KycSessionExpired
        | EventType::KybStateUpdated => (at("/userId").or_else(|| at("/user_id")), None),
        EventType::RelatedPartyKycSessionCreated
        | EventType::TransferStateUpdated
        | EventType::Unknown(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_normalise_and_keep_data_bytes() {
        let v2 = br#"{"eventId":"e1","eventType":"payin.completed","timestamp":"2026-02-26T17:02:28.123Z","data":{"z":1, "destination":{"creditedUserId":"u","creditedAccountId":"a"}}}"#;
        let event = parse_delivery(v2).unwrap();
        assert_eq!(event.id, "e1");
        assert_eq!(event.type_name, "payin.completed");
        assert_eq!(
            event.data,
            r#"{"z":1, "destination":{"creditedUserId":"u","creditedAccountId":"a"}}"#
        );
        assert_eq!(event.user_id.as_deref(), Some("u"));
        assert_eq!(event.account_id.as_deref(), Some("a"));

        let v1 = br#"{"id":"e2","event":"account_activated","timestamp":"t","data":{"accountId":"acc"}}"#;
        let event = parse_delivery(v1).unwrap();
        assert_eq!(event.envelope, ralio_core::webhook::Envelope::V1);
        assert_eq!(event.account_id.as_deref(), Some("acc"));
        assert_eq!(event.user_id, None);

        let no_data = br#"{"id":"e3","event":"something_new","timestamp":"t"}"#;
        assert_eq!(parse_delivery(no_data).unwrap().data, "{}");
        assert!(parse_delivery(br#"{"event":"x","timestamp":"t"}"#).is_err());
        assert!(parse_delivery(br#"{"id":"x","timestamp":"t"}"#).is_err());
        assert!(
            parse_delivery(br#"{"id":" ","event":"account_activated","timestamp":"t"}"#).is_err()
        );
        assert!(parse_delivery(br#"{"id":"x","event":" \t","timestamp":"t"}"#).is_err());
        assert!(parse_delivery(b"[1,2]").is_err());
        // Syntactically JSON, but no JSON reader can hold this number: refused as before.
        let huge = br#"{"id":"e5","event":"x","timestamp":"t","data":{"n":-6.02e309}}"#;
        assert!(matches!(
            parse_delivery(huge),
            Err(WebhookError::InvalidJson(_))
        ));
    }
}
