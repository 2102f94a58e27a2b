//! Durable named consumers shared by every replica: competing members on different gateway
//! processes split the work through the leases bucket (the `leases` module), and the
//! acknowledged position lives in the positions bucket (the `positions` module).
//!
//! A member asking for events (i) takes over leases whose ack-wait is up, then (ii) reads the
//! log after what this replica has looked at and claims each matching event (create-if-absent).
//! An event someone else holds is remembered with its deadline, and claimed again once that
//! has passed (unless it was acknowledged meanwhile). So while every member acknowledges in
//! time, each event goes to exactly one member, whichever replica serves it; an event whose
//! member stops acknowledging (or disconnects, or whose replica dies) goes to another member
//! after the ack-wait. At-least-once: clients dedupe on the event id.
//!
//! An `Ack` (on any replica) marks the lease `acked`, then walks the log from the stored
//! position over acknowledged events and raises the position to just below the first one that
//! is not (compare-and-set, forward only), and purges the keys it passed. Acknowledging a
//! cursor nobody was ever handed acknowledges everything up to it (as with SQLite).
//!
//! What a replica knows about leases held elsewhere may be stale; every decision that matters
//! is a compare-and-set on the bucket, and the local state only decides when to look again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, Notify, watch};
use tokio::time::Instant;

use super::Store;
use super::leases::{Acked, Claim, Leases, State as LeaseState};
use super::positions;
use crate::clock::now_ms;
use crate::events::consumers::{Leased, Lessee};
use crate::events::filter::EventFilter;
use crate::events::log::{BoxFuture, ConsumerSettings, LogError, LoggedEvent};

/// Most events one `next` looks at beyond what this replica has seen (each costs a claim).
const SCAN_BUDGET: usize = 1024;
/// Most events an ack's walk over acknowledged events looks at.
const WALK_BUDGET: usize = 1024;
/// How often a member that is full (max in flight) checks whether its leases were acknowledged
/// through another replica.
const FULL_RECHECK: Duration = Duration::from_secs(1);

/// An event above the position, not known to be acknowledged.
struct Pending {
    event: Arc<LoggedEvent>,
    /// The member of this replica holding it, if one does.
    member: Option<u64>,
    /// Lease deadline, Unix milliseconds (0: claim it whenever a member has room).
    expires_ms: i64,
}

struct GroupState {
    filter: Arc<EventFilter>,
    /// Stored position, as last read or written.
    floor: u64,
    /// Every event up to here has been looked at by this replica.
    scanned: u64,
    pending: BTreeMap<u64, Pending>,
    /// Acknowledged cursors above `floor`: their keys are purged once the position passes.
    done: BTreeSet<u64>,
}

impl GroupState {
    fn raise_floor(&mut self, floor: u64) -> Vec<u64> {
        if floor > self.floor {
            self.floor = floor;
        }
        self.scanned = self.scanned.max(self.floor);
        self.pending = self.pending.split_off(&(self.floor + 1));
        let passed: Vec<u64> = self.done.range(..=self.floor).copied().collect();
        self.done = self.done.split_off(&(self.floor + 1));
        passed
    }
}

struct Group {
    name: String,
    state: Mutex<GroupState>,
    /// Signalled when leases are released here (acks) so that waiting members look again.
    changed: Arc<Notify>,
}

/// Every consumer group with live members in this replica.
pub(super) struct SharedGroups {
    store: Arc<Store>,
    leases: Leases,
    /// Names this process in lease holders (`<replica>.<member>`).
    replica: String,
    groups: std::sync::Mutex<HashMap<String, Arc<Group>>>,
    next_member: AtomicU64,
}

fn lease_key(name: &str, cursor: u64) -> String {
    format!("{}.{cursor}", positions::key(name))
}

impl SharedGroups {
    pub(super) fn new(store: Arc<Store>, leases: Leases) -> Self {
        Self {
            store,
            leases,
            replica: uuid::Uuid::new_v4().simple().to_string(),
            groups: std::sync::Mutex::new(HashMap::new()),
            next_member: AtomicU64::new(1),
        }
    }

    fn live(&self, name: &str) -> Option<Arc<Group>> {
        self.groups
            .lock()
            .ok()
            .and_then(|groups| groups.get(name).cloned())
    }

