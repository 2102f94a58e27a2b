//! The tower layer that authenticates every gRPC request before it reaches a service.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use http::HeaderMap;
use tonic::Status;
use tower::{Layer, Service};

use super::tokens::TokenRegistry;
use crate::status;

/// RPC path prefixes served without a token: load balancers probe health, and reflection only
/// describes the API (grpcurl needs it before it can build an authenticated call).
const PUBLIC_PREFIXES: [&str; 3] = [
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

/// Whether `path` may be called without a token.
pub fn is_public(path: &str) -> bool {
    PUBLIC_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Authenticates `authorization: Bearer <token>` and puts the [`super::Caller`] into the request
/// extensions; answers `UNAUTHENTICATED` itself when the token is missing or unknown.
#[derive(Clone)]
pub struct AuthLayer {
    registry: Arc<TokenRegistry>,
}

impl AuthLayer {
    pub fn new(registry: Arc<TokenRegistry>) -> Self {
        Self { registry }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            registry: self.registry.clone(),
        }
    }
}

/// The service [`AuthLayer`] produces.
#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    registry: Arc<TokenRegistry>,
}

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for AuthService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        if is_public(request.uri().path()) {
            return Either::Left(self.inner.call(request));
        }
        match authenticate(&self.registry, request.headers()) {
            Ok(caller) => {
                tracing::Span::current().record("caller", caller.id.as_str());
                request.extensions_mut().insert(caller);
                Either::Left(self.inner.call(request))
            }
            Err(refusal) => {
                tracing::info!(rpc = request.uri().path(), "refused: {}", refusal.message());
                Either::Right(ready(Ok(refusal.into_http())))
            }
        }
    }
}

/// The caller named by the request's bearer token.
fn authenticate(registry: &TokenRegistry, headers: &HeaderMap) -> Result<super::Caller, Status> {
    let token = bearer_token(headers).ok_or_else(|| {
        status::unauthenticated("missing `authorization: Bearer <token>` metadata")
    })?;
    registry
        .authenticate(token)
        .ok_or_else(|| status::unauthenticated("unknown bearer token"))
}

/// The token of an `authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer_token(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(&headers("Basic abc")), None);
        assert_eq!(bearer_token(&headers("Bearer ")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn health_and_reflection_are_public_nothing_else() {
        assert!(is_public("/grpc.health.v1.Health/Check"));
        assert!(is_public(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
        ));
        assert!(!is_public("/ralio.v1.UsersService/CreateUser"));
        assert!(!is_public("/grpc.health.v1.HealthX/Check"));
    }
}
