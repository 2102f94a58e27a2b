//! Prometheus metrics: gRPC requests by RPC and status code, and the upstream (RalioPay) side:
//! latency, token refreshes, retries. Served as text on the admin HTTP port at `/metrics`.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body::{Body, Frame, SizeHint};
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use tonic::Code;
use tower::{Layer, Service};

/// Latency buckets (seconds): from 100 µs (local sandbox) to 30 s (upstream timeout).
const LATENCY_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

/// The core client reports its logins and retries here (set as its observer by the server).
impl ralio_core::ClientObserver for Metrics {
    fn on_login(&self, success: bool) {
        if success {
            self.token_refreshed();
        }
    }

    fn on_retry(&self, operation: &str, _attempt: u32, _reason: &ralio_core::RalioError) {
        self.upstream_retried(operation);
    }
}

/// The gateway's metric families. Cheap to clone (all handles are shared).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    grpc_requests: IntCounterVec,
    grpc_duration: HistogramVec,
    upstream_duration: HistogramVec,
    token_refreshes: IntCounter,
    upstream_retries: IntCounterVec,
    idempotent_replays: IntCounter,
    webhooks: IntCounterVec,
    webhook_unknown_types: IntCounter,
    event_streams: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let grpc_requests = IntCounterVec::new(
            Opts::new(
                "ralio_gateway_grpc_requests_total",
                "gRPC requests handled, by RPC path and gRPC status code",
            ),
            &["rpc", "code"],
        )?;
        let grpc_duration = HistogramVec::new(
            HistogramOpts::new(
                "ralio_gateway_grpc_request_duration_seconds",
                "Time from request headers to the final gRPC status, by RPC path",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["rpc"],
        )?;
        let upstream_duration = HistogramVec::new(
            HistogramOpts::new(
                "ralio_gateway_upstream_request_duration_seconds",
                "Duration of RalioPay REST calls (retries included), by operation and outcome",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation", "outcome"],
        )?;
        let token_refreshes = IntCounter::new(
            "ralio_gateway_upstream_token_refreshes_total",
            "RalioPay logins made to obtain or refresh the bearer token",
        )?;
        let upstream_retries = IntCounterVec::new(
            Opts::new(
                "ralio_gateway_upstream_retries_total",
                "RalioPay call attempts repeated after a transient failure, by operation",
            ),
            &["operation"],
        )?;
        let idempotent_replays = IntCounter::new(
            "ralio_gateway_idempotent_replays_total",
            "Requests answered from the idempotency store without calling RalioPay",
        )?;
        registry.register(Box::new(grpc_requests.clone()))?;
        registry.register(Box::new(grpc_duration.clone()))?;
        registry.register(Box::new(upstream_duration.clone()))?;
        registry.register(Box::new(token_refreshes.clone()))?;
        registry.register(Box::new(upstream_retries.clone()))?;
        registry.register(Box::new(idempotent_replays.clone()))?;
        let webhooks = IntCounterVec::new(
            Opts::new(
                "ralio_gateway_webhooks_total",
                "Webhook deliveries received, by outcome (stored, duplicate, unauthorized, \
                 malformed, unavailable)",
            ),
            &["outcome"],
        )?;
        let webhook_unknown_types = IntCounter::new(
            "ralio_gateway_webhook_unknown_types_total",
            "Stored webhook events whose type the contract does not know (raw payload only)",
        )?;
        registry.register(Box::new(webhooks.clone()))?;
        registry.register(Box::new(webhook_unknown_types.clone()))?;
        let event_streams = IntGauge::new(
            "ralio_gateway_event_streams_open",
            "Subscribe streams currently open (plain subscribers and consumer members)",
        )?;
        registry.register(Box::new(event_streams.clone()))?;
        Ok(Self {
            registry,
            grpc_requests,
            grpc_duration,
            upstream_duration,
            token_refreshes,
            upstream_retries,
            idempotent_replays,
            webhooks,
            webhook_unknown_types,
            event_streams,
        })
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, "could not encode metrics");
                String::new()
            })
    }

    pub fn observe_rpc(&self, rpc: &str, code: Code, elapsed: Duration) {
        self.grpc_requests
            .with_label_values(&[rpc, code_name(code)])
            .inc();
        self.grpc_duration
            .with_label_values(&[rpc])
            .observe(elapsed.as_secs_f64());
    }

    /// One RalioPay call (`operation` is a fixed name such as `payouts.create`; `outcome` is
    /// `ok` or the error's gRPC code name).
    pub fn observe_upstream(&self, operation: &str, outcome: &str, elapsed: Duration) {
        self.upstream_duration
            .with_label_values(&[operation, outcome])
            .observe(elapsed.as_secs_f64());
    }

    pub fn token_refreshed(&self) {
        self.token_refreshes.inc();
    }

    pub fn upstream_retried(&self, operation: &str) {
        self.upstream_retries.with_label_values(&[operation]).inc();
    }

    pub fn idempotent_replayed(&self) {
        self.idempotent_replays.inc();
    }

    /// One webhook delivery and what became of it (a fixed outcome name).
    pub fn webhook_received(&self, outcome: &str) {
        self.webhooks.with_label_values(&[outcome]).inc();
    }

    /// A stored webhook event of a type the contract does not know.
    pub fn webhook_unknown_type(&self) {
        self.webhook_unknown_types.inc();
    }

    /// Counts one open `Subscribe` stream until the returned guard is dropped.
    pub fn event_stream_opened(&self) -> OpenStreamGuard {
        self.event_streams.inc();
        OpenStreamGuard(self.event_streams.clone())
    }
}

