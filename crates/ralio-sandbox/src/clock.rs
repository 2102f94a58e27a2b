//! The sandbox clock (spec/NOTES.md D14): real time plus an offset that only moves forward.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Cheap to clone; all clones share one offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sandbox's current time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `seconds` (saturating) and returns the new time.
    pub fn advance(&self, seconds: u64) -> DateTime<Utc> {
        let ms = i64::try_from(seconds)
            .unwrap_or(i64::MAX / 2_000)
            .saturating_mul(1_000);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.now()
    }

    /// Back to real time (used by `POST /sandbox/v1/reset`).
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_every_clone() {
        let clock = Clock::new();
        let other = clock.clone();
        let before = other.now();
        clock.advance(3_600);
        assert!(other.now() - before >= Duration::seconds(3_600));
        clock.reset();
        assert!(other.now() - before < Duration::seconds(60));
    }
}
