//! Durable named consumers inside one gateway process (the SQLite backend): an acknowledged
//! position that survives restarts, and leases that share the work between live members.
//!
//! A consumer's events are in one of three states above its stored position: handed out to a
//! member and not yet acknowledged (a *lease*, which expires after the ack-wait and is then
//! handed out again, to whichever member asks first), acknowledged, or not selected by the
//! consumer's filter. The stored position is the highest cursor below every open lease, so a
//! restart redelivers exactly the events that were never acknowledged (at-least-once; clients
//! dedupe on the event id).
//!
//! Leases live in memory: after a restart they are gone and the consumer resumes after its
//! stored position, which redelivers whatever was leased and not acknowledged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, Notify, watch};
use tokio::time::Instant;

use super::filter::EventFilter;
use super::log::{BoxFuture, ConsumerMember, ConsumerSettings, LogError, LoggedEvent, ReadBatch};

/// What consumer groups need from the storage under them.
pub trait GroupStore: Send + Sync + 'static {
    fn read_after(
        self: Arc<Self>,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> BoxFuture<'static, Result<ReadBatch, LogError>>;
    /// Creates the consumer at `position` unless it exists; returns the stored position.
    fn init_position(
        self: Arc<Self>,
        name: String,
        position: u64,
    ) -> BoxFuture<'static, Result<u64, LogError>>;
    /// Raises the stored position (never lowers it); returns the stored position.
    fn advance_position(
        self: Arc<Self>,
        name: String,
        position: u64,
    ) -> BoxFuture<'static, Result<u64, LogError>>;
    fn load_position(
        self: Arc<Self>,
        name: String,
    ) -> BoxFuture<'static, Result<Option<u64>, LogError>>;
    fn head(&self) -> u64;
    fn watch_head(&self) -> watch::Receiver<u64>;
}

struct Lease {
    member: u64,
    deadline: Instant,
    event: Arc<LoggedEvent>,
}

struct State {
    /// Stored (acknowledged) position.
    floor: u64,
    /// Everything up to here has been read and either leased or skipped.
    scanned: u64,
    filter: Arc<EventFilter>,
    /// Open leases by cursor.
    pending: BTreeMap<u64, Lease>,
}

struct Group {
    name: String,
    state: Mutex<State>,
    /// Signalled when leases are released (acks) so that waiting members look again.
    changed: Arc<Notify>,
}

impl Group {
    /// Persists the position implied by the open leases, if it moved.
    async fn settle(&self, store: &Arc<dyn GroupStore>, state: &mut State) -> Result<(), LogError> {
        let candidate = state
            .pending
            .keys()
            .next()
            .map_or(state.scanned, |first| first.saturating_sub(1));
        if candidate > state.floor {
            state.floor = Arc::clone(store)
                .advance_position(self.name.clone(), candidate)
                .await?;
        }
        Ok(())
    }
}

/// Every consumer group of this process.
pub struct LocalGroups {
    store: Arc<dyn GroupStore>,
    groups: std::sync::Mutex<HashMap<String, Arc<Group>>>,
    next_member: AtomicU64,
}

