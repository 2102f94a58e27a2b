//! Sends one logical call: authentication, request id, idempotency key, per-attempt timeout,
//! overall deadline, retries with back-off, and decoding of the answer.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::auth::{CachedToken, TokenCache};
use crate::config::ClientConfig;
use crate::error::{RalioError, TimeoutKind};
use crate::model::{KybDocumentUpload, LoginRequest, LoginResponse};
use crate::options::CallOptions;
use crate::query::ListQuery;
use crate::retry::{Backoff, Retryability, parse_retry_after};

const REQUEST_ID: &str = "X-Request-Id";
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The body of a request, kept in a form that can be sent again on a retry.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Empty,
    Json(Vec<u8>),
    Multipart(KybDocumentUpload),
}

/// One REST call, described independently of its attempts.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    method: Method,
    /// Path segments after the base URL; each is percent-encoded, so an id can never change the
    /// route (`../`).
    segments: Vec<String>,
    query: Vec<(String, String)>,
    payload: Payload,
    authenticated: bool,
    /// Safe to repeat whatever the method (login creates nothing).
    always_retryable: bool,
    accept_language: Option<String>,
}

impl Request {
    pub(crate) fn new(method: Method, segments: &[&str]) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            payload: Payload::Empty,
            authenticated: true,
            always_retryable: false,
            accept_language: None,
        }
    }

    pub(crate) fn get(segments: &[&str]) -> Self {
        Self::new(Method::GET, segments)
    }

    pub(crate) fn post(segments: &[&str]) -> Self {
        Self::new(Method::POST, segments)
    }

    pub(crate) fn json<B: Serialize>(mut self, body: &B) -> Result<Self, RalioError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|err| RalioError::InvalidRequest(format!("body: {err}")))?;
        self.payload = Payload::Json(bytes);
        Ok(self)
    }

    pub(crate) fn multipart(mut self, upload: KybDocumentUpload) -> Self {
        self.payload = Payload::Multipart(upload);
        self
    }

    pub(crate) fn list_query(mut self, query: &ListQuery) -> Self {
        self.query = query.to_pairs();
        self
    }

    pub(crate) fn accept_language(mut self, language: Option<String>) -> Self {
        self.accept_language = language;
        self
    }

    /// `METHOD /path` with every segment that is not a fixed route word (lower-case letters and
    /// `-`, or a version such as `v1`) replaced by `{}`: ids, codes and currencies become
    /// placeholders, so the name has a bounded number of values (a metrics label) and never
    /// carries data.
    pub(crate) fn operation(&self) -> String {
        fn fixed(segment: &str) -> bool {
            let word =
                !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            let version = segment.len() <= 3
                && segment
                    .strip_prefix('v')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            word || version
        }
        let mut operation = self.method.as_str().to_owned();
        operation.push(' ');
        for segment in &self.segments {
            operation.push('/');
            operation.push_str(if fixed(segment) { segment } else { "{}" });
        }
        operation
    }

    fn path(&self) -> String {
        let mut path = String::new();
        for segment in &self.segments {
            path.push('/');
            path.push_str(segment);
        }
        path
    }
}

fn request_id(options: &CallOptions) -> String {
    options
        .request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn decode<T: DeserializeOwned>(response: RawResponse, request_id: String) -> Result<T, RalioError> {
    serde_json::from_slice(&response.body).map_err(|err| RalioError::Decode {
        status: response.status,
        message: err.to_string(),
        request_id: Some(request_id),
    })
}

/// The shared state behind a client: HTTP pool, configuration and token cache.
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    tokens: TokenCache,
    keeper: Arc<TimerKeeper>,
}

/// Keeps one timer pending in the runtime's timer wheel while calls are being made, so that
/// arming each attempt's timeout does not wake the runtime's driver.
///
/// tokio's time driver sleeps until the earliest timer it knew of when it last parked, and
/// registering a timer that expires before that wakes it up (an `eventfd` write, a thread
/// wake-up and a context switch). With nothing else pending, that happened on most calls: a
/// measurable share of a call's cost at low concurrency. A timer that fires every
/// [`KEEPER_PERIOD`] is always earlier than an attempt's timeout (seconds), so arming the
/// timeout then wakes nobody. The keeper stops after [`KEEPER_IDLE_PERIODS`] periods without
/// calls and the next call starts it again; while calls flow it costs one wake-up per period.
/// It changes no timing: a call made without it (outside a runtime, from a second runtime, or a
/// deadline shorter than the period) is bounded exactly the same way.
#[derive(Debug, Default)]
struct TimerKeeper {
    running: AtomicBool,
    used: AtomicBool,
}

