//! Webhooks from RalioPay: signature check and parsing (spec/NOTES.md D11).
//!
//! A receiver verifies the raw body first ([`verify_signature`]), then parses it
//! ([`parse_event`]) into one normalised [`WebhookEvent`] whatever the envelope generation or the
//! naming style, and asks for the typed payload ([`WebhookEvent::payload`]) when it needs it.

mod envelope;
mod events;
mod signature;

pub use envelope::{
    Envelope, EnvelopeFields, EventType, WebhookError, WebhookEvent, parse_envelope, parse_event,
};
pub use events::*;
pub use signature::{SIGNATURE_HEADER, sign, verify_signature};
