//! How events are laid out in the stream: subjects, the message body, and back.
//!
//! An event is one message on `<prefix>.<type>.<id>`:
//! * `<type>` is the event name in filter form (`payin_completed`), with any character a NATS
//!   subject token cannot hold replaced by `_`, so consumers outside the gateway can subscribe
//!   per type (`ralio.events.payin_*` is not a NATS wildcard, but `ralio.events.payin_completed.>`
//!   is);
//! * `<id>` is RalioPay's event id, hex encoded after an `h` (ids are chosen by RalioPay, hex
//!   keeps any byte out of the subject syntax); an id longer than [`MAX_PLAIN_ID`] bytes is
//!   `s` + the hex SHA-256 of it instead, so subjects stay short. It makes "the event with id
//!   X" one server-side lookup (`<prefix>.*.<id token>`), which is how duplicates older than
//!   JetStream's dedup window are still found.
//!
//! The body is JSON ([`Body`]); the `Nats-Msg-Id` header carries the event id ([`msg_id`]).

use async_nats::jetstream::message::StreamMessage;
use ralio_core::webhook::Envelope;
use serde::{Deserialize, Serialize};

use crate::events::filter::type_key;
use crate::events::log::{LogError, LoggedEvent, NewEvent};

/// The stored form of a [`NewEvent`].
#[derive(Debug, Serialize, Deserialize)]
struct Body {
    id: String,
    #[serde(rename = "type")]
    type_name: String,
    /// 1 = `id/event/timestamp/data`, 2 = `eventId/eventType/timestamp/data`.
    envelope: u8,
    occurred_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    /// The envelope's `data`, byte for byte as received.
    data: String,
}

/// A token safe in a NATS subject: `[A-Za-z0-9_-]`, never empty.
fn subject_token(value: &str) -> String {
    let token: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if token.is_empty() { "_".into() } else { token }
}

/// Longest id carried as is (hex in the subject, plain in `Nats-Msg-Id`).
pub const MAX_PLAIN_ID: usize = 128;

fn sha256_hex(id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The subject token of an event id.
fn id_token(id: &str) -> String {
    if id.len() <= MAX_PLAIN_ID {
        format!("h{}", hex::encode(id.as_bytes()))
    } else {
        format!("s{}", sha256_hex(id))
    }
}

/// The `Nats-Msg-Id` of an event: its id, unless the id is long or holds characters a header
/// value cannot (then `sha256:` + the hex SHA-256 of it).
pub fn msg_id(id: &str) -> String {
    if id.len() <= MAX_PLAIN_ID && id.chars().all(|c| c.is_ascii_graphic()) {
        id.to_owned()
    } else {
        format!("sha256:{}", sha256_hex(id))
    }
}

/// The subject event `event` is published on.
pub fn subject(prefix: &str, event: &NewEvent) -> String {
    format!(
        "{prefix}.{}.{}",
        subject_token(&type_key(&event.type_name)),
        id_token(&event.id)
    )
}

/// The subject filter matching the event with RalioPay id `id`, whatever its type.
pub fn id_filter(prefix: &str, id: &str) -> String {
    format!("{prefix}.*.{}", id_token(id))
}

pub fn encode(event: &NewEvent) -> Result<Vec<u8>, LogError> {
    serde_json::to_vec(&Body {
        id: event.id.clone(),
        type_name: event.type_name.clone(),
        envelope: match event.envelope {
            Envelope::V1 => 1,
            Envelope::V2 => 2,
        },
        occurred_at: event.occurred_at.clone(),
        user_id: event.user_id.clone(),
        account_id: event.account_id.clone(),
        data: event.data.clone(),
    })
    .map_err(|err| LogError::Storage(format!("encoding an event: {err}")))
}

fn unix_ms(nanos: i128) -> i64 {
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

/// The stored event of a stream message; the cursor is the stream sequence and the receive
/// time the time JetStream stored it.
pub fn decode(sequence: u64, time_ms: i64, payload: &[u8]) -> Result<LoggedEvent, LogError> {
    let body: Body = serde_json::from_slice(payload).map_err(|err| {
        LogError::Storage(format!("stream message {sequence} is not an event: {err}"))
    })?;
    Ok(LoggedEvent::new(
        sequence,
        time_ms,
        NewEvent {
            id: body.id,
            type_name: body.type_name,
            envelope: if body.envelope == 1 {
                Envelope::V1
            } else {
                Envelope::V2
            },
            occurred_at: body.occurred_at,
            user_id: body.user_id,
            account_id: body.account_id,
            data: body.data,
        },
    ))
}

/// [`decode`] of a message read with a direct get.
pub fn decode_stored(message: &StreamMessage) -> Result<LoggedEvent, LogError> {
    decode(message.sequence, stored_at_ms(message), &message.payload)
}

/// When JetStream stored `message`, Unix milliseconds.
pub fn stored_at_ms(message: &StreamMessage) -> i64 {
    unix_ms(message.time.unix_timestamp_nanos())
}

/// [`decode`] of a message delivered by a consumer.
pub fn decode_delivered(message: &async_nats::jetstream::Message) -> Result<LoggedEvent, LogError> {
    let info = message
        .info()
        .map_err(|err| LogError::Storage(format!("a delivered message has no info: {err}")))?;
    decode(
        info.stream_sequence,
        unix_ms(info.published.unix_timestamp_nanos()),
        &message.payload,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, type_name: &str) -> NewEvent {
        NewEvent {
            id: id.into(),
            type_name: type_name.into(),
            envelope: Envelope::V1,
            occurred_at: "2026-02-26T17:02:28.123Z".into(),
            user_id: Some("u1".into()),
            account_id: None,
            data: r#"{"a": 1}"#.into(),
        }
    }

    #[test]
    fn subjects_hold_the_type_and_the_hex_id() {
        assert_eq!(
            subject("ralio.events", &event("e.1", "payin.completed")),
            "ralio.events.payin_completed.h652e31"
        );
        assert_eq!(
            subject("p", &event("x", "weird type*>")),
            "p.weird_type__.h78"
        );
        assert_eq!(id_filter("p", "x"), "p.*.h78");
        let long = "x".repeat(MAX_PLAIN_ID + 1);
        let token = id_filter("p", &long);
        assert!(token.starts_with("p.*.s") && token.len() == "p.*.s".len() + 64);
        assert_eq!(msg_id("evt_1"), "evt_1");
        assert!(msg_id("evt\r\n1").starts_with("sha256:"));
        assert!(msg_id(&long).starts_with("sha256:"));
    }

    #[test]
    fn bodies_round_trip_byte_for_byte() {
        let original = event("e1", "payin_completed");
        let decoded = decode(7, 1234, &encode(&original).unwrap()).unwrap();
        assert_eq!(decoded.cursor, 7);
        assert_eq!(decoded.received_at_ms, 1234);
        assert_eq!(decoded.event, original);
        assert!(decode(1, 0, b"not json").is_err());
    }
}
