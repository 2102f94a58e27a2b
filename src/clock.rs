//! Wall-clock time as the gateway stores and compares it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix milliseconds (0 before 1970, `i64::MAX` past the year 292 million). Event
/// receive times, idempotency record ages and JetStream lease deadlines all use it, so replicas
/// reading each other's values compare like with like.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}
