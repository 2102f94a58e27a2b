//! The embedded event log: one SQLite file (WAL) in the data directory.
//!
//! Writes go through one dedicated thread that batches whatever is queued (appends from
//! concurrent webhook deliveries, consumer positions) into a single transaction, so a burst
//! costs one fsync per batch rather than one per event (group commit). Nobody is answered before
//! the transaction holding their write has committed. Reads run on the blocking pool over a
//! small set of read-only connections (WAL readers never block the writer); readers at the head
//! are served from the hub's in-memory tail without touching SQLite.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use ralio_core::webhook::Envelope;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::consumers::{GroupStore, LocalGroups};
use super::filter::EventFilter;
use super::hub::{DEFAULT_TAIL, Hub};
use super::log::{
    AppendOutcome, BoxFuture, ConsumerMember, ConsumerSettings, EventLog, LogError, LoggedEvent,
    NewEvent, ReadBatch,
};
use crate::clock::now_ms;

/// File name of the event log inside the data directory.
pub const EVENTS_DB: &str = "events.sqlite3";

/// Events one storage read looks at, at most (filtered reads skip the rest next time).
const SCAN_LIMIT: usize = 512;
/// Commands one transaction takes at most; the rest wait for the next one.
const MAX_BATCH: usize = 1024;
/// Queue in front of the writer; a full queue makes callers wait (back-pressure, not memory).
const QUEUE: usize = 4096;
/// Read-only connections open at once.
const READERS: usize = 4;
/// Slots in the cache of events read from storage (direct-mapped by cursor).
const READ_CACHE: usize = 16384;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    cursor      INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    envelope    INTEGER NOT NULL,
    occurred_at TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    user_id     TEXT,
    account_id  TEXT,
    data        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);
CREATE TABLE IF NOT EXISTS consumers (
    name       TEXT    PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
";

const COLUMNS: &str =
    "cursor, id, type, envelope, occurred_at, received_at, user_id, account_id, data";

fn storage(err: impl std::fmt::Display) -> LogError {
    LogError::Storage(err.to_string())
}

/// SQLite integers are signed; cursors and positions never exceed `i64::MAX`.
fn to_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_sql(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

enum Command {
    Append {
        events: Vec<NewEvent>,
        reply: oneshot::Sender<Result<Vec<AppendOutcome>, LogError>>,
    },
    /// Creates the consumer at `position` unless it exists; answers the stored position.
    InitPosition {
        name: String,
        position: u64,
        reply: oneshot::Sender<Result<u64, LogError>>,
    },
    /// Raises the consumer's position to `position` (never lowers it); answers the stored one.
    Advance {
        name: String,
        position: u64,
        reply: oneshot::Sender<Result<u64, LogError>>,
    },
}

/// The storage half, shared by the log and its consumer groups.
struct Store {
    commands: mpsc::Sender<Command>,
    hub: Hub,
    readers: Mutex<Vec<Connection>>,
    reader_slots: Semaphore,
    path: std::path::PathBuf,
    /// Events recently read from storage, shared by every reader so that a row is decoded and
    /// converted to its proto once, not once per subscriber catching up over it.
    read_cache: Mutex<Vec<Option<Arc<LoggedEvent>>>>,
}

/// The SQLite event log. Cheap to clone.
#[derive(Clone)]
pub struct SqliteLog {
    store: Arc<Store>,
    groups: Arc<LocalGroups>,
}

impl SqliteLog {
    /// Opens (creating if needed) the log at `path` and starts its writer thread. Blocking:
    /// call at start-up or from `spawn_blocking`.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        Self::open_with(path, DEFAULT_TAIL)
    }

    /// Like [`SqliteLog::open`] with the number of newest events kept in memory.
    pub fn open_with(path: &Path, tail: usize) -> Result<Self, LogError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(storage)?;
        }
        let connection = Connection::open(path).map_err(storage)?;
        // WAL + synchronous=FULL: a commit is on disk (fsync of the WAL) before it returns, so
        // an acknowledged webhook survives a process kill and a power loss alike.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(storage)?;
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(storage)?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(storage)?;
        connection.execute_batch(SCHEMA).map_err(storage)?;
        let (head, last_received): (i64, i64) = connection
            .query_row(
                "SELECT COALESCE(MAX(cursor), 0), COALESCE(MAX(received_at), 0) FROM events",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(storage)?;

        let (commands, receiver) = mpsc::channel(QUEUE);
        let store = Arc::new(Store {
            commands,
            hub: Hub::new(from_sql(head), tail),
            readers: Mutex::new(Vec::new()),
            reader_slots: Semaphore::new(READERS),
            path: path.to_owned(),
            read_cache: Mutex::new(vec![None; READ_CACHE]),
        });
        let writer = Writer {
            connection,
            store: Arc::downgrade(&store),
            last_received,
        };
        std::thread::Builder::new()
            .name("events-sqlite".into())
            .spawn(move || writer.run(receiver))
            .map_err(storage)?;
        let groups = Arc::new(LocalGroups::new(Arc::clone(&store) as Arc<dyn GroupStore>));
        Ok(Self { store, groups })
    }
}