    fn holder(&self, member: u64) -> String {
        format!("{}.{member}", self.replica)
    }

    /// The member of this replica named by a lease holder, if it is one of ours.
    fn local_member(&self, holder: &str) -> Option<u64> {
        holder
            .strip_prefix(self.replica.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|member| member.parse().ok())
    }

    /// Joins consumer `name` (creating it at `start` if it does not exist). A consumer already
    /// live in this replica keeps the filter it was first joined with here.
    pub(super) async fn join(
        self: &Arc<Self>,
        name: String,
        filter: Arc<EventFilter>,
        start: u64,
        settings: ConsumerSettings,
    ) -> Result<SharedMember, LogError> {
        let group = match self.live(&name) {
            Some(group) => group,
            None => {
                let floor = self.store.positions.init(&name, start).await?;
                let fresh = Arc::new(Group {
                    name: name.clone(),
                    state: Mutex::new(GroupState {
                        filter,
                        floor,
                        scanned: floor,
                        pending: BTreeMap::new(),
                        done: BTreeSet::new(),
                    }),
                    changed: Arc::new(Notify::new()),
                });
                let mut groups = self
                    .groups
                    .lock()
                    .map_err(|_| LogError::Storage("consumer registry poisoned".into()))?;
                Arc::clone(groups.entry(name).or_insert(fresh))
            }
        };
        Ok(SharedMember {
            id: self.next_member.fetch_add(1, Ordering::Relaxed),
            group,
            shared: Arc::clone(self),
            head: self.store.hub.watch(),
            settings,
            last_recheck: None,
        })
    }

    /// Acknowledges `cursor` for consumer `name`; returns the stored position.
    pub(super) async fn ack(&self, name: String, cursor: u64) -> Result<u64, LogError> {
        let head = self.store.hub.head();
        if cursor > head {
            return Err(LogError::BeyondHead { cursor, head });
        }
        let Some(position) = self.store.positions.load(&name).await? else {
            return Err(LogError::UnknownConsumer(name));
        };
        let group = self.live(&name);
        if cursor <= position {
            if cursor > 0 {
                // A late ack of an event the position already passed: its key may be left.
                self.leases.forget(&lease_key(&name, cursor));
            }
            return Ok(position);
        }
        // Keys already purged on the way (by the walk).
        let mut purged = Vec::new();
        let floor = match self.leases.ack(&lease_key(&name, cursor)).await? {
            Acked::Leased => {
                let filter = match &group {
                    Some(group) => {
                        let mut state = group.state.lock().await;
                        state.pending.remove(&cursor);
                        state.done.insert(cursor);
                        Arc::clone(&state.filter)
                    }
                    // No member here: without the consumer's filter, an event it does not
                    // select stops the walk (its members' next reads move the position on).
                    None => Arc::new(EventFilter::default()),
                };
                let (floor, passed) = self.walk(&name, position, filter).await?;
                purged = passed;
                floor
            }
            Acked::NeverLeased => {
                // Never handed out: everything up to it is done.
                let floor = self.store.positions.advance(&name, cursor).await?;
                if let Some(group) = &group {
                    let mut state = group.state.lock().await;
                    state.scanned = state.scanned.max(cursor);
                }
                floor
            }
        };
        if let Some(group) = group {
            let passed = group.state.lock().await.raise_floor(floor);
            for passed in passed.into_iter().filter(|c| !purged.contains(c)) {
                self.leases.forget(&lease_key(&name, passed));
            }
            group.changed.notify_waiters();
        }
        Ok(floor)
    }