/// One open `Subscribe` stream in `ralio_gateway_event_streams_open`; dropped with the stream.
#[derive(Debug)]
pub struct OpenStreamGuard(IntGauge);

impl Drop for OpenStreamGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The canonical upper-snake name of a gRPC code, as other gRPC metrics use.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

fn code_of(headers: &http::HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?;
    Some(Code::from_bytes(value.as_bytes()))
}

/// Counts every gRPC request by RPC and final status code. RPC paths not in `known` are
/// counted as `unknown`, so random paths cannot blow up label cardinality.
///
/// The handles of each RPC's series are resolved once (on first use, so the exposition still
/// lists only series that were observed) and kept per RPC: a request costs one map lookup and
/// no label hashing, allocation or registry lock.
#[derive(Clone)]
pub struct MetricsLayer {
    rpcs: Arc<HashMap<String, Arc<RpcMetrics>>>,
    unknown: Arc<RpcMetrics>,
}

impl MetricsLayer {
    pub fn new(metrics: Metrics, known_methods: impl IntoIterator<Item = String>) -> Self {
        let rpcs = known_methods
            .into_iter()
            .map(|rpc| {
                let entry = Arc::new(RpcMetrics::new(&metrics, rpc.clone()));
                (rpc, entry)
            })
            .collect();
        Self {
            rpcs: Arc::new(rpcs),
            unknown: Arc::new(RpcMetrics::new(&metrics, "unknown".to_owned())),
        }
    }

    fn entry(&self, path: &str) -> Arc<RpcMetrics> {
        self.rpcs.get(path).unwrap_or(&self.unknown).clone()
    }
}

/// The series of one RPC label: its duration histogram and its request counter per code.
struct RpcMetrics {
    rpc: String,
    requests: IntCounterVec,
    durations: HistogramVec,
    by_code: [OnceLock<IntCounter>; CODES],
    duration: OnceLock<Histogram>,
}

/// Number of gRPC status codes (`OK` = 0 … `UNAUTHENTICATED` = 16).
const CODES: usize = 17;

impl RpcMetrics {
    fn new(metrics: &Metrics, rpc: String) -> Self {
        Self {
            rpc,
            requests: metrics.grpc_requests.clone(),
            durations: metrics.grpc_duration.clone(),
            by_code: std::array::from_fn(|_| OnceLock::new()),
            duration: OnceLock::new(),
        }
    }

