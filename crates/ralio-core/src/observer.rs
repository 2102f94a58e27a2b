//! A hook for what happens inside a call that the caller cannot see from its result: logins
//! (token refreshes) and retried attempts. The gateway counts them in its metrics.

use std::fmt;

use crate::error::RalioError;

/// Told about logins and retries of every call of a client. Methods run on the calling task,
/// in the middle of a call, so they must be quick and must not block (count, log).
///
/// Every method defaults to doing nothing, so an observer implements only what it needs.
pub trait ClientObserver: Send + Sync + 'static {
    /// A login made to obtain or refresh the bearer token finished (`success`: a token was
    /// issued). Not called for explicit [`crate::RalioClient::login`] calls.
    fn on_login(&self, success: bool) {
        let _ = success;
    }

    /// A call is about to be attempted again after `reason` (attempt 2 is the first retry).
    /// `operation` is `METHOD /path` with ids replaced by `{}` (e.g.
    /// `GET /api/v1/account/orders/{}`), a bounded set of names fit for a metrics label.
    fn on_retry(&self, operation: &str, attempt: u32, reason: &RalioError) {
        let _ = (operation, attempt, reason);
    }
}

impl fmt::Debug for dyn ClientObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientObserver")
    }
}
