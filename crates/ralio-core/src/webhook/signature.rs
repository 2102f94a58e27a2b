//! `X-Signature`: lower-case hex of HMAC-SHA256(key = webhook secret as UTF-8, message = raw
//! body), no prefix (D11). Receivers accept either hex case.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Name of the header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Signature";

fn tag(secret: &Secret, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; the fallback only keeps
    // this function free of a panic path (an empty key still yields a well-defined MAC).
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// The signature Ralio sends for `body` (lower-case hex). Useful for tests and tools.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    hex::encode(tag(secret, body))
}

/// Whether `header` is a valid signature of `raw_body`. Either hex case and surrounding
/// whitespace are accepted; the comparison runs in constant time, so a forger learns nothing
/// from how long a rejection takes. An empty secret never verifies anything.
pub fn verify_signature(secret: &Secret, raw_body: &[u8], header: &str) -> bool {
    if secret.is_empty() {
        return false;
    }
    let Ok(given) = hex::decode(header.trim()) else {
        return false;
    };
    let expected = tag(secret, raw_body);
    // `ct_eq` on slices of different lengths is false without inspecting contents.
    bool::from(expected.as_slice().ct_eq(given.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            sign(&Secret::new("Jefe"), b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn accepts_either_case_and_rejects_tampering() {
        let secret = Secret::new("whsec");
        let body = br#"{"eventId":"1","eventType":"payin_completed"}"#;
        let signature = sign(&secret, body);
        assert!(verify_signature(&secret, body, &signature));
        assert!(verify_signature(
            &secret,
            body,
            &signature.to_ascii_uppercase()
        ));
        assert!(verify_signature(&secret, body, &format!(" {signature}\n")));
        assert!(!verify_signature(
            &secret,
            br#"{"eventId":"2"}"#,
            &signature
        ));
        assert!(!verify_signature(&Secret::new("other"), body, &signature));
        assert!(!verify_signature(&secret, body, &signature[..62]));
        assert!(!verify_signature(&secret, body, "zz"));
        assert!(!verify_signature(&secret, body, ""));
        assert!(!verify_signature(
            &Secret::new(""),
            body,
            &sign(&Secret::new(""), body)
        ));
    }
}