    /// The same as [`Metrics::observe_rpc`] for this RPC.
    fn observe(&self, code: Code, elapsed: Duration) {
        // Every `Code` is one of the 17 defined values (`Code::from_i32` maps others to
        // `Unknown`), so the index is in range.
        self.by_code[code as usize]
            .get_or_init(|| {
                self.requests
                    .with_label_values(&[self.rpc.as_str(), code_name(code)])
            })
            .inc();
        self.duration
            .get_or_init(|| self.durations.with_label_values(&[self.rpc.as_str()]))
            .observe(elapsed.as_secs_f64());
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`MetricsLayer`] produces.
#[derive(Clone)]
pub struct MetricsService<S> {
    inner: S,
    layer: MetricsLayer,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for MetricsService<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
    S::Future: Send + 'static,
    ResBody: Body + Send + 'static,
{
    type Response = http::Response<MeteredBody<ResBody>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        let mut recorder = Recorder {
            pending: Some((self.layer.entry(request.uri().path()), Instant::now())),
        };
        let future = self.inner.call(request);
        Box::pin(async move {
            let response = future.await?;
            // A "trailers-only" response (every error tonic returns before streaming) has its
            // status in the headers; otherwise it arrives in the body's trailers.
            if let Some(code) = code_of(response.headers()) {
                recorder.finish(code);
            }
            Ok(response.map(|body| MeteredBody {
                inner: body,
                recorder,
            }))
        })
    }
}

/// Records the request once, when its status is known; a request dropped before that (the
/// client went away) is counted as `CANCELLED`.
struct Recorder {
    pending: Option<(Arc<RpcMetrics>, Instant)>,
}

impl Recorder {
    fn finish(&mut self, code: Code) {
        if let Some((rpc, started)) = self.pending.take() {
            rpc.observe(code, started.elapsed());
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish(Code::Cancelled);
    }
}

pin_project_lite::pin_project! {
    /// A response body that reports the `grpc-status` trailer to the metrics.
    pub struct MeteredBody<B> {
        #[pin]
        inner: B,
        recorder: Recorder,
    }
}

impl<B: Body> Body for MeteredBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(code) = frame.trailers_ref().and_then(code_of) {
                    this.recorder.finish(code);
                }
            }
            Poll::Ready(Some(Err(_))) => this.recorder.finish(Code::Internal),
            // A body that ends without a status trailer broke the gRPC protocol.
            Poll::Ready(None) => this.recorder.finish(Code::Unknown),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_text_has_every_family() {
        let metrics = Metrics::new().unwrap();
        metrics.observe_rpc(
            "/ralio.v1.UsersService/GetUser",
            Code::NotFound,
            Duration::from_millis(2),
        );
        metrics.observe_upstream("users.get", "ok", Duration::from_millis(1));
        metrics.token_refreshed();
        metrics.upstream_retried("users.get");
        metrics.idempotent_replayed();
        let text = metrics.render();
        for name in [
            "ralio_gateway_grpc_requests_total{code=\"NOT_FOUND\",rpc=\"/ralio.v1.UsersService/GetUser\"} 1",
            "ralio_gateway_grpc_request_duration_seconds_bucket",
            "ralio_gateway_upstream_request_duration_seconds_bucket",
            "ralio_gateway_upstream_token_refreshes_total 1",
            "ralio_gateway_upstream_retries_total{operation=\"users.get\"} 1",
            "ralio_gateway_idempotent_replays_total 1",
        ] {
            assert!(text.contains(name), "missing {name} in\n{text}");
        }
    }

    #[test]
    fn the_layer_counts_per_rpc_and_code_and_folds_unknown_paths() {
        let metrics = Metrics::new().unwrap();
        let layer = MetricsLayer::new(
            metrics.clone(),
            ["/ralio.v1.UsersService/GetUser".to_owned()],
        );
        let known = layer.entry("/ralio.v1.UsersService/GetUser");
        known.observe(Code::Ok, Duration::from_millis(1));
        known.observe(Code::Ok, Duration::from_millis(1));
        known.observe(Code::Unauthenticated, Duration::from_millis(1));
        layer
            .entry("/random/Path")
            .observe(Code::Unimplemented, Duration::from_millis(1));
        // The cached handles and the label API count into the same series.
        metrics.observe_rpc(
            "/ralio.v1.UsersService/GetUser",
            Code::Ok,
            Duration::from_millis(1),
        );
        let text = metrics.render();
        for line in [
            "ralio_gateway_grpc_requests_total{code=\"OK\",rpc=\"/ralio.v1.UsersService/GetUser\"} 3",
            "ralio_gateway_grpc_requests_total{code=\"UNAUTHENTICATED\",rpc=\"/ralio.v1.UsersService/GetUser\"} 1",
            "ralio_gateway_grpc_requests_total{code=\"UNIMPLEMENTED\",rpc=\"unknown\"} 1",
            "ralio_gateway_grpc_request_duration_seconds_count{rpc=\"/ralio.v1.UsersService/GetUser\"} 4",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
        // Series appear only once observed.
        assert!(!text.contains("code=\"NOT_FOUND\""), "{text}");
    }
}
