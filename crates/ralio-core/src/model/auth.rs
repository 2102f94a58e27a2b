//! Login (`POST /api/v1/auth/login`, spec/NOTES.md D2). Upstream's snake_case field names.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::secret::Secret;

/// Body of the login call. The key goes on the wire through [`Secret::expose`] only here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LoginRequest {
    pub api_code: String,
    #[serde(serialize_with = "expose_secret", deserialize_with = "wrap_secret")]
    pub api_key: Secret,
}

/// Response of the login call: a bearer JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LoginResponse {
    #[serde(serialize_with = "expose_secret", deserialize_with = "wrap_secret")]
    pub token: Secret,
}

fn expose_secret<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

fn wrap_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
    String::deserialize(deserializer).map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_uses_snake_case_and_keeps_the_key_out_of_debug() {
        let body = LoginRequest {
            api_code: "merchant-1".into(),
            api_key: Secret::new("k3y"),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"api_code":"merchant-1","api_key":"k3y"}"#
        );
        assert!(!format!("{body:?}").contains("k3y"));
        let response: LoginResponse = serde_json::from_str(r#"{"token":"a.b.c"}"#).unwrap();
        assert_eq!(response.token.expose(), "a.b.c");
        assert!(!format!("{response:?}").contains("a.b.c"));
    }
}
