//! When and how long to wait before retrying a call.

use std::time::Duration;

use rand::Rng;

use crate::error::RalioError;

/// Which calls may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retryability {
    /// GET: repeating it changes nothing.
    Read,
    /// A write the caller marked with an idempotency key.
    KeyedWrite,
    /// Any other write: never repeated, since a lost response may hide a completed effect.
    Never,
}

impl Retryability {
    /// Whether `err` warrants another attempt of a call of this kind. A 500 is retried for reads
    /// only: for a write it may come after the effect was committed.
    pub(crate) fn allows(self, err: &RalioError) -> bool {
        match self {
            Self::Never => false,
            Self::Read => err.is_retryable(),
            Self::KeyedWrite => err.is_retryable() && err.status() != Some(500),
        }
    }
}

/// Exponential back-off with "equal jitter": the n-th retry waits a random time in
/// `[d/2, d]` where `d = min(max, initial * 2^n)`, so concurrent clients spread out while the
/// expected delay still grows. A `Retry-After` from the server wins (capped at `max`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
}

impl Backoff {
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max);
        }
        let factor = 1u32.checked_shl(retry.min(30)).unwrap_or(u32::MAX);
        let full = self.initial.saturating_mul(factor).min(self.max);
        let half = full / 2;
        let jitter_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if jitter_nanos == 0 {
            0
        } else {
            rand::rng().random_range(0..=jitter_nanos)
        };
        half + Duration::from_nanos(jitter)
    }
}

/// Parses `Retry-After` in its delay-seconds form. The HTTP-date form is not used by Ralio or the
/// sandbox (D3); it yields `None`, so the normal back-off applies.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RalioError;

    fn api(status: u16) -> RalioError {
        RalioError::from_response(status, b"", None, None)
    }

    #[test]
    fn writes_without_a_key_are_never_retried_and_500_only_for_reads() {
        assert!(!Retryability::Never.allows(&api(503)));
        assert!(Retryability::Read.allows(&api(500)));
        assert!(!Retryability::KeyedWrite.allows(&api(500)));
        assert!(Retryability::KeyedWrite.allows(&api(429)));
        assert!(Retryability::Read.allows(&api(504)));
        assert!(!Retryability::Read.allows(&api(404)));
        assert!(!Retryability::Read.allows(&api(422)));
    }

    #[test]
    fn delays_grow_with_jitter_and_respect_caps_and_retry_after() {
        let backoff = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for retry in 0..6 {
            let full = Duration::from_millis(100 * (1 << retry)).min(Duration::from_secs(1));
            let delay = backoff.delay(retry, None);
            assert!(
                delay >= full / 2 && delay <= full,
                "retry {retry}: {delay:?}"
            );
        }
        assert_eq!(
            backoff.delay(0, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
        assert_eq!(
            backoff.delay(0, Some(Duration::from_secs(60))),
            Duration::from_secs(1)
        );
        assert!(backoff.delay(1000, None) <= Duration::from_secs(1));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