impl Store {
    async fn request<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<T, LogError>>) -> Command,
    ) -> Result<T, LogError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(command(reply))
            .await
            .map_err(|_| LogError::Closed)?;
        answer.await.map_err(|_| LogError::Closed)?
    }

    /// Runs `query` on a read-only connection on the blocking pool.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, LogError> {
        let _slot = self
            .reader_slots
            .acquire()
            .await
            .map_err(|_| LogError::Closed)?;
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let connection = match store.readers.lock().pop() {
                Some(connection) => connection,
                None => Connection::open_with_flags(
                    &store.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(storage)?,
            };
            let result = query(&connection).map_err(storage);
            store.readers.lock().push(connection);
            result
        })
        .await
        .map_err(storage)?
    }

    async fn read_events(
        self: &Arc<Self>,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> Result<ReadBatch, LogError> {
        let limit = limit.max(1);
        if let Some(batch) = self.hub.read_cached(after, &filter, limit, SCAN_LIMIT) {
            return Ok(batch);
        }
        let store = Arc::clone(self);
        self.read(move |connection| {
            let mut statement = connection.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM events WHERE cursor > ?1 ORDER BY cursor LIMIT ?2"
            ))?;
            let mut rows = statement.query(params![to_sql(after), to_sql(SCAN_LIMIT as u64)])?;
            let mut batch = ReadBatch {
                events: Vec::new(),
                scanned_to: after,
            };
            while let Some(row) = rows.next()? {
                let cursor = from_sql(row.get(0)?);
                let event = store.shared_read(cursor, row)?;
                batch.scanned_to = cursor;
                if filter.matches(&event) {
                    batch.events.push(event);
                    if batch.events.len() >= limit {
                        break;
                    }
                }
            }
            Ok(batch)
        })
        .await
    }
}

impl Store {
    /// The event at `cursor` from the shared read cache, decoding `row` only on a miss. Stored
    /// events never change, so a cached copy is always the same as the row.
    fn shared_read(&self, cursor: u64, row: &Row<'_>) -> rusqlite::Result<Arc<LoggedEvent>> {
        let slot = (cursor % READ_CACHE as u64) as usize;
        if let Some(event) = self.read_cache.lock()[slot]
            .as_ref()
            .filter(|event| event.cursor == cursor)
        {
            return Ok(Arc::clone(event));
        }
        let event = Arc::new(logged_event(row)?);
        self.read_cache.lock()[slot] = Some(Arc::clone(&event));
        Ok(event)
    }
}

fn logged_event(row: &Row<'_>) -> rusqlite::Result<LoggedEvent> {
    let envelope: i64 = row.get(3)?;
    Ok(LoggedEvent::new(
        from_sql(row.get(0)?),
        row.get(5)?,
        NewEvent {
            id: row.get(1)?,
            type_name: row.get(2)?,
            envelope: if envelope == 1 {
                Envelope::V1
            } else {
                Envelope::V2
            },
            occurred_at: row.get(4)?,
            user_id: row.get(6)?,
            account_id: row.get(7)?,
            data: row.get(8)?,
        },
    ))
}

fn envelope_code(envelope: Envelope) -> i64 {
    match envelope {
        Envelope::V1 => 1,
        Envelope::V2 => 2,
    }
}

impl GroupStore for Store {
    fn read_after(
        self: Arc<Self>,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> BoxFuture<'static, Result<ReadBatch, LogError>> {
        Box::pin(async move { self.read_events(after, filter, limit).await })
    }

