//! Delivery policy: timeouts, retry schedule and limits (spec/NOTES.md D11).

use std::time::Duration;

/// How the dispatcher delivers. The defaults are D11's; tests shrink the delays.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Delay before the second attempt.
    pub base_delay: Duration,
    /// Each further delay is the previous one times this.
    pub factor: u32,
    /// Attempts per event, the first included; after the last failure the event is given up.
    pub max_attempts: u32,
    /// Time allowed for one attempt (connect, send, response head).
    pub attempt_timeout: Duration,
    /// Upper bound of a single delay, before jitter.
    pub max_delay: Duration,
    /// Attempts in flight at once across all events; a slow receiver holds one slot only.
    pub max_in_flight: usize,
    /// Recent events kept for redelivery.
    pub event_history: usize,
    /// Recent attempts kept for `GET /sandbox/v1/webhook/deliveries`.
    pub delivery_history: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_secs(1),
            factor: 2,
            max_attempts: 8,
            attempt_timeout: Duration::from_secs(60),
            max_delay: Duration::from_secs(300),
            max_in_flight: 16,
            event_history: 1_000,
            delivery_history: 10_000,
        }
    }
}

impl DeliverySettings {
    /// The delay after failed attempt number `attempt` (1-based), without jitter:
    /// `base_delay * factor^(attempt - 1)`, capped at `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1);
        let multiplier = self.factor.max(1).checked_pow(exponent).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(multiplier)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// [`Self::backoff`] plus up to 10 % random jitter, so that many events failing together do
    /// not retry in lock-step.
    pub fn backoff_with_jitter(&self, attempt: u32) -> Duration {
        let delay = self.backoff(attempt);
        let jitter = delay.mul_f64(rand::random::<f64>() * 0.1);
        delay.saturating_add(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let settings = DeliverySettings::default();
        assert_eq!(settings.backoff(1), Duration::from_secs(1));
        assert_eq!(settings.backoff(2), Duration::from_secs(2));
        assert_eq!(settings.backoff(7), Duration::from_secs(64));
        assert_eq!(settings.backoff(40), Duration::from_secs(300));
        let jittered = settings.backoff_with_jitter(3);
        assert!(jittered >= Duration::from_secs(4) && jittered <= Duration::from_millis(4_400));
    }
}
