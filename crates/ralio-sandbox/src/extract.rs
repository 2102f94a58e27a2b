//! Request extractors whose rejections are D3 error bodies (spec/NOTES.md D12):
//! JSON bodies (`ValidJson`, `JsonBody`), UUID path parameters (`UuidPath`) and raw query
//! parameters (`RawQuery` in `crate::listing`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ApiError, Violation};

/// Largest accepted request body (spec/NOTES.md D12).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The field name used for errors about the body as a whole (malformed JSON, not an object).
pub const BODY_FIELD: &str = "body";

/// A JSON body deserialised into `T`. Failures are `400 VALIDATION_ERROR` naming the JSON path
/// of the offending field (`items[2].amount`); a body over [`BODY_LIMIT`] is `413`.
/// serde stops at the first error, so only one violation is reported; handlers that must
/// name every violation take [`JsonBody`] and validate with `crate::validate`.
#[derive(Debug, Clone)]
pub struct ValidJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        parse_typed(&bytes).map(ValidJson)
    }
}

/// A JSON body parsed into a `serde_json::Value` object, for handlers that validate field by
/// field and report every violation at once.
#[derive(Debug, Clone)]
pub struct JsonBody(pub serde_json::Map<String, Value>);

impl<S> FromRequest<S> for JsonBody
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        match parse_typed::<Value>(&bytes)? {
            Value::Object(map) => Ok(JsonBody(map)),
            _ => Err(ApiError::invalid(BODY_FIELD, "must be a JSON object")),
        }
    }
}

/// A JSON body that may be absent (empty body = `T::default()`), for control routes whose
/// body only carries optional fields such as `{"reason"}`.
#[derive(Debug, Clone, Default)]
pub struct OptionalJson<T>(pub T);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Default,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        parse_typed(&bytes).map(OptionalJson)
    }
}

async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    // The router also installs `DefaultBodyLimit::max(BODY_LIMIT)`, which `Bytes` honours.
    Bytes::from_request(req, state)
        .await
        .map_err(|rejection: BytesRejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                payload_too_large()
            } else {
                ApiError::invalid(BODY_FIELD, "could not read the request body")
            }
        })
}

/// `413 PAYLOAD_TOO_LARGE`.
pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("the request body is larger than {BODY_LIMIT} bytes"),
    )
}

/// Deserialises `bytes` as JSON into `T`, naming the failing field on error.
pub fn parse_typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(BODY_FIELD, "a JSON body is required"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| ApiError::validation(vec![violation_of(&err)]))?;
    // Trailing garbage after the JSON value is malformed JSON too.
    deserializer
        .end()
        .map_err(|_| ApiError::invalid(BODY_FIELD, "malformed JSON: trailing characters"))?;
    Ok(value)
}

/// Turns a serde error into a violation: the JSON path (plus the missing field's name for
/// "missing field" errors) and the error text without serde's line/column suffix.
fn violation_of(err: &serde_path_to_error::Error<serde_json::Error>) -> Violation {
    let inner = err.inner();
    let text = inner.to_string();
    let text = match text.rfind(" at line ") {
        Some(cut) => &text[..cut],
        None => text.as_str(),
    };
    if inner.is_syntax() || inner.is_eof() {
        return Violation::new(BODY_FIELD, format!("malformed JSON: {text}"));
    }
    let path = err.path().to_string();
    let parent = if path == "." { String::new() } else { path };
    if let Some(missing) = text
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if parent.is_empty() {
            missing.to_owned()
        } else {
            format!("{parent}.{missing}")
        };
        return Violation::new(field, "is required");
    }
    let field = if parent.is_empty() {
        BODY_FIELD.to_owned()
    } else {
        parent
    };
    Violation::new(field, text)
}

/// Path parameters that are all UUIDs, deserialised into `T` (a struct with `Uuid` fields named
/// like the route's parameters). A malformed one is `400` naming the parameter (D12).
#[derive(Debug, Clone)]
pub struct UuidPath<T>(pub T);

impl<S, T> FromRequestParts<S> for UuidPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::internal("path parameters are unavailable"))?;
        let violations: Vec<Violation> = raw
            .iter()
            .filter(|(_, value)| Uuid::parse_str(value).is_err())
            .map(|(name, _)| Violation::new(name, "must be a UUID"))
            .collect();
        if !violations.is_empty() {
            return Err(ApiError::validation(violations));
        }
        let Path(value) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid("path", rejection.body_text()))?;
        Ok(UuidPath(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        amount: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        items: Vec<Item>,
    }

    fn field_of(json: &str) -> String {
        let err = parse_typed::<Body>(json.as_bytes()).unwrap_err();
        err.violations[0].field.clone()
    }

    #[test]
    fn names_nested_and_missing_fields() {
        assert_eq!(
            field_of(r#"{"name":"a","items":[{"amount":1},{"amount":"x"}]}"#),
            "items[1].amount"
        );
        assert_eq!(field_of(r#"{"items":[]}"#), "name");
        assert_eq!(field_of(r#"{"name":"a","items":[{}]}"#), "items[0].amount");
        assert_eq!(field_of(r#"{"name":"a""#), BODY_FIELD);
        assert_eq!(field_of(r#"{"name":"a","items":[]} x"#), BODY_FIELD);
        assert_eq!(field_of(""), BODY_FIELD);
    }
}