    fn init_position(
        self: Arc<Self>,
        name: String,
        position: u64,
    ) -> BoxFuture<'static, Result<u64, LogError>> {
        Box::pin(async move {
            self.request(|reply| Command::InitPosition {
                name,
                position,
                reply,
            })
            .await
        })
    }

    fn advance_position(
        self: Arc<Self>,
        name: String,
        position: u64,
    ) -> BoxFuture<'static, Result<u64, LogError>> {
        Box::pin(async move {
            self.request(|reply| Command::Advance {
                name,
                position,
                reply,
            })
            .await
        })
    }

    fn load_position(
        self: Arc<Self>,
        name: String,
    ) -> BoxFuture<'static, Result<Option<u64>, LogError>> {
        Box::pin(async move {
            self.read(move |connection| {
                connection
                    .prepare_cached("SELECT position FROM consumers WHERE name = ?1")?
                    .query_row([name], |row| row.get::<_, i64>(0))
                    .optional()
                    .map(|position| position.map(from_sql))
            })
            .await
        })
    }

    fn head(&self) -> u64 {
        self.hub.head()
    }

    fn watch_head(&self) -> watch::Receiver<u64> {
        self.hub.watch()
    }
}

impl EventLog for SqliteLog {
    fn append(&self, events: Vec<NewEvent>) -> BoxFuture<'_, Result<Vec<AppendOutcome>, LogError>> {
        Box::pin(async move {
            if events.is_empty() {
                return Ok(Vec::new());
            }
            self.store
                .request(|reply| Command::Append { events, reply })
                .await
        })
    }

    fn read_from(
        &self,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> BoxFuture<'_, Result<ReadBatch, LogError>> {
        Box::pin(async move { self.store.read_events(after, filter, limit).await })
    }

    fn get_by_id(&self, id: String) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>> {
        Box::pin(async move {
            self.store
                .read(move |connection| {
                    connection
                        .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE id = ?1"))?
                        .query_row([id], logged_event)
                        .optional()
                })
                .await
                .map(|event| event.map(Arc::new))
        })
    }

    fn get_by_cursor(
        &self,
        cursor: u64,
    ) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>> {
        Box::pin(async move {
            if let Some(event) = self.store.hub.cached(cursor) {
                return Ok(Some(event));
            }
            self.store
                .read(move |connection| {
                    connection
                        .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE cursor = ?1"))?
                        .query_row([to_sql(cursor)], logged_event)
                        .optional()
                })
                .await
                .map(|event| event.map(Arc::new))
        })
    }

    fn latest_cursor(&self) -> u64 {
        self.store.hub.head()
    }

    fn watch_head(&self) -> watch::Receiver<u64> {
        self.store.hub.watch()
    }

    fn cursor_before_time(&self, at_ms: i64) -> BoxFuture<'_, Result<u64, LogError>> {
        Box::pin(async move {
            let head = self.store.hub.head();
            self.store
                .read(move |connection| {
                    // received_at never decreases along the cursor order (the writer makes it
                    // so), so the first event at or after `at_ms` splits the log in two.
                    let first: Option<i64> = connection
                        .prepare_cached("SELECT MIN(cursor) FROM events WHERE received_at >= ?1")?
                        .query_row([at_ms], |row| row.get(0))?;
                    Ok(first.map_or(head, |cursor| from_sql(cursor).saturating_sub(1)))
                })
                .await
        })
    }

    fn position(&self, name: String) -> BoxFuture<'_, Result<Option<u64>, LogError>> {
        Arc::clone(&self.store).load_position(name)
    }

    fn ack(&self, name: String, cursor: u64) -> BoxFuture<'_, Result<u64, LogError>> {
        Box::pin(async move { self.groups.ack(name, cursor).await })
    }

    fn join(
        &self,
        name: String,
        filter: Arc<EventFilter>,
        start: u64,
        settings: ConsumerSettings,
    ) -> BoxFuture<'_, Result<Box<dyn ConsumerMember>, LogError>> {
        Box::pin(async move {
            let member = self.groups.join(name, filter, start, settings).await?;
            Ok(Box::new(member) as Box<dyn ConsumerMember>)
        })
    }
}

/// The thread that owns the write connection.
struct Writer {
    connection: Connection,
    /// Weak, so that dropping every log handle closes the queue and ends the thread.
    store: std::sync::Weak<Store>,
    /// Newest `received_at`, so that it never decreases along the cursor order.
    last_received: i64,
}

/// What one command of a batch produced, answered after the commit.
enum Done {
    Append(Vec<AppendOutcome>),
    Position(u64),
}

