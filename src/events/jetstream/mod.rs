//! The distributed event log: one NATS JetStream stream shared by every gateway replica.
//!
//! * **Append**: each event is published on `<prefix>.<type>.<id token>` with `Nats-Msg-Id` =
//!   the event id (the `codec` module has the layout), and the webhook is answered only after
//!   JetStream's publish ack (the event is stored, on a quorum of the stream's replicas when it
//!   has several). Duplicates are found
//!   twice over: by JetStream's dedup window (concurrent deliveries of one event to two
//!   replicas), and by a lookup of the id's subject before publishing (a retry after the
//!   window). Either way the duplicate's answer is the original's cursor.
//! * **Cursor** = the stream sequence. Receive time = the time JetStream stored the message.
//! * **Reads** (`Subscribe` catch-up, `ListEvents`, `GetEvent`) are JetStream direct gets:
//!   batches of up to [`SCAN_LIMIT`] messages from a sequence, one message by sequence, the
//!   first message of an id's subject; "the first event at or after a time" is a binary
//!   search over sequences (receive times never decrease along them).
//! * **New heads across replicas**: every replica runs one ordered consumer on the stream from
//!   its head, which feeds the shared [`Hub`]. So an event ingested by another replica wakes
//!   this replica's subscribers, and the subscribers at the head read it from memory.
//! * **Durable named consumers** are shared by the replicas (the `groups` module): the
//!   acknowledged position of each consumer lives in a KV bucket (the `positions` module:
//!   create-if-absent, compare-and-set forward only) and every event handed to a member has a
//!   delivery lease in a second bucket, `<positions bucket>_LEASES` (the `leases` module):
//!   created if absent to claim the event, taken over with a revision check once its ack-wait
//!   is up, marked acked by `Ack`, deleted once the position passes it. So competing members of
//!   one consumer split the work whichever replicas serve them, and an event a member does not
//!   acknowledge in time goes to another member. An `Ack` is accepted by any replica.

mod codec;
mod groups;
mod leases;
mod positions;
mod read;

use std::sync::{Arc, Weak};
use std::time::Duration;

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_nats::jetstream::{self, stream};
use futures::StreamExt;
use tokio::sync::watch;

use super::filter::EventFilter;
use super::hub::{DEFAULT_TAIL, Hub};
use super::log::{
    AppendOutcome, BoxFuture, ConsumerMember, ConsumerSettings, EventLog, LogError, LoggedEvent,
    NewEvent, ReadBatch,
};
use groups::SharedGroups;
use leases::Leases;
use positions::Positions;

/// Messages one storage read looks at, at most.
pub const SCAN_LIMIT: usize = 512;
/// Default stream name.
pub const DEFAULT_STREAM: &str = "RALIO_EVENTS";
/// Default subject prefix: events are published on `ralio.events.<type>.<id token>`.
pub const DEFAULT_SUBJECT_PREFIX: &str = "ralio.events";
/// Default KV bucket of durable consumer positions.
pub const DEFAULT_CONSUMERS_BUCKET: &str = "RALIO_EVENT_CONSUMERS";
/// Longest a local append waits for its events to reach this replica's hub (read-your-writes);
/// past it the append still succeeds (the event is stored), readers just see it a bit later.
const OWN_WRITES_WAIT: Duration = Duration::from_secs(5);
/// Pause before the head follower starts again after an error (NATS restarting, etc.).
const FOLLOW_RETRY: Duration = Duration::from_millis(500);
/// After this long without a message the follower checks that the stream is not ahead of it.
const FOLLOW_CHECK: Duration = Duration::from_secs(2);

/// Where and how the log lives in NATS. `Debug` hides credentials in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct NatsSettings {
    /// Server URL(s), comma separated (`nats://host:4222`).
    pub url: String,
    /// Stream name.
    pub stream: String,
    /// Subject prefix (`<prefix>.>` is the stream's subject).
    pub subject_prefix: String,
    /// KV bucket of durable consumer positions.
    pub consumers_bucket: String,
    /// KV bucket of the gateway's idempotency records.
    pub idempotency_bucket: String,
    /// Copies of the stream and buckets (1, or 3/5 on a JetStream cluster).
    pub replicas: usize,
    /// JetStream's deduplication window of the stream.
    pub duplicate_window: Duration,
}