impl LocalGroups {
    pub fn new(store: Arc<dyn GroupStore>) -> Self {
        Self {
            store,
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

    /// Joins consumer `name` (creating it at `start` with `filter` if it does not exist).
    /// A consumer already live in this process keeps the filter it was first joined with.
    pub async fn join(
        &self,
        name: String,
        filter: Arc<EventFilter>,
        start: u64,
        settings: ConsumerSettings,
    ) -> Result<LocalMember, LogError> {
        let group = match self.live(&name) {
            Some(group) => group,
            None => {
                let floor = Arc::clone(&self.store)
                    .init_position(name.clone(), start)
                    .await?;
                let fresh = Arc::new(Group {
                    name: name.clone(),
                    state: Mutex::new(State {
                        floor,
                        scanned: floor,
                        filter,
                        pending: BTreeMap::new(),
                    }),
                    changed: Arc::new(Notify::new()),
                });
                let mut groups = self
                    .groups
                    .lock()
                    .map_err(|_| LogError::Storage("consumer registry poisoned".into()))?;
                // Another member may have raced us here; the first one wins.
                Arc::clone(groups.entry(name).or_insert(fresh))
            }
        };
        Ok(LocalMember {
            id: self.next_member.fetch_add(1, Ordering::Relaxed),
            group,
            store: Arc::clone(&self.store),
            head: self.store.watch_head(),
            settings,
        })
    }

    /// Acknowledges `cursor` for consumer `name`; returns the stored position.
    ///
    /// With live members in this process the ack is per event: it closes the lease on `cursor`
    /// (acknowledging a cursor that was never handed out, i.e. beyond what the consumer has
    /// read, acknowledges everything up to it). With none, it is cumulative: the consumer has
    /// handled everything up to `cursor`.
    pub async fn ack(&self, name: String, cursor: u64) -> Result<u64, LogError> {
        let head = self.store.head();
        if cursor > head {
            return Err(LogError::BeyondHead { cursor, head });
        }
        let Some(group) = self.live(&name) else {
            let Some(stored) = Arc::clone(&self.store).load_position(name.clone()).await? else {
                return Err(LogError::UnknownConsumer(name));
            };
            if cursor <= stored {
                return Ok(stored);
            }
            return Arc::clone(&self.store).advance_position(name, cursor).await;
        };
        let mut state = group.state.lock().await;
        if cursor <= state.floor {
            return Ok(state.floor);
        }
        if state.pending.remove(&cursor).is_none() && cursor > state.scanned {
            state.pending.retain(|pending, _| *pending > cursor);
            state.scanned = cursor;
        }
        group.settle(&self.store, &mut state).await?;
        let floor = state.floor;
        drop(state);
        group.changed.notify_waiters();
        Ok(floor)
    }
}

/// One live member of a consumer group.
pub struct LocalMember {
    id: u64,
    group: Arc<Group>,
    store: Arc<dyn GroupStore>,
    head: watch::Receiver<u64>,
    settings: ConsumerSettings,
}

impl LocalMember {
    /// Leases up to `room` events: expired leases first, then new events from the log.
    async fn lease(&mut self, room: usize) -> Result<Leased, LogError> {
        let mut state = self.group.state.lock().await;
        let now = Instant::now();
        let mine = state
            .pending
            .values()
            .filter(|lease| lease.member == self.id && lease.deadline > now)
            .count();
        let room = room.min(
            self.settings
                .max_in_flight_per_member
                .max(1)
                .saturating_sub(mine),
        );
        let mut out = Vec::new();
        if room > 0 {
            for lease in state.pending.values_mut() {
                if out.len() >= room {
                    break;
                }
                if lease.deadline <= now {
                    lease.member = self.id;
                    lease.deadline = now + self.settings.ack_wait;
                    out.push(Arc::clone(&lease.event));
                }
            }
            if out.len() < room {
                let batch = Arc::clone(&self.store)
                    .read_after(state.scanned, Arc::clone(&state.filter), room - out.len())
                    .await?;
                state.scanned = state.scanned.max(batch.scanned_to);
                for event in batch.events {
                    state.pending.insert(
                        event.cursor,
                        Lease {
                            member: self.id,
                            deadline: now + self.settings.ack_wait,
                            event: Arc::clone(&event),
                        },
                    );
                    out.push(event);
                }
                self.group.settle(&self.store, &mut state).await?;
            }
        }
        let next_expiry = state.pending.values().map(|lease| lease.deadline).min();
        Ok((out, next_expiry))
    }
}

impl Lessee for LocalMember {
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

/// Events just leased to a member, and when it should look again at the latest (the next lease
/// deadline it knows of) if there were none.
pub(crate) type Leased = (Vec<Arc<LoggedEvent>>, Option<Instant>);

/// A consumer member as [`next_leased`] drives it (one per backend).
pub(crate) trait Lessee: Send {
    /// Notified when leases are released in this process (acks), so that members look again.
    fn released(&self) -> Arc<Notify>;
    /// The log's head: changes when new events are committed.
    fn head(&mut self) -> &mut watch::Receiver<u64>;
    /// Leases up to `room` events to this member.
    fn take(&mut self, room: usize) -> BoxFuture<'_, Result<Leased, LogError>>;
}

/// Every backend's members are [`Lessee`]s.
impl<M: Lessee> ConsumerMember for M {
    fn next(
        &mut self,
        max: usize,
        wait: Duration,
    ) -> BoxFuture<'_, Result<Vec<Arc<LoggedEvent>>, LogError>> {
        Box::pin(next_leased(self, max, wait))
    }
}

/// [`ConsumerMember::next`] of every backend: leases events, or waits for a release, new events
/// or the next lease deadline and tries again, until `wait` has passed.
pub(crate) async fn next_leased<M: Lessee>(
    member: &mut M,
    max: usize,
    wait: Duration,
) -> Result<Vec<Arc<LoggedEvent>>, LogError> {
    let give_up = Instant::now() + wait;
    loop {
        let released = member.released();
        let changed = released.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        member.head().borrow_and_update();
        let (events, next_wake) = member.take(max.max(1)).await?;
        if !events.is_empty() {
            return Ok(events);
        }
        if Instant::now() >= give_up {
            return Ok(Vec::new());
        }
        let wake = next_wake.map_or(give_up, |at| at.min(give_up));
        tokio::select! {
            () = &mut changed => {}
            changed = member.head().changed() => {
                if changed.is_err() {
                    return Err(LogError::Closed);
                }
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
}
