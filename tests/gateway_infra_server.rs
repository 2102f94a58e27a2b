//! The gateway's server infrastructure over real sockets: health, reflection, authentication,
//! request ids, metrics and graceful shutdown, against the in-process sandbox.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;
use ralio_core::Secret;
use ralio_gateway::auth::{Scope, Scopes, TokenEntry, TokenHash, TokenRegistry};
use ralio_gateway::config::GatewayConfig;
use ralio_gateway::descriptor::ApiSurface;
use ralio_gateway::server::{Gateway, GatewayHandle};
use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic::{Code, Request};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

const TOKEN: &str = "test-token-with-read";

/// The common test settings with one read-only token, one retry and no events port.
fn config(base_url: String, data_dir: &std::path::Path) -> GatewayConfig {
    let mut config = common::gateway_config(&base_url, data_dir);
    config.events_grpc_addr = None;
    config.ralio.max_retries = 1;
    config.tokens = TokenRegistry::new(vec![TokenEntry {
        name: "tester".into(),
        hash: TokenHash::of_token(TOKEN),
        scopes: Scopes::new([Scope::Read]),
    }]);
    config
}

struct Running {
    _sandbox: SandboxHandle,
    gateway: GatewayHandle,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let sandbox = Sandbox::start(SandboxConfig::for_tests()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let gateway = Gateway::start(config(sandbox.base_url(), dir.path()))
        .await
        .unwrap();
    Running {
        _sandbox: sandbox,
        gateway,
        _dir: dir,
    }
}

async fn channel(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// Waits (on the health Watch stream, no polling) until the server reports `wanted`.
async fn wait_for_status(channel: Channel, wanted: ServingStatus) {
    let mut health = HealthClient::new(channel);
    let mut stream = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = stream.next().await {
            let message: HealthCheckResponse = message.unwrap();
            if message.status == wanted as i32 {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "health never became {wanted:?}");
}

async fn check(channel: Channel) -> i32 {
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner()
        .status
}

/// A unary call to `path` with an empty message; the gateway has no services yet, so this
/// exercises the layers in front of the router.
async fn raw_call(
    channel: Channel,
    path: &str,
    token: Option<&str>,
    request_id: Option<&str>,
) -> Result<tonic::Response<()>, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = Request::new(());
    if let Some(token) = token {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    if let Some(id) = request_id {
        request
            .metadata_mut()
            .insert("x-request-id", id.parse().unwrap());
    }
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    grpc.unary(request, path.parse::<PathAndQuery>().unwrap(), codec)
        .await
}

fn a_ralio_rpc() -> String {
    ApiSurface::from_descriptor_sets(&[ralio_gateway::FILE_DESCRIPTOR_SET])
        .methods
        .into_iter()
        .find(|m| m.starts_with("/ralio."))
        .expect("the contract has at least one RPC")
}

#[tokio::test]
async fn health_turns_serving_after_the_first_login() {
    let running = start().await;
    let channel = channel(running.gateway.grpc_addr()).await;
    wait_for_status(channel.clone(), ServingStatus::Serving).await;
    assert_eq!(check(channel).await, ServingStatus::Serving as i32);
    let healthz = reqwest::get(format!("http://{}/healthz", running.gateway.http_addr()))
        .await
        .unwrap();
    assert_eq!(healthz.status(), 200);
    running.gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn health_is_not_serving_until_ralio_is_reachable() {
    // Reserve a free port, free it, and point the gateway there: nothing answers yet.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sandbox_addr = reserved.local_addr().unwrap();
    drop(reserved);
    let dir = tempfile::tempdir().unwrap();
    let gateway = Gateway::start(config(format!("http://{sandbox_addr}"), dir.path()))
        .await
        .unwrap();
    let channel = channel(gateway.grpc_addr()).await;
    assert_eq!(
        check(channel.clone()).await,
        ServingStatus::NotServing as i32
    );
    let healthz = reqwest::get(format!("http://{}/healthz", gateway.http_addr()))
        .await
        .unwrap();
    assert_eq!(healthz.status(), 503);

    // RalioPay (the sandbox) comes up: the background login succeeds and health follows.
    let _sandbox = Sandbox::start(SandboxConfig {
        addr: sandbox_addr,
        ..SandboxConfig::for_tests()
    })
    .await
    .unwrap();
    wait_for_status(channel, ServingStatus::Serving).await;
    gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_credentials_keep_health_not_serving() {
    let sandbox = Sandbox::start(SandboxConfig::for_tests()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(sandbox.base_url(), dir.path());
    config.ralio.api_key = Secret::new("wrong-key");
    let gateway = Gateway::start(config).await.unwrap();
    let channel = channel(gateway.grpc_addr()).await;
    // Let a few login attempts fail (each is a real HTTP round trip to the sandbox).
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    while tokio::time::Instant::now() < deadline {
        assert_eq!(
            check(channel.clone()).await,
            ServingStatus::NotServing as i32
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!gateway.readiness().is_serving());
    gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn reflection_v1_and_v1alpha_list_the_services() {
    use tonic_reflection::pb::{v1, v1alpha};
    let running = start().await;
    let channel = channel(running.gateway.grpc_addr()).await;

    let mut client = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.next().await.unwrap().unwrap();
    let Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
        response.message_response
    else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.iter().any(|n| n == "grpc.health.v1.Health"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("ralio.v1.")),
        "{names:?}"
    );

    let mut client = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let request = v1alpha::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            v1alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
        ),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .unwrap()
        .into_inner();
    let response = responses.next().await.unwrap().unwrap();
    assert!(matches!(
        response.message_response,
        Some(v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(_))
    ));
    running.gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn calls_without_a_valid_token_are_unauthenticated_and_ids_are_echoed() {
    let running = start().await;
    let channel = channel(running.gateway.grpc_addr()).await;
    let rpc = a_ralio_rpc();

    let err = raw_call(channel.clone(), &rpc, None, Some("my-request-1"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert_eq!(
        err.metadata()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap(),
        "my-request-1"
    );

    let err = raw_call(channel.clone(), &rpc, Some("not-a-token"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let generated = err
        .metadata()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(uuid::Uuid::parse_str(generated).is_ok(), "{generated}");

    // A valid token gets past authentication to the router (no service registered yet, or
    // a real service that rejects the empty message: anything but UNAUTHENTICATED).
    let err = raw_call(channel, &rpc, Some(TOKEN), None)
        .await
        .unwrap_err();
    assert_ne!(err.code(), Code::Unauthenticated, "{err:?}");

    // The metrics saw the refusals, labelled by RPC and code.
    let text = reqwest::get(format!("http://{}/metrics", running.gateway.http_addr()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line =
        format!("ralio_gateway_grpc_requests_total{{code=\"UNAUTHENTICATED\",rpc=\"{rpc}\"}} 2");
    assert!(text.contains(&line), "missing {line} in\n{text}");
    running.gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_endpoint_serves_every_family() {
    let running = start().await;
    let channel = channel(running.gateway.grpc_addr()).await;
    wait_for_status(channel.clone(), ServingStatus::Serving).await;
    check(channel).await;
    let response = reqwest::get(format!("http://{}/metrics", running.gateway.http_addr()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for name in [
        "ralio_gateway_grpc_requests_total{code=\"OK\",rpc=\"/grpc.health.v1.Health/Check\"}",
        "ralio_gateway_grpc_request_duration_seconds_bucket",
        "ralio_gateway_upstream_token_refreshes_total",
        "ralio_gateway_idempotent_replays_total",
    ] {
        assert!(text.contains(name), "missing {name} in\n{text}");
    }
    running.gateway.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_reports_not_serving_before_closing() {
    let sandbox = Sandbox::start(SandboxConfig::for_tests()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(sandbox.base_url(), dir.path());
    config.shutdown.grace = Duration::from_millis(500);
    let gateway = Gateway::start(config).await.unwrap();
    let grpc_addr = gateway.grpc_addr();
    let channel = channel(grpc_addr).await;
    wait_for_status(channel.clone(), ServingStatus::Serving).await;

    let mut health = HealthClient::new(channel);
    let mut stream = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        stream.next().await.unwrap().unwrap().status,
        ServingStatus::Serving as i32
    );
    let stopping = tokio::spawn(gateway.shutdown());
    let next = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(next.status, ServingStatus::NotServing as i32);
    drop(stream);
    stopping.await.unwrap().unwrap();
    // The listener is closed once shutdown returns.
    assert!(tokio::net::TcpStream::connect(grpc_addr).await.is_err());
}
