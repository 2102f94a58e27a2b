//! The webhook signature (spec/NOTES.md D11): `X-Signature` carries the lower-case hex of
//! HMAC-SHA256 keyed with the webhook secret (UTF-8 bytes) over the raw request body.
//!
//! Pure functions with no sandbox types, so the gateway's ingest endpoint can use the very same
//! algorithm (it copies or re-implements this file; the sandbox depends on nothing of ours).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The name of the header that carries the signature.
pub const HEADER: &str = "X-Signature";

/// Lower-case hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// Whether `header` is the signature of `body` under `secret`. Accepts either hex case and
/// surrounding whitespace; compares in constant time (the MAC check of the `hmac` crate), so a
/// caller learns nothing about how many leading bytes matched.
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    // `hex::decode` accepts upper and lower case digits alike.
    let Ok(tag) = hex::decode(header.trim()) else {
        return false;
    };
    mac(secret, body).verify_slice(&tag).is_ok()
}

fn mac(secret: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded), so this never
    // fails; the fallback keeps the function total without a panic path.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc4231_test_case_2() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verify_accepts_either_case_and_rejects_tampering() {
        let body = br#"{"eventId":"1"}"#;
        let signature = sign("s3cret", body);
        assert!(verify("s3cret", body, &signature));
        assert!(verify("s3cret", body, &signature.to_ascii_uppercase()));
        assert!(!verify("s3cret", br#"{"eventId":"2"}"#, &signature));
        assert!(!verify("other", body, &signature));
        assert!(!verify("s3cret", body, "not hex"));
        assert!(!verify("s3cret", body, &signature[..10]));
        assert!(!verify("s3cret", body, ""));
    }
}