impl Writer {
    fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut batch = Vec::with_capacity(64);
        while let Some(first) = commands.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match commands.try_recv() {
                    Ok(command) => batch.push(command),
                    Err(_) => break,
                }
            }
            self.commit(std::mem::take(&mut batch));
        }
    }

    /// One transaction for the whole batch; every caller gets the commit's verdict.
    fn commit(&mut self, batch: Vec<Command>) {
        let received_at = now_ms().max(self.last_received);
        let mut fresh: Vec<Arc<LoggedEvent>> = Vec::new();
        let result = self.apply(&batch, received_at, &mut fresh);
        match result {
            Ok(done) => {
                if !fresh.is_empty() {
                    self.last_received = received_at;
                    if let Some(store) = self.store.upgrade() {
                        store.hub.publish(fresh);
                    }
                }
                for (command, done) in batch.into_iter().zip(done) {
                    match (command, done) {
                        (Command::Append { reply, .. }, Done::Append(outcomes)) => {
                            let _ = reply.send(Ok(outcomes));
                        }
                        (
                            Command::InitPosition { reply, .. } | Command::Advance { reply, .. },
                            Done::Position(position),
                        ) => {
                            let _ = reply.send(Ok(position));
                        }
                        // `apply` answers each command with its own kind.
                        _ => {}
                    }
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "event log commit failed");
                let err = storage(err);
                for command in batch {
                    match command {
                        Command::Append { reply, .. } => {
                            let _ = reply.send(Err(err.clone()));
                        }
                        Command::InitPosition { reply, .. } | Command::Advance { reply, .. } => {
                            let _ = reply.send(Err(err.clone()));
                        }
                    }
                }
            }
        }
    }

    fn apply(
        &mut self,
        batch: &[Command],
        received_at: i64,
        fresh: &mut Vec<Arc<LoggedEvent>>,
    ) -> rusqlite::Result<Vec<Done>> {
        // IMMEDIATE takes the write lock up front, so a lock held elsewhere (a backup or a
        // maintenance tool on the file) is waited for up to the busy timeout; a deferred
        // transaction would fail at once when upgrading its read to a write.
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut done = Vec::with_capacity(batch.len());
        {
            let mut find = transaction.prepare_cached("SELECT cursor FROM events WHERE id = ?1")?;
            let mut insert = transaction.prepare_cached(
                "INSERT INTO events (id, type, envelope, occurred_at, received_at, user_id, \
                 account_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut position =
                transaction.prepare_cached("SELECT position FROM consumers WHERE name = ?1")?;
            let mut upsert = transaction.prepare_cached(
                "INSERT INTO consumers (name, position, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position), \
                 updated_at = excluded.updated_at",
            )?;
            for command in batch {
                match command {
                    Command::Append { events, .. } => {
                        let mut outcomes = Vec::with_capacity(events.len());
                        for event in events {
                            let existing: Option<i64> =
                                find.query_row([&event.id], |row| row.get(0)).optional()?;
                            if let Some(cursor) = existing {
                                outcomes.push(AppendOutcome {
                                    cursor: from_sql(cursor),
                                    duplicate: true,
                                });
                                continue;
                            }
                            insert.execute(params![
                                event.id,
                                event.type_name,
                                envelope_code(event.envelope),
                                event.occurred_at,
                                received_at,
                                event.user_id,
                                event.account_id,
                                event.data,
                            ])?;
                            let cursor = from_sql(transaction.last_insert_rowid());
                            outcomes.push(AppendOutcome {
                                cursor,
                                duplicate: false,
                            });
                            fresh.push(Arc::new(LoggedEvent::new(
                                cursor,
                                received_at,
                                event.clone(),
                            )));
                        }
                        done.push(Done::Append(outcomes));
                    }
                    Command::InitPosition {
                        name,
                        position: start,
                        ..
                    } => {
                        let existing: Option<i64> =
                            position.query_row([name], |row| row.get(0)).optional()?;
                        let stored = match existing {
                            Some(stored) => from_sql(stored),
                            None => {
                                upsert.execute(params![name, to_sql(*start), now_ms()])?;
                                *start
                            }
                        };
                        done.push(Done::Position(stored));
                    }
                    Command::Advance {
                        name, position: to, ..
                    } => {
                        upsert.execute(params![name, to_sql(*to), now_ms()])?;
                        let stored: i64 = position.query_row([name], |row| row.get(0))?;
                        done.push(Done::Position(from_sql(stored)));
                    }
                }
            }
        }
        transaction.commit()?;
        Ok(done)
    }
}
