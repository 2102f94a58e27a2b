//! Wakes subscribers when the log grows, and keeps the newest events in memory.
//!
//! Subscribers never get events pushed into per-subscriber queues: each one reads the log from
//! its own cursor. The hub only (1) announces the new head through a `watch` channel (one shared
//! value, no per-subscriber memory) and (2) holds a bounded tail of the newest events so that the
//! thousand subscribers at the head read them from memory, sharing one copy, instead of each
//! querying storage. A subscriber behind the tail reads storage.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::RwLock;
use tokio::sync::watch;

use super::filter::EventFilter;
use super::log::{LoggedEvent, ReadBatch};

/// Default number of newest events kept in memory.
pub const DEFAULT_TAIL: usize = 4096;

struct Tail {
    events: VecDeque<Arc<LoggedEvent>>,
    /// Every event with a cursor above this one is in `events`.
    complete_after: u64,
}

/// Index of the first event with a cursor above `after` in `events` (ascending cursors).
/// Cursors are usually consecutive, so the index is computed and checked against its
/// neighbours (two look-ups, where a binary search over the tail touched a dozen events that
/// other cores had written); a gap falls back to the search.
fn first_after(events: &VecDeque<Arc<LoggedEvent>>, after: u64) -> usize {
    let Some(front) = events.front() else {
        return 0;
    };
    if after < front.cursor {
        return 0;
    }
    if let Ok(guess) = usize::try_from(after - front.cursor + 1)
        && guess <= events.len()
        && events[guess - 1].cursor <= after
        && events.get(guess).is_none_or(|event| event.cursor > after)
    {
        return guess;
    }
    events.partition_point(|event| event.cursor <= after)
}

/// Head announcements and the in-memory tail.
pub struct Hub {
    head: watch::Sender<u64>,
    tail: RwLock<Tail>,
    capacity: usize,
}

impl Hub {
    /// A hub over a log whose newest cursor is `head`.
    pub fn new(head: u64, capacity: usize) -> Self {
        Self {
            head: watch::Sender::new(head),
            tail: RwLock::new(Tail {
                events: VecDeque::with_capacity(capacity.min(1024)),
                complete_after: head,
            }),
            capacity: capacity.max(1),
        }
    }

    /// Records newly committed events (ascending cursors, all above the current head) and wakes
    /// subscribers. Call from one writer at a time, in commit order.
    pub fn publish(&self, events: impl IntoIterator<Item = Arc<LoggedEvent>>) {
        let mut newest = None;
        {
            let mut tail = self.tail.write();
            for event in events {
                newest = Some(event.cursor);
                tail.events.push_back(event);
                while tail.events.len() > self.capacity {
                    if let Some(evicted) = tail.events.pop_front() {
                        tail.complete_after = evicted.cursor;
                    }
                }
            }
        }
        // After the tail update, so a woken reader finds the events in memory.
        if let Some(cursor) = newest {
            self.head.send_if_modified(|head| {
                let moved = cursor > *head;
                *head = (*head).max(cursor);
                moved
            });
        }
    }

    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    pub fn watch(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Reads after `after` from memory when the tail covers it; `None` when the reader is
    /// behind the tail and must read storage. Looks at no more than `scan_limit` events.
    pub fn read_cached(
        &self,
        after: u64,
        filter: &EventFilter,
        limit: usize,
        scan_limit: usize,
    ) -> Option<ReadBatch> {
        let tail = self.tail.read();
        if after < tail.complete_after {
            return None;
        }
        let start = first_after(&tail.events, after);
        let mut batch = ReadBatch {
            events: Vec::new(),
            scanned_to: after,
        };
        for event in tail.events.range(start..).take(scan_limit) {
            batch.scanned_to = event.cursor;
            if filter.matches(event) {
                batch.events.push(Arc::clone(event));
                if batch.events.len() >= limit {
                    break;
                }
            }
        }
        if batch.events.is_empty() && start == tail.events.len() {
            // Nothing newer in memory: the reader is at the head.
            batch.scanned_to = after.max(tail.complete_after);
        }
        Some(batch)
    }

    /// The cached event at `cursor`, if still in memory.
    pub fn cached(&self, cursor: u64) -> Option<Arc<LoggedEvent>> {
        let tail = self.tail.read();
        let index = tail
            .events
            .binary_search_by_key(&cursor, |event| event.cursor)
            .ok()?;
        tail.events.get(index).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::log::NewEvent;
    use ralio_core::webhook::Envelope;

    fn event(cursor: u64, name: &str) -> Arc<LoggedEvent> {
        Arc::new(LoggedEvent::new(
            cursor,
            0,
            NewEvent {
                id: format!("e{cursor}"),
                type_name: name.into(),
                envelope: Envelope::V2,
                occurred_at: String::new(),
                user_id: None,
                account_id: None,
                data: "{}".into(),
            },
        ))
    }

    #[test]
    fn tail_serves_readers_at_the_head_and_refuses_older_ones() {
        let hub = Hub::new(10, 3);
        let mut watch = hub.watch();
        hub.publish([event(11, "a"), event(12, "b")]);
        assert!(watch.has_changed().unwrap());
        assert_eq!(*watch.borrow_and_update(), 12);
        let all = EventFilter::default();
        let batch = hub.read_cached(10, &all, 10, 10).unwrap();
        assert_eq!(batch.events.len(), 2);
        assert_eq!(batch.scanned_to, 12);
        assert!(hub.read_cached(9, &all, 10, 10).is_none());

        hub.publish([event(13, "c"), event(14, "d")]);
        // 11 was evicted: a reader after 10 must go to storage now.
        assert!(hub.read_cached(10, &all, 10, 10).is_none());
        let batch = hub.read_cached(11, &all, 1, 10).unwrap();
        assert_eq!(batch.events[0].cursor, 12);
        assert_eq!(batch.scanned_to, 12);

        let only_d = EventFilter::new(&["d".into()], "", "").unwrap();
        let batch = hub.read_cached(11, &only_d, 10, 10).unwrap();
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.scanned_to, 14);
        let batch = hub.read_cached(14, &all, 10, 10).unwrap();
        assert!(batch.events.is_empty());
        assert_eq!(batch.scanned_to, 14);
        assert_eq!(hub.cached(13).unwrap().event.id, "e13");
        assert!(hub.cached(11).is_none());
    }

    #[test]
    fn the_first_event_after_a_cursor_is_found_with_and_without_gaps() {
        let dense: VecDeque<_> = (5..=9).map(|cursor| event(cursor, "a")).collect();
        // Cursors with gaps (rolled-back appends leave them): the computed index is wrong and
        // the search takes over.
        let gappy: VecDeque<_> = [5, 6, 9, 10, 14]
            .into_iter()
            .map(|cursor| event(cursor, "a"))
            .collect();
        for events in [&dense, &gappy] {
            for after in 0..16 {
                let expected = events.partition_point(|event| event.cursor <= after);
                assert_eq!(first_after(events, after), expected, "after {after}");
            }
        }
        assert_eq!(first_after(&VecDeque::new(), 3), 0);
    }
}
