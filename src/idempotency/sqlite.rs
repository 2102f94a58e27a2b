//! The embedded idempotency store: one SQLite file (WAL) owned by a dedicated thread.
//!
//! All operations go through one thread in arrival order. That makes "look up, then claim" atomic
//! without SQLite-level locking games, keeps blocking I/O off the async runtime, and lets the
//! thread keep the in-process waiters of in-flight keys next to the rows they wait on.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot};
use tonic::Code;

use super::{
    Begin, Guard, IdempotencyStore, InFlight, Outcome, RecordKey, RequestHash, StoreError,
    StoreFuture,
};
use crate::status;

/// `state` column values.
const IN_FLIGHT: &str = "in_flight";
const DONE: &str = "done";
/// `outcome_kind` column values.
const KIND_RESPONSE: i64 = 0;
const KIND_ERROR: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idempotency (
    caller       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    state        TEXT    NOT NULL,
    outcome_kind INTEGER,
    body         BLOB,
    code         INTEGER,
    message      TEXT,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER,
    PRIMARY KEY (caller, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_completed_at ON idempotency (completed_at);
";

/// A handle to the store's thread; cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    commands: mpsc::UnboundedSender<Command>,
}

enum Command {
    Begin {
        key: RecordKey,
        hash: RequestHash,
        reply: oneshot::Sender<Result<BeginReply, StoreError>>,
    },
    Complete {
        key: RecordKey,
        outcome: Outcome,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    Release {
        key: RecordKey,
        reply: Option<oneshot::Sender<Result<(), StoreError>>>,
    },
    Purge {
        older_than: Duration,
        reply: oneshot::Sender<Result<usize, StoreError>>,
    },
}

/// `Begin` without the guard (which needs the sender, so the async side builds it).
enum BeginReply {
    New,
    Replay(Outcome),
    Mismatch,
    InFlight(oneshot::Receiver<()>),
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and starts its thread. Blocking: call
    /// it at start-up or from `spawn_blocking`.
    ///
    /// Claims left `in_flight` by a previous process (it crashed or was killed mid-call) are
    /// turned into an "outcome unknown" error: the call may or may not have reached RalioPay,
    /// so neither replaying success nor running it again would be honest.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let connection = Connection::open(path)?;
        // WAL: readers never block the writer. synchronous=NORMAL keeps every committed record
        // across a process crash; only an OS crash or power loss can drop the latest commits.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.execute_batch(SCHEMA)?;
        let abandoned = mark_abandoned(&connection)?;
        if abandoned > 0 {
            tracing::warn!(
                abandoned,
                "idempotency keys were in flight when the gateway stopped; their outcome is unknown"
            );
        }

        let (commands, receiver) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("idempotency-sqlite".into())
            .spawn(move || Worker::new(connection).run(receiver))?;
        Ok(Self { commands })
    }

    /// Deletes completed records older than `older_than`; returns how many.
    pub async fn purge(&self, older_than: Duration) -> Result<usize, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Purge { older_than, reply })?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    fn send(&self, command: Command) -> Result<(), StoreError> {
        self.commands.send(command).map_err(|_| StoreError::Closed)
    }

    fn guard(&self, key: RecordKey) -> Guard {
        let commands = self.commands.clone();
        Guard::new(key, move |key| {
            // The call was dropped mid-flight (the caller went away or its deadline passed)
            // after it may have reached RalioPay: a repeat must not send it again. Fire and
            // forget: a closed store keeps the claim, which the next open marks the same way.
            let (reply, _) = oneshot::channel();
            let _ = commands.send(Command::Complete {
                key,
                outcome: unknown_outcome(),
                reply,
            });
        })
    }
}

impl IdempotencyStore for SqliteStore {
    fn begin(&self, key: RecordKey, hash: RequestHash) -> StoreFuture<'_, Begin> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            self.send(Command::Begin {
                key: key.clone(),
                hash,
                reply,
            })?;
            // The claim is made before this await; if this future is dropped here, the guard
            // below is never built, so the worker notices the closed reply channel instead.
            Ok(match answer.await.map_err(|_| StoreError::Closed)?? {
                BeginReply::New => Begin::New(self.guard(key)),
                BeginReply::Replay(outcome) => Begin::Replay(outcome),
                BeginReply::Mismatch => Begin::Mismatch,
                BeginReply::InFlight(done) => Begin::InFlight(InFlight::new(done)),
            })
        })
    }

    fn complete(&self, guard: Guard, outcome: Outcome) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = guard.disarm();
            let (reply, answer) = oneshot::channel();
            self.send(Command::Complete {
                key,
                outcome,
                reply,
            })?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    fn release(&self, guard: Guard) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let key = guard.disarm();
            let (reply, answer) = oneshot::channel();
            self.send(Command::Release {
                key,
                reply: Some(reply),
            })?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }
}

/// The thread that owns the connection.
struct Worker {
    connection: Connection,
    /// Keys claimed by this process, with the repeats waiting for them.
    waiters: HashMap<RecordKey, Vec<oneshot::Sender<()>>>,
}

impl Worker {
    fn new(connection: Connection) -> Self {
        Self {
            connection,
            waiters: HashMap::new(),
        }
    }

    fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        while let Some(command) = commands.blocking_recv() {
            match command {
                Command::Begin { key, hash, reply } => {
                    let answer = self.begin(&key, hash);
                    let claimed = matches!(answer, Ok(BeginReply::New));
                    if reply.send(answer).is_err() && claimed {
                        // The caller went away before learning it holds the claim; nobody will
                        // complete it, so give the key back.
                        log_release_failure(self.release(&key));
                    }
                }
                Command::Complete {
                    key,
                    outcome,
                    reply,
                } => {
                    let _ = reply.send(self.complete(&key, &outcome));
                }
                Command::Release { key, reply } => {
                    let result = self.release(&key);
                    match reply {
                        Some(reply) => {
                            let _ = reply.send(result);
                        }
                        None => log_release_failure(result),
                    }
                }
                Command::Purge { older_than, reply } => {
                    let _ = reply.send(self.purge(older_than));
                }
            }
        }
    }

    fn begin(&mut self, key: &RecordKey, hash: RequestHash) -> Result<BeginReply, StoreError> {
        let row = self
            .connection
            .query_row(
                "SELECT request_hash, state, outcome_kind, body, code, message
                 FROM idempotency WHERE caller = ?1 AND key = ?2",
                params![key.caller, key.key],
                |row| {
                    Ok(StoredRow {
                        hash: row.get(0)?,
                        state: row.get(1)?,
                        kind: row.get(2)?,
                        body: row.get(3)?,
                        code: row.get(4)?,
                        message: row.get(5)?,
                    })
                },
            )
            .optional()?;
        let Some(row) = row else {
            self.connection.execute(
                "INSERT INTO idempotency (caller, key, request_hash, state, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.caller,
                    key.key,
                    hash.0.as_slice(),
                    IN_FLIGHT,
                    unix_now()
                ],
            )?;
            self.waiters.insert(key.clone(), Vec::new());
            return Ok(BeginReply::New);
        };
        if row.hash != hash.0 {
            return Ok(BeginReply::Mismatch);
        }
        if row.state == IN_FLIGHT {
            let (done, wait) = oneshot::channel();
            match self.waiters.get_mut(key) {
                Some(waiters) => waiters.push(done),
                // Not claimed by this process (`open` turns leftovers into outcomes, so this
                // is another process sharing the file): nothing will wake us, so treat it as
                // unknown rather than wait forever.
                None => return Ok(BeginReply::Replay(unknown_outcome())),
            }
            return Ok(BeginReply::InFlight(wait));
        }
        Ok(BeginReply::Replay(row.into_outcome()))
    }

    fn complete(&mut self, key: &RecordKey, outcome: &Outcome) -> Result<(), StoreError> {
        let (kind, body, code, message) = match outcome {
            Outcome::Response(bytes) => (KIND_RESPONSE, bytes.as_slice(), None, None),
            Outcome::Error {
                code,
                message,
                details,
            } => (
                KIND_ERROR,
                details.as_slice(),
                Some(*code),
                Some(message.as_str()),
            ),
        };
        let result = self.connection.execute(
            "UPDATE idempotency
             SET state = ?3, outcome_kind = ?4, body = ?5, code = ?6, message = ?7,
                 completed_at = ?8
             WHERE caller = ?1 AND key = ?2",
            params![
                key.caller,
                key.key,
                DONE,
                kind,
                body,
                code,
                message,
                unix_now()
            ],
        );
        // Wake the waiters whatever happened: they look again and see the record (or retry).
        self.waiters.remove(key);
        result.map(|_| ()).map_err(StoreError::from)
    }

    fn release(&mut self, key: &RecordKey) -> Result<(), StoreError> {
        let result = self.connection.execute(
            "DELETE FROM idempotency WHERE caller = ?1 AND key = ?2 AND state = ?3",
            params![key.caller, key.key, IN_FLIGHT],
        );
        self.waiters.remove(key);
        result.map(|_| ()).map_err(StoreError::from)
    }

    fn purge(&mut self, older_than: Duration) -> Result<usize, StoreError> {
        let cutoff =
            unix_now().saturating_sub(i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX));
        Ok(self.connection.execute(
            "DELETE FROM idempotency WHERE state = ?1 AND completed_at < ?2",
            params![DONE, cutoff],
        )?)
    }
}

fn log_release_failure(result: Result<(), StoreError>) {
    if let Err(err) = result {
        tracing::error!(error = %err, "could not release an idempotency key");
    }
}

struct StoredRow {
    hash: Vec<u8>,
    state: String,
    kind: Option<i64>,
    body: Option<Vec<u8>>,
    code: Option<i32>,
    message: Option<String>,
}

impl StoredRow {
    fn into_outcome(self) -> Outcome {
        match self.kind {
            Some(KIND_RESPONSE) => Outcome::Response(self.body.unwrap_or_default()),
            Some(KIND_ERROR) => Outcome::Error {
                code: self.code.unwrap_or(Code::Unknown as i32),
                message: self.message.unwrap_or_default(),
                details: self.body.unwrap_or_default(),
            },
            _ => unknown_outcome(),
        }
    }
}

/// The outcome recorded for a call whose result nobody saw.
fn unknown_outcome() -> Outcome {
    Outcome::from_status(&status::idempotency_outcome_unknown(
        "the gateway stopped while this request was in flight",
    ))
}

/// Turns claims left by a previous process into the "outcome unknown" error.
fn mark_abandoned(connection: &Connection) -> Result<usize, StoreError> {
    let Outcome::Error {
        code,
        message,
        details,
    } = unknown_outcome()
    else {
        return Ok(0);
    };
    Ok(connection.execute(
        "UPDATE idempotency
         SET state = ?1, outcome_kind = ?2, body = ?3, code = ?4, message = ?5, completed_at = ?6
         WHERE state = ?7",
        params![
            DONE,
            KIND_ERROR,
            details,
            code,
            message,
            unix_now(),
            IN_FLIGHT
        ],
    )?)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
