//! Login and bearer tokens (spec/NOTES.md D2): HS256 JWTs whose expiry follows the sandbox clock.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::state::AppState;
use crate::validate::Fields;

/// The per-process signing key. Random at start, so tokens of another sandbox instance (or
/// forged ones) are `TOKEN_INVALID`.
pub(crate) struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Tokens issued since start; read-only from outside, so tests can count a client's logins.
    issued: AtomicU64,
}

impl TokenKeys {
    pub(crate) fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self {
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            issued: AtomicU64::new(0),
        }
    }
}

impl AppState {
    /// How many successful logins (tokens issued) this sandbox has answered since it started
    /// (not cleared by reset). Tests use it to check single-flight re-login.
    pub fn logins_issued(&self) -> u64 {
        self.tokens.issued.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// `POST /api/v1/auth/login` (the only `/api/v1` route without a token).
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/auth/login", post(login))
}

async fn login(State(state): State<AppState>, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let mut fields = Fields::new(&body);
    let api_code = fields.required_str("api_code");
    let api_key = fields.required_str("api_key");
    fields.finish()?;
    let (Some(api_code), Some(api_key)) = (api_code, api_key) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let code_ok = api_code.as_bytes().ct_eq(state.config.api_code.as_bytes());
    let key_ok = api_key
        .as_bytes()
        .ct_eq(state.config.api_key.expose().as_bytes());
    if !bool::from(code_ok & key_ok) {
        return Err(ApiError::unauthorized(
            "INVALID_CREDENTIALS",
            "api_code or api_key is wrong",
        ));
    }
    let now = state.now().timestamp();
    let ttl = i64::try_from(state.config.token_ttl.as_secs()).unwrap_or(i64::MAX / 2);
    let claims = Claims {
        sub: api_code.to_owned(),
        iat: now,
        exp: now.saturating_add(ttl),
        jti: Uuid::new_v4().to_string(),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &state.tokens.encoding,
    )
    .map_err(|_| ApiError::internal("could not sign the token"))?;
    state.tokens.issued.fetch_add(1, Ordering::SeqCst);
    Ok(Json(json!({ "token": token })))
}

/// Middleware for every `/api/v1` route but login: `401` per D2 unless a valid, unexpired token
/// of this sandbox is presented.
pub async fn require_bearer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer_token(&request)?;
    check_token(&state, token)?;
    Ok(next.run(request).await)
}

fn bearer_token(request: &Request) -> ApiResult<&str> {
    let missing = || ApiError::unauthorized("UNAUTHORIZED", "a bearer token is required");
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?;
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(missing());
    }
    Ok(token.trim())
}

fn check_token(state: &AppState, token: &str) -> ApiResult<()> {
    let mut validation = Validation::new(Algorithm::HS256);
    // Expiry is checked below against the sandbox clock, not the system clock (D14).
    validation.validate_exp = false;
    validation.required_spec_claims = HashSet::new();
    let invalid = || ApiError::unauthorized("TOKEN_INVALID", "the token is invalid");
    let data = jsonwebtoken::decode::<Claims>(token, &state.tokens.decoding, &validation)
        .map_err(|_| invalid())?;
    if data.claims.sub != state.config.api_code {
        return Err(invalid());
    }
    if data.claims.exp <= state.now().timestamp() {
        return Err(ApiError::unauthorized(
            "TOKEN_EXPIRED",
            "the token has expired",
        ));
    }
    Ok(())
}
