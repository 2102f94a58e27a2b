//! Per-request context: the request id (accepted from `x-request-id` or generated), the
//! caller's deadline (`grpc-timeout`) and the `idempotency-key` metadata, plus the tower layer
//! that builds it, opens the request's tracing span and echoes the id in the response.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};
use ralio_core::CallOptions;
use tonic::{Request, Status};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::status;

/// Request metadata (HTTP/2 header) names.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
pub const GRPC_TIMEOUT_HEADER: &str = "grpc-timeout";

/// Longest accepted caller-supplied request id; longer ones are replaced by a generated id.
const MAX_REQUEST_ID_LEN: usize = 128;
/// Longest accepted idempotency key.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// What every service method may need to know about its request besides the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// Sent to RalioPay as `X-Request-Id`, logged on every line of the request and returned in
    /// the `x-request-id` response metadata.
    pub request_id: String,
    /// When the caller stops waiting (from `grpc-timeout`); `None` if they sent no deadline.
    pub deadline: Option<Instant>,
    /// The raw `idempotency-key` metadata; validated by [`idempotency_key`].
    pub idempotency_key: Option<String>,
}

impl RequestContext {
    /// Reads the context from request headers, generating a request id when the caller sent
    /// none (or an unusable one).
    pub fn from_headers(headers: &HeaderMap, now: Instant) -> Self {
        let request_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .filter(|id| is_valid_request_id(id))
            .map(str::to_owned)
            .unwrap_or_else(generate_request_id);
        let deadline = headers
            .get(GRPC_TIMEOUT_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_grpc_timeout)
            .and_then(|timeout| now.checked_add(timeout));
        let idempotency_key = headers
            .get(IDEMPOTENCY_KEY_HEADER)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        Self {
            request_id,
            deadline,
            idempotency_key,
        }
    }

    /// The context the layer stored in `request`, or one built on the spot (a service called
    /// without the layer, e.g. in a unit test).
    pub fn of<T>(request: &Request<T>) -> Self {
        request
            .extensions()
            .get::<RequestContext>()
            .cloned()
            .unwrap_or_else(|| {
                Self::from_headers(&request.metadata().clone().into_headers(), Instant::now())
            })
    }

    /// Time left before the caller's deadline (zero once it passed).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Options for the core client: the request id and the caller's remaining time as the REST
    /// call's overall deadline (attempts, back-off and re-login included).
    ///
    /// The idempotency key is deliberately not passed on: RalioPay ignores it, and a key there
    /// would make the core client retry writes, which could repeat a money movement. The
    /// gateway's own idempotency store is what makes caller retries safe.
    pub fn call_options(&self) -> CallOptions {
        let options = CallOptions::new().request_id(self.request_id.clone());
        match self.remaining() {
            Some(remaining) => options.deadline(upstream_budget(remaining)),
            None => options,
        }
    }
}

/// Most of the caller's remaining time the REST call may use: the rest (5 %, at most
/// [`DEADLINE_MARGIN_MAX`]) is left for answering. tonic's server enforces `grpc-timeout` too,
/// and when its timer fires first the caller gets a bare `CANCELLED` ("Timeout expired")
/// instead of the gateway's `DEADLINE_EXCEEDED` with `ErrorInfo`; ending the REST call a
/// little earlier lets the gateway's own answer go out in time.
fn upstream_budget(remaining: Duration) -> Duration {
    remaining.saturating_sub((remaining / 20).min(DEADLINE_MARGIN_MAX))
}

/// Upper bound of the time kept back from the caller's deadline; see [`upstream_budget`].
const DEADLINE_MARGIN_MAX: Duration = Duration::from_millis(100);

/// The request's validated idempotency key: `None` when the caller sent none, and
/// `INVALID_ARGUMENT` when it is empty, too long or not visible ASCII.
pub fn idempotency_key<T>(request: &Request<T>) -> Result<Option<String>, Status> {
    let raw = match request.extensions().get::<RequestContext>() {
        Some(context) => context.idempotency_key.clone(),
        None => request
            .metadata()
            .get(IDEMPOTENCY_KEY_HEADER)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
    };
    match raw {
        None => Ok(None),
        Some(key) if is_valid_idempotency_key(&key) => Ok(Some(key)),
        Some(_) => Err(status::invalid_argument([(
            IDEMPOTENCY_KEY_HEADER,
            "must be 1 to 255 visible ASCII characters",
        )])),
    }
}