impl Default for NatsSettings {
    fn default() -> Self {
        Self {
            url: "nats://127.0.0.1:4222".into(),
            stream: DEFAULT_STREAM.into(),
            subject_prefix: DEFAULT_SUBJECT_PREFIX.into(),
            consumers_bucket: DEFAULT_CONSUMERS_BUCKET.into(),
            idempotency_bucket: crate::idempotency::JETSTREAM_BUCKET.into(),
            replicas: 1,
            duplicate_window: Duration::from_secs(120),
        }
    }
}

/// `nats://user:password@host` → `nats://***@host`, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    url.split(',')
        .map(|one| match (one.find("://"), one.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}***{}", &one[..scheme + 3], &one[at..])
            }
            (None, Some(at)) => format!("***{}", &one[at..]),
            _ => one.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl std::fmt::Debug for NatsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSettings")
            .field("url", &redact_url(&self.url))
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("consumers_bucket", &self.consumers_bucket)
            .field("idempotency_bucket", &self.idempotency_bucket)
            .field("replicas", &self.replicas)
            .field("duplicate_window", &self.duplicate_window)
            .finish()
    }
}

fn storage(err: impl std::fmt::Display) -> LogError {
    LogError::Storage(err.to_string())
}

/// Connects to NATS (the client the gateway shares between the log and its idempotency store).
pub async fn connect(settings: &NatsSettings) -> Result<async_nats::Client, LogError> {
    async_nats::ConnectOptions::new()
        .name("ralio-gateway")
        .connection_timeout(Duration::from_secs(10))
        .connect(settings.url.as_str())
        .await
        .map_err(|err| {
            LogError::Storage(format!(
                "cannot connect to NATS at {}: {err}",
                redact_url(&settings.url)
            ))
        })
}

/// The storage half, shared by the log, its consumer groups and the head follower.
struct Store {
    client: async_nats::Client,
    context: jetstream::Context,
    stream: String,
    prefix: String,
    hub: Hub,
    positions: Positions,
}

/// The JetStream event log. Cheap to clone; the head follower stops with the last clone.
#[derive(Clone)]
pub struct JetStreamLog {
    store: Arc<Store>,
    groups: Arc<SharedGroups>,
    _follower: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl JetStreamLog {
    /// Opens (creating if needed) the stream and the positions bucket over `client`, and starts
    /// following the stream's head.
    pub async fn open(
        client: async_nats::Client,
        settings: &NatsSettings,
    ) -> Result<Self, LogError> {
        let context = jetstream::new(client.clone());
        let prefix = settings.subject_prefix.trim_end_matches('.').to_owned();
        let mut stream = context
            .get_or_create_stream(stream::Config {
                name: settings.stream.clone(),
                subjects: vec![format!("{prefix}.>")],
                storage: stream::StorageType::File,
                retention: stream::RetentionPolicy::Limits,
                discard: stream::DiscardPolicy::Old,
                num_replicas: settings.replicas.max(1),
                duplicate_window: settings.duplicate_window,
                allow_direct: true,
                ..Default::default()
            })
            .await
            .map_err(|err| storage(format!("stream {}: {err}", settings.stream)))?;
        let info = stream
            .info()
            .await
            .map_err(|err| storage(format!("stream {}: {err}", settings.stream)))?;
        if !info.config.allow_direct {
            return Err(storage(format!(
                "stream {} exists without allow_direct; enable it (nats stream edit --allow-direct)",
                settings.stream
            )));
        }
        let head = info.state.last_sequence;
        let positions = Positions::open(
            &context,
            &settings.consumers_bucket,
            settings.replicas.max(1),
        )
        .await?;
        let leases = Leases::open(
            &context,
            &leases_bucket(&settings.consumers_bucket),
            settings.replicas.max(1),
        )
        .await?;
        let store = Arc::new(Store {
            client,
            context,
            stream: settings.stream.clone(),
            prefix,
            hub: Hub::new(head, DEFAULT_TAIL),
            positions,
        });
        let follower = tokio::spawn(follow(Arc::downgrade(&store)));
        Ok(Self {
            groups: Arc::new(SharedGroups::new(Arc::clone(&store), leases)),
            store,
            _follower: Arc::new(AbortOnDrop(follower)),
        })
    }
}

/// The KV bucket of consumer leases: the positions bucket's name with `_LEASES`.
pub fn leases_bucket(consumers_bucket: &str) -> String {
    format!("{consumers_bucket}_LEASES")
}

/// Feeds the hub with every message stored in the stream, in order, whoever published it.
async fn follow(store: Weak<Store>) {
    loop {
        let Some(strong) = store.upgrade() else {
            return;
        };
        let result = follow_once(&strong).await;
        drop(strong);
        if let Err(err) = result {
            tracing::warn!(error = %err, "following the event stream failed; starting again");
        }
        tokio::time::sleep(FOLLOW_RETRY).await;
    }
}

async fn follow_once(store: &Arc<Store>) -> Result<(), LogError> {
    let stream = store
        .context
        .get_stream(&store.stream)
        .await
        .map_err(storage)?;
    let consumer = stream
        .create_consumer(pull::OrderedConfig {
            deliver_policy: DeliverPolicy::ByStartSequence {
                start_sequence: store.hub.head() + 1,
            },
            filter_subject: format!("{}.>", store.prefix),
            ..Default::default()
        })
        .await
        .map_err(storage)?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(storage)?
        .ready_chunks(256);
    // Newest stream sequence delivered here (events and anything else on the subjects).
    let mut seen = store.hub.head();
    loop {
        let chunk = match tokio::time::timeout(FOLLOW_CHECK, messages.next()).await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // Quiet: fine if the stream is quiet too. An ordered consumer can stall silently
            // when the server restarts (its ephemeral consumer is gone); start again then.
            Err(_) => {
                if store.stream_last_sequence().await? > seen {
                    return Err(LogError::Storage(
                        "the event stream follower stalled".into(),
                    ));
                }
                continue;
            }
        };
        let mut fresh = Vec::with_capacity(chunk.len());
        let head = store.hub.head();
        for message in chunk {
            let message = message.map_err(storage)?;
            if let Ok(info) = message.info() {
                seen = seen.max(info.stream_sequence);
            }
            match codec::decode_delivered(&message) {
                Ok(event) if event.cursor > head => fresh.push(Arc::new(event)),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "skipping a foreign message"),
            }
        }
        store.hub.publish(fresh);
    }
    Err(LogError::Storage("the event stream follower ended".into()))
}

