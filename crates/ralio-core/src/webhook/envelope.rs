//! The two webhook envelopes, normalised.
//!
//! v1 `{id, event, timestamp, data}` and v2 `{eventId, eventType, timestamp, data}` (D11) both
//! become one [`WebhookEvent`]; event names in upstream's dotted style (`payin.completed`, from
//! the Welcome guide) are read as their underscore wire names (`payin_completed`).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::events::EventPayload;
use crate::model::wire_enum::wire_enum;

/// Which envelope generation an event arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Envelope {
    /// `{id, event, timestamp, data}`.
    V1,
    /// `{eventId, eventType, timestamp, data}`.
    V2,
}

wire_enum! {
    /// The 20 documented events, by canonical wire name. Events upstream only names
    /// (`payout_processing`, `transfer_processing`, `transfer_completed`) are `Unknown`.
    EventType {
        AccountActivated = "account_activated",
        PayinProcessing = "payin_processing",
        PayinCompleted = "payin_completed",
        PayinFailed = "payin_failed",
        PayoutCompleted = "payout_completed",
        TransferStateUpdated = "transfer_state_updated",
        KycStateUpdated = "kyc_state_updated",
        KycExpirationWarning = "kyc_expiration_warning",
        KycSessionVerified = "kyc_session_verified",
        KycSessionManualReview = "kyc_session_manual_review",
        KycSessionFailed = "kyc_session_failed",
        KycSessionExpired = "kyc_session_expired",
        RelatedPartyKycSessionCreated = "related_party.kyc_session_created" | "related_party_kyc_session_created",
        KybStateUpdated = "kyb_state_updated",
        VibanActivated = "viban_activated",
        VibanFailed = "viban_failed",
        VibanDeactivated = "viban_deactivated",
        FundPending = "fund_pending",
        FundReceived = "fund_received",
        FundError = "fund_error",
    }
}

impl EventType {
    /// Reads an event name in either naming style. Unknown names are kept in underscore style,
    /// so `payout.processing` and `payout_processing` are the same unknown type.
    pub fn normalise(name: &str) -> Self {
        let name = name.trim();
        match Self::from_wire(name) {
            Self::Unknown(_) => Self::from_wire(&name.replace('.', "_")),
            known => known,
        }
    }
}

/// Why a webhook body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook body is not a JSON object: {0}")]
    InvalidJson(String),
    #[error("webhook envelope lacks `{0}`")]
    MissingField(&'static str),
    #[error("webhook `{event_type}` payload does not match its schema: {message}")]
    InvalidPayload { event_type: String, message: String },
}

/// A webhook event, normalised over both envelopes. Its own serde form (snake_case, with
/// `envelope`) is for storage; it is not Ralio's wire form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// `eventId` (v2) or `id` (v1): the deduplication key.
    pub id: String,
    pub event_type: EventType,
    /// As sent (RFC 3339; v2 examples carry 7 fractional digits and an offset).
    pub timestamp: String,
    /// The event's `data` object, untouched.
    pub data: serde_json::Value,
    pub envelope: Envelope,
}

impl WebhookEvent {
    /// The typed payload of a known event; `EventPayload::Unknown` for other types.
    pub fn payload(&self) -> Result<EventPayload, WebhookError> {
        EventPayload::from_data(&self.event_type, &self.data)
    }
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    id: Option<String>,
    event: Option<String>,
    #[serde(rename = "eventId")]
    event_id: Option<String>,
    #[serde(rename = "eventType")]
    event_type: Option<String>,
    timestamp: Option<String>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// A webhook body's envelope, read in one pass over the body, its `data` left unparsed.
#[derive(Debug, Clone)]
pub struct EnvelopeFields<'a> {
    /// `eventId` (v2) or `id` (v1), non-empty.
    pub id: String,
    /// The event name exactly as sent, non-empty: `eventType` (v2) or `event` (v1).
    pub name: String,
    pub timestamp: String,
    pub envelope: Envelope,
    /// The `data` JSON as sent, byte for byte; `None` when absent or `null`.
    pub data: Option<&'a RawValue>,
}

/// Reads the envelope of a raw webhook body (verify its signature first) without building the
/// `data` tree: what a receiver that stores `data` as sent needs. The v2 names win when a body
/// carries both. [`parse_event`] is this plus the parsed `data`.
pub fn parse_envelope(raw_body: &[u8]) -> Result<EnvelopeFields<'_>, WebhookError> {
    let raw: RawEnvelope<'_> = serde_json::from_slice(raw_body)
        .map_err(|err| WebhookError::InvalidJson(err.to_string()))?;
    let envelope = if raw.event_id.is_some() || raw.event_type.is_some() {
        Envelope::V2
    } else {
        Envelope::V1
    };
    let id = raw
        .event_id
        .or(raw.id)
        .filter(|id| !id.is_empty())
        .ok_or(WebhookError::MissingField("eventId/id"))?;
    let name = raw
        .event_type
        .or(raw.event)
        .filter(|name| !name.is_empty())
        .ok_or(WebhookError::MissingField("eventType/event"))?;
    let timestamp = raw
        .timestamp
        .ok_or(WebhookError::MissingField("timestamp"))?;
    Ok(EnvelopeFields {
        id,
        name,
        timestamp,
        envelope,
        data: raw.data,
    })
}

/// Parses a raw webhook body (verify its signature first). The v2 names win when a body
/// carries both; `data` defaults to `{}` when absent or `null`.
pub fn parse_event(raw_body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let fields = parse_envelope(raw_body)?;
    let data = match fields.data {
        None => serde_json::Value::Object(Default::default()),
        Some(data) => serde_json::from_str(data.get())
            .map_err(|err| WebhookError::InvalidJson(err.to_string()))?,
    };
    Ok(WebhookEvent {
        id: fields.id,
        event_type: EventType::normalise(&fields.name),
        timestamp: fields.timestamp,
        data,
        envelope: fields.envelope,
    })
}