const KEEPER_PERIOD: Duration = Duration::from_secs(1);
const KEEPER_IDLE_PERIODS: u32 = 10;

impl TimerKeeper {
    /// Notes a call and starts the keeper on the current runtime if it is not running.
    fn touch(self: &Arc<Self>) {
        // Read before writing: the flag's cache line stays shared between cores while set.
        if !self.used.load(Ordering::Relaxed) {
            self.used.store(true, Ordering::Relaxed);
        }
        if self.running.load(Ordering::Relaxed) || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let running = KeeperRunning(self.clone());
                runtime.spawn(running.run());
            }
            Err(_) => self.running.store(false, Ordering::Release),
        }
    }
}

/// The keeper task's hold on the `running` flag, released however the task ends (including
/// its runtime shutting down and dropping it).
struct KeeperRunning(Arc<TimerKeeper>);

impl KeeperRunning {
    async fn run(self) {
        let mut idle = 0;
        while idle < KEEPER_IDLE_PERIODS {
            tokio::time::sleep(KEEPER_PERIOD).await;
            if self.0.used.swap(false, Ordering::Relaxed) {
                idle = 0;
            } else {
                idle += 1;
            }
        }
    }
}

impl Drop for KeeperRunning {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

/// What one attempt produced before decoding.
struct RawResponse {
    status: u16,
    /// What an error needs from the headers (`Retry-After`, `X-Request-Id`); not read for a
    /// success.
    error_headers: Option<ErrorHeaders>,
    body: bytes::Bytes,
}

struct ErrorHeaders {
    retry_after: Option<Duration>,
    request_id: Option<String>,
}

impl Transport {
    pub(crate) fn new(config: ClientConfig) -> Result<Self, RalioError> {
        config.validate()?;
        let base = Url::parse(&config.base_url)
            .map_err(|err| RalioError::InvalidRequest(format!("base_url: {err}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|err| RalioError::InvalidRequest(format!("http client: {err}")))?;
        Ok(Self {
            http,
            base,
            tokens: TokenCache::new(config.token_refresh_margin),
            config,
            keeper: Arc::default(),
        })
    }

    /// Runs `request` to completion and decodes a 2xx body as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<T, RalioError> {
        if !request.authenticated {
            return Box::pin(self.call_anonymous(request, options)).await;
        }
        let request_id = request_id(options);
        let deadline = options.deadline.map(|budget| Instant::now() + budget);
        let started = Instant::now();
        // Boxed, so that the futures of the callers (a sub-client method, the gateway's
        // service method and tonic's layers above it) stay a few hundred bytes: each level
        // moves its callee's future into its own state, and this one is kilobytes.
        let response = Box::pin(self.run(
            &request,
            options,
            &request_id,
            deadline,
            started,
            |rejected| self.token(rejected, options, &request_id, deadline),
        ))
        .await?;
        decode(response, request_id)
    }

    /// [`Transport::call`] without a token (login). Kept apart so that login, which runs inside
    /// the token step of authenticated calls, does not make their future recursive.
    async fn call_anonymous<T: DeserializeOwned>(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<T, RalioError> {
        let request_id = request_id(options);
        let deadline = options.deadline.map(|budget| Instant::now() + budget);
        let started = Instant::now();
        let response = self
            .run(
                &request,
                options,
                &request_id,
                deadline,
                started,
                |_| async { Ok(None) },
            )
            .await?;
        decode(response, request_id)
    }

    /// Logs in explicitly (also what the token cache calls).
    pub(crate) async fn login(&self, options: &CallOptions) -> Result<LoginResponse, RalioError> {
        let mut request = Request::post(&["api", "v1", "auth", "login"]).json(&LoginRequest {
            api_code: self.config.api_code.clone(),
            api_key: self.config.api_key.clone(),
        })?;
        request.authenticated = false;
        request.always_retryable = true;
        self.call_anonymous(request, options).await
    }

    /// The attempt loop. A 401 on an authenticated call re-logs in once and repeats the call
    /// (that repeat is not counted as a retry); transient failures are retried as
    /// [`Retryability`] allows.
    async fn run<F, Fut>(
        &self,
        request: &Request,
        options: &CallOptions,
        request_id: &str,
        deadline: Option<Instant>,
        started: Instant,
        mut token_for: F,
    ) -> Result<RawResponse, RalioError>
    where
        F: FnMut(Option<u64>) -> Fut,
        Fut: Future<Output = Result<Option<CachedToken>, RalioError>>,
    {
        let retryability = if request.always_retryable || request.method == Method::GET {
            Retryability::Read
        } else if options.idempotency_key.is_some() {
            Retryability::KeyedWrite
        } else {
            Retryability::Never
        };
        let backoff = Backoff {
            initial: self.config.initial_backoff,
            max: self.config.max_backoff,
        };
        let mut retries = 0u32;
        let mut rejected_generation = None;
        let mut relogged = false;
        loop {
            let token = token_for(rejected_generation).await?;
            let err = match self
                .attempt(
                    request,
                    token.as_ref(),
                    options,
                    request_id,
                    deadline,
                    started,
                )
                .await
            {
                Ok(response) => return Ok(response),
                Err(err) => err,
            };
            if let Some(token) = &token
                && err.status() == Some(401)
                && !relogged
            {
                tracing::debug!(request_id, path = %request.path(), "401: logging in again once");
                relogged = true;
                rejected_generation = Some(token.generation);
                continue;
            }
            if retries >= self.config.max_retries || !retryability.allows(&err) {
                return Err(err);
            }
            let delay = backoff.delay(retries, err.retry_after());
            if let Some(deadline) = deadline
                && Instant::now() + delay >= deadline
            {
                // Waiting would overrun the deadline: report the real failure, except that a
                // timed-out attempt is then the deadline's doing.
                return Err(match err {
                    RalioError::Timeout { request_id, .. } => RalioError::Timeout {
                        kind: TimeoutKind::Deadline,
                        elapsed: started.elapsed(),
                        request_id,
                    },
                    other => other,
                });
            }
            tracing::debug!(request_id, path = %request.path(), retry = retries + 1, ?delay, error = %err, "retrying");
            if let Some(observer) = &self.config.observer {
                // Attempts are numbered from 1: the first retry is attempt 2.
                observer.on_retry(&request.operation(), retries + 2, &err);
            }
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    /// A token from the cache, logging in (single-flight) when needed. The login shares the
    /// call's request id and what is left of its deadline.
    async fn token(
        &self,
        rejected: Option<u64>,
        options: &CallOptions,
        request_id: &str,
        deadline: Option<Instant>,
    ) -> Result<Option<CachedToken>, RalioError> {
        self.tokens
            .get(rejected, || async move {
                let login_options = CallOptions {
                    timeout: options.timeout,
                    deadline: deadline.map(|d| d.saturating_duration_since(Instant::now())),
                    idempotency_key: None,
                    request_id: Some(request_id.to_owned()),
                };
                // Boxed: logging in is rare, and inline its future (a whole second call) would
                // double the size of every call's future, which is moved at each await level.
                let login = Box::pin(self.login(&login_options)).await;
                if let Some(observer) = &self.config.observer {
                    observer.on_login(login.is_ok());
                }
                Ok(login?.token)
            })
            .await
            .map(Some)
    }

    /// One HTTP exchange, bounded by the per-attempt timeout and the remaining deadline.
    async fn attempt(
        &self,
        request: &Request,
        token: Option<&CachedToken>,
        options: &CallOptions,
        request_id: &str,
        deadline: Option<Instant>,
        started: Instant,
    ) -> Result<RawResponse, RalioError> {
        let per_attempt = options.timeout.unwrap_or(self.config.timeout);
        let (budget, kind) = match deadline {
            Some(deadline) => {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(RalioError::Timeout {
                        kind: TimeoutKind::Deadline,
                        elapsed: started.elapsed(),
                        request_id: Some(request_id.to_owned()),
                    });
                }
                if remaining < per_attempt {
                    (remaining, TimeoutKind::Deadline)
                } else {
                    (per_attempt, TimeoutKind::Attempt)
                }
            }
            None => (per_attempt, TimeoutKind::Attempt),
        };

        let builder = self.build(request, token, options, request_id)?;
        self.keeper.touch();
        let exchange = async {
            let response = builder.send().await?;
            let status = response.status().as_u16();
            let error_headers = (!(200..300).contains(&status)).then(|| {
                let headers = response.headers();
                ErrorHeaders {
                    retry_after: headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_retry_after),
                    request_id: headers
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                }
            });
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(RawResponse {
                status,
                error_headers,
                body,
            })
        };
        let response = match tokio::time::timeout(budget, exchange).await {
            Err(_) => {
                return Err(RalioError::Timeout {
                    kind,
                    elapsed: started.elapsed(),
                    request_id: Some(request_id.to_owned()),
                });
            }
            // Checked before `is_timeout`: a connect timeout is both, and what matters to the
            // caller is that no connection, hence no request, ever reached RalioPay.
            Ok(Err(err)) if err.is_connect() || err.is_builder() => {
                return Err(RalioError::Transport {
                    message: err.to_string(),
                    request_id: Some(request_id.to_owned()),
                    request_sent: false,
                });
            }
            Ok(Err(err)) if err.is_timeout() => {
                return Err(RalioError::Timeout {
                    kind: TimeoutKind::Attempt,
                    elapsed: started.elapsed(),
                    request_id: Some(request_id.to_owned()),
                });
            }
            Ok(Err(err)) => {
                return Err(RalioError::Transport {
                    message: err.to_string(),
                    request_id: Some(request_id.to_owned()),
                    request_sent: true,
                });
            }
            Ok(Ok(response)) => response,
        };
        let Some(error_headers) = &response.error_headers else {
            return Ok(response);
        };
        let retry_after = error_headers.retry_after;
        let header_request_id = error_headers
            .request_id
            .clone()
            .or_else(|| Some(request_id.to_owned()));
        Err(RalioError::from_response(
            response.status,
            &response.body,
            retry_after,
            header_request_id,
        ))
    }

    fn build(
        &self,
        request: &Request,
        token: Option<&CachedToken>,
        options: &CallOptions,
        request_id: &str,
    ) -> Result<reqwest::RequestBuilder, RalioError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| RalioError::InvalidRequest("base_url cannot take a path".into()))?
            .pop_if_empty()
            .extend(&request.segments);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .header(ACCEPT, "application/json")
            .header(REQUEST_ID, request_id);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(token) = token {
            builder = match &token.authorization {
                // Built and marked sensitive once per login.
                Some(header) => builder.header(AUTHORIZATION, header.clone()),
                None => builder.bearer_auth(token.token.expose()),
            };
        }
        if let Some(key) = &options.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(language) = &request.accept_language {
            builder = builder.header(ACCEPT_LANGUAGE, language);
        }
        builder = match &request.payload {
            Payload::Empty => builder,
            Payload::Json(bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Payload::Multipart(upload) => {
                let file = reqwest::multipart::Part::bytes(upload.content.clone())
                    .file_name(upload.file_name.clone())
                    .mime_str(&upload.mime_type)
                    .map_err(|err| RalioError::InvalidRequest(format!("mime_type: {err}")))?;
                let form = reqwest::multipart::Form::new()
                    .text("category", upload.category.clone())
                    .text("type", upload.document_type.clone())
                    .part("file", file);
                builder.multipart(form)
            }
        };
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_keeper_runs_while_used_and_is_released_with_its_runtime() {
        let keeper = Arc::new(TimerKeeper::default());
        // Outside any runtime nothing is started.
        keeper.touch();
        assert!(!keeper.running.load(Ordering::Acquire));

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            keeper.touch();
            keeper.touch();
            assert!(keeper.running.load(Ordering::Acquire));
            tokio::task::yield_now().await;
            assert!(keeper.running.load(Ordering::Acquire));
        });
        // A runtime that goes away drops its keeper task, which releases the flag so that the
        // next runtime gets a keeper of its own.
        drop(runtime);
        assert!(!keeper.running.load(Ordering::Acquire));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async { keeper.touch() });
        assert!(keeper.running.load(Ordering::Acquire));
    }

    #[test]
    fn operation_names_keep_route_words_and_hide_ids() {
        let oid = "3f2b1c4d-0000-4000-8000-00000000abcd";
        let request = Request::get(&["api", "v1", "account", "bank-payouts", oid, "validate-otp"]);
        assert_eq!(
            request.operation(),
            "GET /api/v1/account/bank-payouts/{}/validate-otp"
        );
        let request = Request::post(&["api", "v1", "reference", "EUR", "deadbeef9", ""]);
        assert_eq!(request.operation(), "POST /api/v1/reference/{}/{}/{}");
    }
}
