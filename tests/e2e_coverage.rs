//! Coverage of the contract: every RPC of `ralio.v1` (EventsService aside, the events tests
//! own it) is served by the gateway, and is called by name somewhere in the e2e tests.
//!
//! The first tests walk the compiled file descriptor set and call each RPC dynamically
//! (prost-reflect messages through tonic's generic client), so a new RPC in `proto/` is
//! covered without editing this file: it must be routed (not UNIMPLEMENTED), guarded by
//! authentication and by a scope, and answer a default request with a proper status (a
//! response of its declared type or an error with `ErrorInfo`), never UNKNOWN/INTERNAL or a
//! transport failure. The last test reads the `tests/e2e_*.rs` sources and lists the RPCs no
//! test calls through its typed client.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{TOKEN_ALL, TOKEN_EVENTS, TestEnv};
use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor, ReflectMessage,
};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::AsciiMetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

/// The package whose RPCs are checked, and the service left to the events tests.
const PACKAGE: &str = "ralio.v1";
const EXCLUDED_SERVICE: &str = "ralio.v1.EventsService";

/// Every RPC of [`PACKAGE`] but those of [`EXCLUDED_SERVICE`], in a stable order.
fn rpcs() -> Vec<MethodDescriptor> {
    let pool = DescriptorPool::decode(ralio_gateway::FILE_DESCRIPTOR_SET)
        .expect("the gateway's descriptor set decodes");
    let rpcs: Vec<_> = pool
        .services()
        .filter(|service| service.package_name() == PACKAGE)
        .filter(|service| service.full_name() != EXCLUDED_SERVICE)
        .flat_map(|service| service.methods().collect::<Vec<_>>())
        .collect();
    // A sanity floor, so that a broken walk cannot pass by checking nothing.
    assert!(rpcs.len() >= 40, "only {} RPCs found", rpcs.len());
    rpcs
}

/// `/ralio.v1.UserService/CreateIndividualUser`.
fn path(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// A codec for messages known only at run time: encodes any `DynamicMessage`, decodes the
/// answer as the method's declared output type.
struct DynamicCodec(MessageDescriptor);

struct DynamicEncoder;

struct DynamicDecoder(MessageDescriptor);

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DynamicDecoder(self.0.clone())
    }
}

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|err| Status::internal(format!("encode: {err}")))
    }
}

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|err| Status::data_loss(format!("response does not decode: {err}")))
    }
}

/// Calls `method` with a default (empty) request, presenting `token` if any.
async fn call_default(
    channel: Channel,
    method: &MethodDescriptor,
    token: Option<&str>,
) -> Result<DynamicMessage, Status> {
    assert!(
        !method.is_client_streaming() && !method.is_server_streaming(),
        "{} streams; extend this test for it",
        path(method)
    );
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|err| Status::unavailable(format!("channel not ready: {err}")))?;
    let mut request = Request::new(DynamicMessage::new(method.input()));
    if let Some(token) = token {
        let value: AsciiMetadataValue = format!("Bearer {token}").parse().expect("ASCII");
        request.metadata_mut().insert("authorization", value);
    }
    let path: PathAndQuery = path(method).parse().expect("RPC path");
    grpc.unary(request, path, DynamicCodec(method.output()))
        .await
        .map(tonic::Response::into_inner)
}

/// What is wrong with an error status the gateway sent for `rpc`, if anything: it must come
/// from the gateway (an `ErrorInfo` in the `raliopay.com` domain) with a code that says what
/// the caller did wrong, never one that hides a gateway fault.
fn improper(rpc: &str, status: &Status) -> Option<String> {
    if matches!(
        status.code(),
        Code::Unimplemented | Code::Unknown | Code::Internal | Code::DataLoss | Code::Unavailable
    ) {
        return Some(format!("{rpc}: {:?} {}", status.code(), status.message()));
    }
    match status.get_details_error_info() {
        Some(info) if info.domain == "raliopay.com" && !info.reason.is_empty() => None,
        _ => Some(format!("{rpc}: no ErrorInfo in {status:?}")),
    }
}

#[tokio::test]
async fn every_rpc_answers_a_default_request_with_a_proper_status() {
    let env = TestEnv::start().await;
    let mut problems = Vec::new();
    let mut codes = BTreeSet::new();
    for method in rpcs() {
        let rpc = path(&method);
        match call_default(env.channel(), &method, Some(TOKEN_ALL)).await {
            Ok(response) => {
                // Decoded as the declared output type; nothing else to ask of a default call.
                assert_eq!(response.descriptor(), method.output());
                codes.insert("OK".to_owned());
            }
            Err(status) => {
                codes.insert(format!("{:?}", status.code()));
                problems.extend(improper(&rpc, &status));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "improper answers:\n{}",
        problems.join("\n")
    );
    // Default requests lack required fields, so most are refused by validation; some (lists,
    // the merchant) succeed. Both kinds occurring shows the calls reached the services.
    assert!(codes.contains("OK"), "{codes:?}");
    assert!(codes.contains("InvalidArgument"), "{codes:?}");
}

#[tokio::test]
async fn every_rpc_needs_a_token_and_a_scope() {
    let env = TestEnv::start().await;
    let mut problems = Vec::new();
    for method in rpcs() {
        let rpc = path(&method);
        match call_default(env.channel(), &method, None).await {
            Err(status) if status.code() == Code::Unauthenticated => {
                problems.extend(improper(&rpc, &status));
            }
            other => problems.push(format!("{rpc} without a token: {other:?}")),
        }
        // A token whose only scope is `events:subscribe` may call none of these.
        match call_default(env.channel(), &method, Some(TOKEN_EVENTS)).await {
            Err(status) if status.code() == Code::PermissionDenied => {
                let reason = status.get_details_error_info().map(|info| info.reason);
                if reason.as_deref() != Some("MISSING_SCOPE") {
                    problems.push(format!("{rpc} with the events token: {status:?}"));
                }
            }
            other => problems.push(format!("{rpc} with the events token: {other:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `CreateIndividualUser` → `create_individual_user`, as tonic names client methods.
fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 8);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

#[test]
fn the_e2e_tests_call_every_rpc_by_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut sources = String::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("tests directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("e2e_") && name.ends_with(".rs") {
            sources.push_str(&std::fs::read_to_string(&path).expect("readable test source"));
            files += 1;
        }
    }
    assert!(
        files >= 5,
        "only {files} e2e test files in {}",
        dir.display()
    );

    let missing: Vec<String> = rpcs()
        .iter()
        .filter(|method| !sources.contains(&format!(".{}(", snake_case(method.name()))))
        .map(path)
        .collect();
    assert!(
        missing.is_empty(),
        "RPCs no e2e test calls through its typed client:\n{}",
        missing.join("\n")
    );
}

#[test]
fn snake_case_matches_tonic_client_names() {
    assert_eq!(snake_case("CreateIndividualUser"), "create_individual_user");
    assert_eq!(snake_case("SendOtp"), "send_otp");
    assert_eq!(
        snake_case("GetIdvSessionStateHistory"),
        "get_idv_session_state_history"
    );
}