impl Store {
    async fn read_events(
        &self,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> Result<ReadBatch, LogError> {
        let limit = limit.max(1);
        if let Some(batch) = self.hub.read_cached(after, &filter, limit, SCAN_LIMIT) {
            // The hub says "nothing newer" only up to what it has followed; storage may be
            // ahead of it for a moment (an append on another replica not yet delivered here).
            // That is fine: the head watch wakes the reader when it arrives.
            return Ok(batch);
        }
        let messages = read::batch(&self.client, &self.stream, after + 1, SCAN_LIMIT).await?;
        let mut batch = ReadBatch {
            events: Vec::new(),
            scanned_to: after,
        };
        for message in messages {
            batch.scanned_to = message.sequence;
            let event = match codec::decode_stored(&message) {
                Ok(event) => event,
                Err(err) => {
                    tracing::warn!(error = %err, "skipping a foreign message");
                    continue;
                }
            };
            if filter.matches(&event) {
                batch.events.push(Arc::new(event));
                if batch.events.len() >= limit {
                    break;
                }
            }
        }
        Ok(batch)
    }

    /// The stored event with RalioPay id `id` (any age: not limited to the dedup window).
    async fn find_id(&self, id: &str) -> Result<Option<LoggedEvent>, LogError> {
        let filter = codec::id_filter(&self.prefix, id);
        match read::first(&self.client, &self.stream, read::From::Subject(&filter)).await? {
            Some(message) => codec::decode_stored(&message).map(Some),
            None => Ok(None),
        }
    }

    /// The newest sequence in the stream (which this replica may not have followed yet).
    async fn stream_last_sequence(&self) -> Result<u64, LogError> {
        let mut stream = self
            .context
            .get_stream(&self.stream)
            .await
            .map_err(storage)?;
        Ok(stream.info().await.map_err(storage)?.state.last_sequence)
    }

    /// Waits (bounded) until the hub has followed the stream up to `cursor`.
    async fn caught_up_to(&self, cursor: u64) {
        let mut head = self.hub.watch();
        let _ = tokio::time::timeout(OWN_WRITES_WAIT, head.wait_for(|head| *head >= cursor)).await;
    }

    async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<AppendOutcome>, LogError> {
        let mut outcomes = Vec::with_capacity(events.len());
        for event in events {
            if let Some(existing) = self.find_id(&event.id).await? {
                outcomes.push(AppendOutcome {
                    cursor: existing.cursor,
                    duplicate: true,
                });
                continue;
            }
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(
                async_nats::header::NATS_MESSAGE_ID,
                codec::msg_id(&event.id).as_str(),
            );
            let ack = self
                .context
                .publish_with_headers(
                    codec::subject(&self.prefix, &event),
                    headers,
                    codec::encode(&event)?.into(),
                )
                .await
                .map_err(storage)?
                .await
                .map_err(storage)?;
            outcomes.push(AppendOutcome {
                cursor: ack.sequence,
                duplicate: ack.duplicate,
            });
        }
        if let Some(newest) = outcomes.iter().map(|outcome| outcome.cursor).max() {
            self.caught_up_to(newest).await;
        }
        Ok(outcomes)
    }
}

impl EventLog for JetStreamLog {
    fn append(&self, events: Vec<NewEvent>) -> BoxFuture<'_, Result<Vec<AppendOutcome>, LogError>> {
        Box::pin(self.store.append(events))
    }