    /// Raises the position of `name` from `position` over acknowledged events (and events the
    /// filter does not select); purges the keys it passed. Returns the stored position and the
    /// cursors whose keys it purged.
    async fn walk(
        &self,
        name: &str,
        position: u64,
        filter: Arc<EventFilter>,
    ) -> Result<(u64, Vec<u64>), LogError> {
        let mut candidate = position;
        let mut passed = Vec::new();
        let mut looked = 0;
        'walk: while looked < WALK_BUDGET {
            let batch = self
                .store
                .read_events(candidate, Arc::clone(&filter), super::SCAN_LIMIT)
                .await?;
            if batch.scanned_to <= candidate {
                break;
            }
            for event in &batch.events {
                looked += 1;
                let key = lease_key(name, event.cursor);
                if self.leases.state(&key).await? != LeaseState::Acked {
                    candidate = event.cursor - 1;
                    break 'walk;
                }
                passed.push(event.cursor);
            }
            candidate = batch.scanned_to;
            looked += 1;
        }
        let floor = if candidate > position {
            self.store.positions.advance(name, candidate).await?
        } else {
            position
        };
        passed.retain(|cursor| *cursor <= floor);
        for cursor in &passed {
            self.leases.forget(&lease_key(name, *cursor));
        }
        Ok((floor, passed))
    }

    /// Reads the stored position into `state`; purges the keys of acknowledged events it passed
    /// (usually already purged by whoever advanced it; not after a cumulative ack).
    async fn refresh_floor(&self, name: &str, state: &mut GroupState) -> Result<(), LogError> {
        if let Some(stored) = self.store.positions.load(name).await? {
            for passed in state.raise_floor(stored) {
                self.leases.forget(&lease_key(name, passed));
            }
        }
        Ok(())
    }

    /// Stores the position this replica's knowledge implies (below every event not known to be
    /// acknowledged), if it is higher.
    async fn settle(&self, name: &str, state: &mut GroupState) -> Result<(), LogError> {
        let candidate = state
            .pending
            .keys()
            .next()
            .map_or(state.scanned, |first| first.saturating_sub(1));
        if candidate > state.floor {
            let stored = self.store.positions.advance(name, candidate).await?;
            for passed in state.raise_floor(stored) {
                self.leases.forget(&lease_key(name, passed));
            }
        }
        Ok(())
    }
}

/// One live member of a durable consumer on this replica.
pub(super) struct SharedMember {
    id: u64,
    group: Arc<Group>,
    shared: Arc<SharedGroups>,
    head: watch::Receiver<u64>,
    settings: ConsumerSettings,
    last_recheck: Option<Instant>,
}

/// Milliseconds from now until `at_ms`, as an instant.
fn instant_at(at_ms: i64) -> Instant {
    let wait = at_ms.saturating_sub(now_ms()).max(0);
    Instant::now() + Duration::from_millis(u64::try_from(wait).unwrap_or(0))
}

impl SharedMember {
    fn in_flight(&self, state: &GroupState, now: i64) -> usize {
        state
            .pending
            .values()
            .filter(|pending| pending.member == Some(self.id) && pending.expires_ms > now)
            .count()
    }

    /// Looks again at this member's own leases: some may have been acknowledged through
    /// another replica (this one only hears of acks it serves).
    async fn recheck_own(&mut self, state: &mut GroupState) -> Result<(), LogError> {
        self.last_recheck = Some(Instant::now());
        let own: Vec<u64> = state
            .pending
            .iter()
            .filter(|(_, pending)| pending.member == Some(self.id))
            .map(|(cursor, _)| *cursor)
            .collect();
        for cursor in own {
            let key = lease_key(&self.group.name, cursor);
            match self.shared.leases.state(&key).await? {
                LeaseState::Acked => {
                    state.pending.remove(&cursor);
                    state.done.insert(cursor);
                }
                LeaseState::Absent => {
                    if let Some(pending) = state.pending.get_mut(&cursor) {
                        pending.member = None;
                        pending.expires_ms = 0;
                    }
                }
                LeaseState::Held => {}
            }
        }
        Ok(())
    }

    /// Records a claim's outcome; returns the event when this member won it.
    fn record(
        &self,
        state: &mut GroupState,
        event: Arc<LoggedEvent>,
        claim: Claim,
    ) -> Option<Arc<LoggedEvent>> {
        let cursor = event.cursor;
        match claim {
            Claim::Won { expires_ms, .. } => {
                state.pending.insert(
                    cursor,
                    Pending {
                        event: Arc::clone(&event),
                        member: Some(self.id),
                        expires_ms,
                    },
                );
                Some(event)
            }
            Claim::Held { expires_ms, holder } => {
                state.pending.insert(
                    cursor,
                    Pending {
                        event,
                        member: self.shared.local_member(&holder),
                        expires_ms,
                    },
                );
                None
            }
            Claim::Acked => {
                state.pending.remove(&cursor);
                state.done.insert(cursor);
                None
            }
        }
    }