/// A fresh UUID v4 from the thread-local CSPRNG (`uuid::Uuid::new_v4` without uuid's
/// `fast-rng` feature makes a `getrandom` system call per request).
fn generate_request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn is_valid_idempotency_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_IDEMPOTENCY_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Parses a `grpc-timeout` value: at most 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`),
/// per the gRPC over HTTP/2 spec.
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        'H' => Duration::from_secs(amount * 3600),
        'M' => Duration::from_secs(amount * 60),
        'S' => Duration::from_secs(amount),
        'm' => Duration::from_millis(amount),
        'u' => Duration::from_micros(amount),
        'n' => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// Builds the [`RequestContext`] of every request, runs the request inside a span carrying
/// its RPC, request id and (once authenticated) caller, and returns `x-request-id`.
#[derive(Debug, Clone, Default)]
pub struct RequestContextLayer;

impl<S> Layer<S> for RequestContextLayer {
    type Service = RequestContextService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestContextService { inner }
    }
}

/// The service [`RequestContextLayer`] produces.
#[derive(Debug, Clone)]
pub struct RequestContextService<S> {
    inner: S,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for RequestContextService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        let context = RequestContext::from_headers(request.headers(), Instant::now());
        let span = tracing::info_span!(
            "rpc",
            rpc = %request.uri().path(),
            request_id = %context.request_id,
            caller = tracing::field::Empty,
        );
        let header = response_request_id(&context.request_id);
        request.extensions_mut().insert(context);
        // The inner call runs in the span so the auth layer can record the caller on it.
        let future = span.in_scope(|| self.inner.call(request));
        Box::pin(
            async move {
                let mut response = future.await?;
                if let Some(header) = header {
                    response.headers_mut().insert(REQUEST_ID_HEADER, header);
                }
                Ok(response)
            }
            .instrument(span),
        )
    }
}

/// The `x-request-id` response value. Marked sensitive so that HTTP/2 sends it as a literal
/// never added to the HPACK tables: a value unique to each response gains nothing from being
/// indexed, and indexing it made both ends of the connection search and evict a table full of
/// earlier request ids on every response.
fn response_request_id(request_id: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(request_id).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echoed_request_id_is_never_indexed() {
        let value = response_request_id("abc-123").unwrap();
        assert_eq!(value, "abc-123");
        assert!(value.is_sensitive());
        assert!(response_request_id("bad\nid").is_none());
    }

    #[test]
    fn grpc_timeout_units() {
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse_grpc_timeout("3S"), Some(Duration::from_secs(3)));
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("7u"), Some(Duration::from_micros(7)));
        assert_eq!(
            parse_grpc_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        for bad in ["", "S", "123456789S", "5x", "-5S", "5 S", "5é"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn request_id_is_kept_when_sane_and_generated_otherwise() {
        let now = Instant::now();
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, "abc-123".parse().unwrap());
        headers.insert(GRPC_TIMEOUT_HEADER, "1500m".parse().unwrap());
        headers.insert(IDEMPOTENCY_KEY_HEADER, "key-1".parse().unwrap());
        let context = RequestContext::from_headers(&headers, now);
        assert_eq!(context.request_id, "abc-123");
        assert_eq!(context.deadline, Some(now + Duration::from_millis(1500)));
        assert_eq!(context.idempotency_key.as_deref(), Some("key-1"));

        headers.insert(REQUEST_ID_HEADER, "has space".parse().unwrap());
        let context = RequestContext::from_headers(&headers, now);
        assert!(uuid::Uuid::parse_str(&context.request_id).is_ok());

        let context = RequestContext::from_headers(&HeaderMap::new(), now);
        assert!(uuid::Uuid::parse_str(&context.request_id).is_ok());
        assert_eq!(context.deadline, None);
    }

    #[test]
    fn call_options_carry_id_and_remaining_deadline() {
        let context = RequestContext {
            request_id: "rid".into(),
            deadline: Some(Instant::now() + Duration::from_secs(5)),
            idempotency_key: Some("k".into()),
        };
        let options = context.call_options();
        assert_eq!(options.request_id.as_deref(), Some("rid"));
        let deadline = options.deadline.unwrap();
        assert!(deadline <= Duration::from_secs(5) && deadline > Duration::from_secs(4));
        assert_eq!(options.idempotency_key, None);
    }

    #[test]
    fn the_upstream_budget_keeps_a_margin_for_the_answer() {
        assert_eq!(
            upstream_budget(Duration::from_millis(1000)),
            Duration::from_millis(950)
        );
        assert_eq!(
            upstream_budget(Duration::from_secs(10)),
            Duration::from_millis(9900)
        );
        assert_eq!(upstream_budget(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn idempotency_key_validation() {
        let mut request = Request::new(());
        assert_eq!(idempotency_key(&request).unwrap(), None);
        request
            .metadata_mut()
            .insert(IDEMPOTENCY_KEY_HEADER, "order-1".parse().unwrap());
        assert_eq!(
            idempotency_key(&request).unwrap().as_deref(),
            Some("order-1")
        );
        request.extensions_mut().insert(RequestContext {
            request_id: "r".into(),
            deadline: None,
            idempotency_key: Some("x".repeat(256)),
        });
        let err = idempotency_key(&request).unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }
}
