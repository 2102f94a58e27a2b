//! What the dispatcher remembers: every delivery attempt and the recent events (for replay).

use super::event::EventType;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::VecDeque;
use uuid::Uuid;

/// Why an attempt got no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportError {
    /// No response within the attempt timeout.
    Timeout,
    /// The connection could not be opened (refused, unreachable, DNS).
    Connect,
    /// Anything else on the way (connection reset mid-request, TLS, protocol).
    Request,
}

/// What an attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 2xx: done.
    Delivered,
    /// 4xx: the receiver refused it for good; not retried (spec/NOTES.md D11).
    Rejected,
    /// Failed; another attempt is scheduled at `next_retry_at`.
    Retrying,
    /// Failed and that was the last attempt allowed.
    GaveUp,
}

/// One HTTP attempt to deliver one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    pub event_id: Uuid,
    pub event_type: EventType,
    pub url: String,
    /// 1 for the first attempt of a delivery.
    pub attempt: u32,
    /// The HTTP status of the response, if there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Why there was no response, if there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    pub outcome: Outcome,
    /// When the attempt finished (wall-clock time: delivery happens in real time, not on the
    /// sandbox clock).
    pub at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_retry_at: Option<DateTime<Utc>>,
}

/// An emitted event, kept so that it can be delivered again byte for byte.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: Uuid,
    pub event_type: EventType,
    pub body: Bytes,
}

/// A FIFO that forgets its oldest entries beyond a capacity.
#[derive(Debug)]
pub struct Bounded<T> {
    items: VecDeque<T>,
    capacity: usize,
}

impl<T> Bounded<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            items: VecDeque::new(),
            capacity,
        }
    }

    pub fn push(&mut self, item: T) {
        if self.capacity == 0 {
            return;
        }
        while self.items.len() >= self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.iter()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_forgets_the_oldest() {
        let mut list = Bounded::new(2);
        for i in 0..5 {
            list.push(i);
        }
        assert_eq!(list.iter().copied().collect::<Vec<_>>(), vec![3, 4]);
    }
}
