//! uniffi custom types for what the model holds but the FFI has no type for.
//!
//! * [`Secret`] crosses as a plain string: the foreign caller supplies it (an OTP, a 2FA code) or
//!   receives it (a login token) on purpose. It stays a `Secret` on the Rust side, so it still
//!   never reaches a log.
//! * Opaque JSON (`serde_json::Value`, and the `Map` of flattened, undocumented fields) crosses as
//!   JSON text; foreign code parses it with its own JSON library. A string that is not JSON is
//!   refused when lifted, so a bad value fails the call instead of being sent.

use crate::secret::Secret;

/// Any JSON value the API documents only loosely (IDV `data`, KYC payloads, company details).
pub type JsonValue = serde_json::Value;

/// The undocumented remainder of a flattened object.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

uniffi::custom_type!(Secret, String, {
    lower: |secret| secret.expose().to_owned(),
    try_lift: |value| Ok(Secret::new(value)),
});

uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |value| value.to_string(),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

uniffi::custom_type!(JsonObject, String, {
    remote,
    lower: |object| serde_json::Value::Object(object).to_string(),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});