    /// Leases up to `room` events: expired leases first, then events not looked at yet.
    /// Returns them and the next lease deadline this replica knows of.
    async fn lease(&mut self, room: usize) -> Result<Leased, LogError> {
        let group = Arc::clone(&self.group);
        let shared = Arc::clone(&self.shared);
        let name = group.name.as_str();
        let mut state = group.state.lock().await;
        shared.refresh_floor(name, &mut state).await?;
        let limit = self.settings.max_in_flight_per_member.max(1);
        let mut mine = self.in_flight(&state, now_ms());
        let recheck_due = self
            .last_recheck
            .is_none_or(|last| last.elapsed() >= FULL_RECHECK);
        if mine >= limit && recheck_due {
            self.recheck_own(&mut state).await?;
            mine = self.in_flight(&state, now_ms());
        }
        let room = room.min(limit.saturating_sub(mine));
        let holder = shared.holder(self.id);
        let ack_wait = self.settings.ack_wait;
        let mut out = Vec::new();
        let mut fresh = false;
        if room > 0 {
            let now = now_ms();
            let expired: Vec<u64> = state
                .pending
                .iter()
                .filter(|(_, pending)| pending.expires_ms <= now)
                .map(|(cursor, _)| *cursor)
                .collect();
            for cursor in expired {
                if out.len() >= room {
                    break;
                }
                let key = lease_key(name, cursor);
                let claim = shared.leases.claim(&key, &holder, ack_wait, false).await?;
                fresh |= matches!(claim, Claim::Won { fresh: true, .. });
                let Some(event) = state.pending.get(&cursor).map(|p| Arc::clone(&p.event)) else {
                    continue;
                };
                out.extend(self.record(&mut state, event, claim));
            }
            let mut looked = 0;
            while out.len() < room && looked < SCAN_BUDGET {
                let batch = shared
                    .store
                    .read_events(state.scanned, Arc::clone(&state.filter), room - out.len())
                    .await?;
                if batch.scanned_to <= state.scanned {
                    break;
                }
                for event in batch.events {
                    looked += 1;
                    let key = lease_key(name, event.cursor);
                    let claim = shared.leases.claim(&key, &holder, ack_wait, true).await?;
                    fresh |= matches!(claim, Claim::Won { fresh: true, .. });
                    out.extend(self.record(&mut state, event, claim));
                }
                state.scanned = state.scanned.max(batch.scanned_to);
                looked += 1;
            }
        }
        if fresh {
            // A key created just after the position passed its event (and the key was cleaned
            // up) is a void claim: the event is done.
            shared.refresh_floor(name, &mut state).await?;
            let floor = state.floor;
            let mut void = Vec::new();
            out.retain(|event| {
                let keep = event.cursor > floor;
                if !keep {
                    void.push(event.cursor);
                }
                keep
            });
            for cursor in void {
                shared.leases.forget(&lease_key(name, cursor));
            }
        }
        shared.settle(name, &mut state).await?;
        let next_expiry = state
            .pending
            .values()
            .map(|pending| pending.expires_ms)
            .min()
            .map(instant_at);
        let full = self.in_flight(&state, now_ms()) >= limit;
        let next_wake = if full {
            let recheck = Instant::now() + FULL_RECHECK;
            Some(next_expiry.map_or(recheck, |expiry| expiry.min(recheck)))
        } else {
            next_expiry
        };
        Ok((out, next_wake))
    }
}

impl Lessee for SharedMember {
    fn released(&self) -> Arc<Notify> {
        Arc::clone(&self.group.changed)
    }

    fn head(&mut self) -> &mut watch::Receiver<u64> {
        &mut self.head
    }

    fn take(&mut self, room: usize) -> BoxFuture<'_, Result<Leased, LogError>> {
        Box::pin(self.lease(room))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_keys_are_valid_kv_keys() {
        let key = lease_key("billing", 42);
        assert_eq!(key, "c62696c6c696e67.42");
    }
}