    fn read_from(
        &self,
        after: u64,
        filter: Arc<EventFilter>,
        limit: usize,
    ) -> BoxFuture<'_, Result<ReadBatch, LogError>> {
        Box::pin(self.store.read_events(after, filter, limit))
    }

    fn get_by_id(&self, id: String) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>> {
        Box::pin(async move { Ok(self.store.find_id(&id).await?.map(Arc::new)) })
    }

    fn get_by_cursor(
        &self,
        cursor: u64,
    ) -> BoxFuture<'_, Result<Option<Arc<LoggedEvent>>, LogError>> {
        Box::pin(async move {
            if let Some(event) = self.store.hub.cached(cursor) {
                return Ok(Some(event));
            }
            if cursor == 0 {
                return Ok(None);
            }
            match read::first(
                &self.store.client,
                &self.store.stream,
                read::From::Exactly(cursor),
            )
            .await?
            {
                Some(message) => match codec::decode_stored(&message) {
                    Ok(event) => Ok(Some(Arc::new(event))),
                    // Not one of ours (published on the stream by someone else).
                    Err(_) => Ok(None),
                },
                None => Ok(None),
            }
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
            // Receive times never decrease along the sequence: binary search for the first
            // message stored at or after `at_ms` (one direct get per probe).
            let head = self.store.hub.head();
            let (mut low, mut high) = (1, head + 1);
            while low < high {
                let middle = low + (high - low) / 2;
                match read::batch(&self.store.client, &self.store.stream, middle, 1)
                    .await?
                    .first()
                {
                    Some(message) if message.sequence <= head => {
                        if codec::stored_at_ms(message) >= at_ms {
                            high = middle;
                        } else {
                            low = message.sequence + 1;
                        }
                    }
                    // Nothing stored from `middle` up to the head (removed by limits).
                    _ => high = middle,
                }
            }
            Ok(low - 1)
        })
    }

    fn position(&self, name: String) -> BoxFuture<'_, Result<Option<u64>, LogError>> {
        Box::pin(async move { self.store.positions.load(&name).await })
    }

    fn ack(&self, name: String, cursor: u64) -> BoxFuture<'_, Result<u64, LogError>> {
        Box::pin(async move {
            // A cursor handed out by another replica may be a moment ahead of this one: if the
            // stream has it, wait (bounded) for this replica to follow before judging it.
            if cursor > self.store.hub.head() && cursor <= self.store.stream_last_sequence().await?
            {
                self.store.caught_up_to(cursor).await;
            }
            self.groups.ack(name, cursor).await
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_logs_hide_url_credentials() {
        let settings = NatsSettings {
            url: "nats://alice:s3cret@nats-1:4222,tls://bob:pw@nats-2:4222".into(),
            ..NatsSettings::default()
        };
        let printed = format!("{settings:?}");
        assert!(
            !printed.contains("s3cret") && !printed.contains("pw@"),
            "{printed}"
        );
        assert!(
            printed.contains("nats://***@nats-1:4222,tls://***@nats-2:4222"),
            "{printed}"
        );
        assert_eq!(redact_url("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
    }
}
