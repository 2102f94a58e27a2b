//! Per-call options.

use std::time::Duration;

/// Options of one call. The default uses the client's configured timeout, no deadline, a fresh
/// request id and no idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CallOptions {
    /// Timeout of each HTTP attempt (overrides `ClientConfig::timeout`).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub timeout: Option<Duration>,
    /// Overall budget of the call, all attempts, back-off sleeps and a re-login included. The
    /// gateway maps the gRPC deadline to it. When it runs out the call fails with
    /// `RalioError::Timeout { kind: Deadline, .. }` and is not retried.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub deadline: Option<Duration>,
    /// Marks a write as safe to retry: the client then retries it like a read, and sends the
    /// key as `Idempotency-Key`. Upstream documents no idempotency header (upstream NOTES §6),
    /// so the server may ignore it; the caller vouches that repeating the call is harmless
    /// (e.g. it reconciles by `reference`/`ownReference`).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub idempotency_key: Option<String>,
    /// Sent as `X-Request-Id` (a UUID v4 is generated when unset); the same id is used on every
    /// attempt so the server's logs correlate them.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub request_id: Option<String>,
}

impl CallOptions {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }
}
