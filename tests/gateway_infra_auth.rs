//! The auth layer as a tower service, in front of a stand-in for the routes, plus the scope
//! check the services make.

use std::convert::Infallible;

use ralio_gateway::auth::{
    AuthLayer, Caller, Scope, Scopes, TokenEntry, TokenHash, TokenRegistry, require_scope,
};
use std::sync::Arc;
use tonic::Code;
use tower::{Layer, ServiceExt, service_fn};

fn registry() -> Arc<TokenRegistry> {
    Arc::new(TokenRegistry::new(vec![TokenEntry {
        name: "ledger-reader".into(),
        hash: TokenHash::of_token("s3cret-read"),
        scopes: Scopes::new([Scope::Read]),
    }]))
}

/// Stands in for a service: answers 200 with the caller it found in the extensions.
async fn echo_caller(
    request: http::Request<tonic::body::Body>,
) -> Result<http::Response<tonic::body::Body>, Infallible> {
    let caller = request
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.id.clone())
        .unwrap_or_default();
    let mut response = http::Response::new(tonic::body::Body::empty());
    response
        .headers_mut()
        .insert("x-caller", caller.parse().unwrap());
    Ok(response)
}

async fn send(path: &str, authorization: Option<&str>) -> http::Response<tonic::body::Body> {
    let service = AuthLayer::new(registry()).layer(service_fn(echo_caller));
    let mut request = http::Request::builder().uri(format!("http://gw{path}"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let request = request.body(tonic::body::Body::empty()).unwrap();
    service.oneshot(request).await.unwrap()
}

fn grpc_code(response: &http::Response<tonic::body::Body>) -> Option<Code> {
    response
        .headers()
        .get("grpc-status")
        .map(|value| Code::from_bytes(value.as_bytes()))
}

#[tokio::test]
async fn missing_or_unknown_tokens_never_reach_the_service() {
    for authorization in [
        None,
        Some("Bearer wrong"),
        Some("Basic czNjcmV0LXJlYWQ="),
        Some("Bearer "),
    ] {
        let response = send("/ralio.v1.UsersService/GetUser", authorization).await;
        assert_eq!(
            grpc_code(&response),
            Some(Code::Unauthenticated),
            "{authorization:?}"
        );
        assert!(response.headers().get("x-caller").is_none());
        // The refusal never echoes what was presented.
        let message = response
            .headers()
            .get("grpc-message")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            !message.contains("wrong") && !message.contains("czNj"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_known_token_reaches_the_service_with_its_caller() {
    let response = send("/ralio.v1.UsersService/GetUser", Some("Bearer s3cret-read")).await;
    assert_eq!(grpc_code(&response), None);
    assert_eq!(response.headers()["x-caller"], "ledger-reader");
}

#[tokio::test]
async fn health_and_reflection_need_no_token() {
    for path in [
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ] {
        let response = send(path, None).await;
        assert_eq!(grpc_code(&response), None, "{path}");
    }
}

#[test]
fn scope_check_names_the_missing_scope() {
    let mut request = tonic::Request::new(());
    request.extensions_mut().insert(Caller {
        id: "ledger-reader".into(),
        scopes: Scopes::new([Scope::Read]),
    });
    assert!(require_scope(&request, Scope::Read).is_ok());
    let denied = require_scope(&request, Scope::MoneyMove).unwrap_err();
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(denied.message().contains("money:move"));
}

#[test]
fn debug_output_never_contains_a_token() {
    let registry = registry();
    let printed = format!("{registry:?}");
    assert!(!printed.contains("s3cret-read"), "{printed}");
    // Not even the full hash: a prefix is enough to tell entries apart.
    assert!(
        !printed.contains(&TokenHash::of_token("s3cret-read").to_hex()),
        "{printed}"
    );
}
