//! The event pipeline benchmark (issue 4 §5), in one run:
//!
//! * **ingest** — signed `payin_completed` webhooks POSTed by N concurrent connections to the
//!   gateway's `/webhooks/ralio`; a 200 means durably committed (SQLite, WAL, synchronous=FULL,
//!   group commit), so 200s per second is the committed rate;
//! * **ingest-nats** — the same load on a gateway using the NATS JetStream backend, against a
//!   `nats-server -js` child of the benchmark (own free port, temporary store directory); a 200
//!   means JetStream acknowledged the publish. Skipped, with the reason printed, when there is
//!   no `nats-server` binary (`--nats-server`, `$RALIO_NATS_SERVER_BIN`, or `PATH`);
//! * **live** — S subscribers at the head while webhooks arrive at R per second: latency from
//!   just before the POST to the subscriber's receipt (the POST time is recorded by event id);
//! * **catch-up** — S subscribers each replaying the same E stored events from `earliest`:
//!   aggregate deliveries per second, from the in-memory tail (gateway that ingested them) and
//!   from SQLite (gateway restarted on the same data dir, so nothing is cached);
//! * **floor** — a bare tonic server stream sending those same E `Event` protos (fetched from
//!   the gateway with `ListEvents`) from memory to S streams;
//! * **live-port** — the same live test on the gateway's events port (`src/fanout/`, one task
//!   per HTTP/2 connection for its `Subscribe` streams), same gateway process, right after;
//! * **live-floor** — the live test against that bare server: each POST (signature not checked,
//!   nothing stored) is broadcast from memory to the S streams; what the same machine, client
//!   and tonic stack give with none of the gateway's work, for reading the live figure;
//! * **live-h2** — the live test against a fan-out below tonic (`events/h2_fanout.rs`): the
//!   same broadcast written by one task per HTTP/2 connection to all of its streams, straight
//!   on the `h2` crate; what the per-stream tasks of tonic/hyper cost, measured;
//! * **idle memory** — RSS of the gateway process with I idle streams minus without, over I.
//!
//! Servers run in child processes (this binary, `events-server`), so their RSS excludes the
//! client; the client shares the machine's cores with them, which the output states.

mod child;
mod client;
mod h2_fanout;
mod nats;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use hdrhistogram::Histogram;
use tonic::transport::Channel;

use crate::{load, machine};
use child::{Kind, Server};
use client::{LightResponse, Start, Webhooks};

pub use child::{ServerArgs, serve};

#[derive(clap::Args)]
pub struct Args {
    /// Seconds of ingest measurement (after a 1 s warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent webhook connections of the ingest test.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Subscribers of the live and catch-up tests.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Webhooks per second during the live test.
    #[arg(long, default_value_t = 200)]
    rate: u64,
    /// Seconds of the live test (the first second is warm-up, not recorded).
    #[arg(long, default_value_t = 10)]
    live_seconds: u64,
    /// Stored events each catch-up subscriber replays.
    #[arg(long, default_value_t = 1000)]
    catchup_events: usize,
    /// Idle streams of the memory test.
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
    /// Streams per HTTP/2 connection (subscribers share connections).
    #[arg(long, default_value_t = 250)]
    streams_per_connection: usize,
    /// Which parts to run (comma separated): ingest, ingest-nats, live, live-port, catchup,
    /// floor, live-floor, live-h2, idle.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ingest,ingest-nats,live,live-port,catchup,floor,live-floor,live-h2,idle"
    )]
    phases: Vec<String>,
    /// The `nats-server` binary of ingest-nats (default: $RALIO_NATS_SERVER_BIN, else
    /// `nats-server` on PATH).
    #[arg(long)]
    nats_server: Option<PathBuf>,
}

impl Args {
    fn runs(&self, phase: &str) -> bool {
        self.phases.iter().any(|p| p == phase)
    }

    fn connections_for(&self, streams: usize) -> usize {
        streams.div_ceil(self.streams_per_connection.max(1)).max(1)
    }
}

/// Figures and verdicts collected for the summary.
#[derive(Default)]
struct Summary {
    ingest: Option<f64>,
    /// Ingest on NATS JetStream, or why it was skipped.
    ingest_nats: Option<Result<f64, String>>,
    live_p99_us: Option<u64>,
    /// Live fan-out on the gateway's events port.
    live_port_p99_us: Option<u64>,
    /// Live fan-out through the bare tonic floor (a broadcast from memory).
    live_floor_p99_us: Option<u64>,
    live_h2_p99_us: Option<u64>,
    catchup_storage: Option<(f64, f64)>,
    catchup_tail: Option<(f64, f64)>,
    floor: Option<(f64, f64)>,
    idle_bytes: Option<f64>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let root = std::env::temp_dir().join(format!("ralio-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&root)?;
    let result = run_in(&args, &root).await;
    let _ = std::fs::remove_dir_all(&root);
    result
}

async fn run_in(args: &Args, root: &Path) -> anyhow::Result<()> {
    println!(
        "events: gateway (ralio-gateway dev, SQLite event log; for ingest-nats the same gateway \
         on the NATS JetStream backend, plus a nats-server child) and floor in child \
         processes; client in this process; {} cores shared by all",
        machine::cores()
    );
    println!(
        "subscribers share HTTP/2 connections ({} streams per connection); they decode Event.id \
         and Event.cursor only (same client for gateway and floor)",
        args.streams_per_connection
    );
    let mut summary = Summary::default();

    if args.runs("ingest") || args.runs("live") || args.runs("live-port") {
        let gateway = Server::start(Kind::Gateway, Some(&root.join("live")), None)?;
        let webhooks = Webhooks::new(gateway.http, args.connections)?;
        if args.runs("ingest") {
            summary.ingest = Some(ingest(args, "SQLite", &gateway, &webhooks, None).await?);
        }
        if args.runs("live") {
            summary.live_p99_us =
                Some(live(args, "live, gateway", &gateway, gateway.grpc, &webhooks).await?);
        }
        if args.runs("live-port") {
            let port = gateway.fanout.ok_or_else(|| {
                anyhow::anyhow!("the gateway child did not announce its events port")
            })?;
            let label = "live, gateway events port (one task per connection)";
            summary.live_port_p99_us = Some(live(args, label, &gateway, port, &webhooks).await?);
        }
        gateway.stop()?;
    }

    if args.runs("ingest-nats") {
        summary.ingest_nats = Some(ingest_nats(args, &root.join("nats")).await?);
    }

    let mut stored: Option<PathBuf> = None;
    if args.runs("catchup") || args.runs("floor") || args.runs("live-floor") || args.runs("live-h2")
    {
        let dir = root.join("catchup");
        let gateway = Server::start(Kind::Gateway, Some(&dir), None)?;
        let webhooks = Webhooks::new(gateway.http, args.connections)?;
        fill(&webhooks, args.catchup_events, args.connections).await?;
        if args.runs("catchup") {
            summary.catchup_tail =
                Some(catch_up(args, &gateway, "catch-up, gateway, in-memory tail").await?);
        }
        gateway.stop()?;
        // Restarted on the same data dir: the in-memory tail is empty, replays read SQLite.
        let gateway = Server::start(Kind::Gateway, Some(&dir), None)?;
        if args.runs("catchup") {
            catch_up(args, &gateway, "catch-up, gateway, SQLite (round 1)").await?;
            summary.catchup_storage =
                Some(catch_up(args, &gateway, "catch-up, gateway, SQLite (round 2)").await?);
        }
        let channel = client::channels(gateway.grpc, 1).await?.remove(0);
        let events = client::list_all(channel).await?;
        anyhow::ensure!(
            events.len() == args.catchup_events,
            "the log holds {} events, expected {}",
            events.len(),
            args.catchup_events
        );
        let file = root.join("events.pb");
        std::fs::write(
            &file,
            prost::Message::encode_to_vec(&ralio_gateway::proto::ralio::v1::ListEventsResponse {
                events,
                ..Default::default()
            }),
        )?;
        stored = Some(file);
        gateway.stop()?;
    }

    if let Some(file) = &stored {
        let floor = Server::start(Kind::Floor, None, Some(file))?;
        if args.runs("floor") {
            catch_up(args, &floor, "floor, bare tonic stream (round 1)").await?;
            summary.floor =
                Some(catch_up(args, &floor, "floor, bare tonic stream (round 2)").await?);
        }
        if args.runs("live-floor") {
            let webhooks = Webhooks::new(floor.http, args.connections)?;
            let label = "live, floor (bare tonic broadcast from memory, no storage)";
            summary.live_floor_p99_us =
                Some(live(args, label, &floor, floor.grpc, &webhooks).await?);
        }
        if args.runs("live-h2")
            && let Some(h2) = floor.fanout
        {
            let webhooks = Webhooks::new(floor.http, args.connections)?;
            let label = "live, h2 fan-out floor (raw h2, one task per connection, from memory)";
            summary.live_h2_p99_us = Some(live(args, label, &floor, h2, &webhooks).await?);
        }
        floor.stop()?;
    }

    if args.runs("idle") {
        summary.idle_bytes = Some(idle(args, &root.join("idle")).await?);
    }

    print_summary(args, &summary);
    Ok(())
}

/// CPU used by the server and by this process (the client) between two points.
struct CpuMeter {
    server: u64,
    client: u64,
}

impl CpuMeter {
    fn start(server: &Server) -> Self {
        Self {
            server: server.cpu_ms(),
            client: child::cpu_ms("self"),
        }
    }

    /// What the server and this process have used since [`Self::start`] (one reading of each).
    fn used(&self, server: &Server) -> CpuUsed {
        CpuUsed {
            server_ms: server.cpu_ms().saturating_sub(self.server),
            client_ms: child::cpu_ms("self").saturating_sub(self.client),
        }
    }
}

/// CPU milliseconds used by the server and by the client over a measurement.
struct CpuUsed {
    server_ms: u64,
    client_ms: u64,
}

impl CpuUsed {
    /// The share of all cores the server and the client used together over `elapsed`.
    fn busy(&self, elapsed: Duration) -> f64 {
        (self.server_ms + self.client_ms) as f64
            / (elapsed.as_secs_f64() * 1000.0 * machine::cores() as f64)
    }

    /// "server CPU … client CPU …", per `units` (µs per unit).
    fn describe(&self, units: usize, unit: &str) -> String {
        self.measure(units, unit).0
    }

    /// The description and the server's CPU µs per unit.
    fn measure(&self, units: usize, unit: &str) -> (String, f64) {
        let (server_ms, client_ms) = (self.server_ms, self.client_ms);
        let per = |ms: u64| ms as f64 * 1000.0 / units.max(1) as f64;
        let text = format!(
            "server CPU {:.2} s ({:.2} µs/{unit}), client CPU {:.2} s ({:.2} µs/{unit})",
            server_ms as f64 / 1000.0,
            per(server_ms),
            client_ms as f64 / 1000.0,
            per(client_ms),
        );
        (text, per(server_ms))
    }
}

fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 120_000_000, 3)?)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Ingest on NATS JetStream: a `nats-server -js` child, a gateway child on the `nats` backend,
/// the same load as on SQLite. `Err` (not a failure) when there is no `nats-server` binary.
async fn ingest_nats(args: &Args, dir: &Path) -> anyhow::Result<Result<f64, String>> {
    let binary = match nats::find_binary(args.nats_server.as_deref()) {
        Ok(binary) => binary,
        Err(why) => {
            println!("ingest, NATS JetStream: skipped: {why}");
            return Ok(Err(why));
        }
    };
    let server = nats::NatsServer::start(&binary, &dir.join("server"))?;
    println!(
        "nats: {} ({}), JetStream file store in a temporary directory, one replica, server \
         defaults (sync_interval 2 min: a publish ack is not an fsync, unlike SQLite's \
         synchronous=FULL commit)",
        server.version,
        binary.display()
    );
    let gateway = Server::start_nats_gateway(&dir.join("gateway"), &server.url())?;
    let webhooks = Webhooks::new(gateway.http, args.connections)?;
    let rate = ingest(args, "NATS JetStream", &gateway, &webhooks, Some(&server)).await?;
    gateway.stop()?;
    drop(server);
    Ok(Ok(rate))
}

/// Ingest: closed loop, `connections` deliveries in flight. `nats`: the JetStream server, whose
/// CPU is reported too.
async fn ingest(
    args: &Args,
    backend: &str,
    gateway: &Server,
    webhooks: &Webhooks,
    nats: Option<&nats::NatsServer>,
) -> anyhow::Result<f64> {
    let counter = Arc::new(AtomicU64::new(0));
    let call = {
        let webhooks = webhooks.clone();
        move || {
            let webhooks = webhooks.clone();
            let n = counter.fetch_add(1, Ordering::Relaxed);
            async move { webhooks.deliver(&format!("ingest-{n}")).await }
        }
    };
    load::run(args.connections, Duration::from_secs(1), call.clone()).await?;
    let cpu = CpuMeter::start(gateway);
    let nats_before = nats.map(nats::NatsServer::cpu_ms);
    let report = load::run(args.connections, Duration::from_secs(args.seconds), call).await?;
    let committed = report.requests - report.errors;
    let mut cpu = cpu.used(gateway).describe(committed as usize, "webhook");
    if let (Some(server), Some(before)) = (nats, nats_before) {
        let ms = server.cpu_ms().saturating_sub(before);
        cpu.push_str(&format!(
            ", nats-server CPU {:.2} s ({:.2} µs/webhook)",
            ms as f64 / 1000.0,
            ms as f64 * 1000.0 / (committed as f64).max(1.0)
        ));
    }
    let rate = committed as f64 / report.elapsed.as_secs_f64();
    println!(
        "ingest, {backend}, {} connections: {:.0} webhooks/s committed ({} in {:.1} s, {} not \
         200); POST latency p50 {} µs p99 {} µs; {cpu}",
        args.connections,
        rate,
        committed,
        report.elapsed.as_secs_f64(),
        report.errors,
        report.latency_us.value_at_quantile(0.5),
        report.latency_us.value_at_quantile(0.99),
    );
    Ok(rate)
}

/// Stores `count` events (`stored-<n>`), `connections` at a time.
async fn fill(webhooks: &Webhooks, count: usize, connections: usize) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (webhooks, next) = (webhooks.clone(), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count as u64 {
                    return anyhow::Ok(());
                }
                anyhow::ensure!(
                    webhooks.deliver(&format!("stored-{n:06}")).await,
                    "delivery of stored-{n} was not stored"
                );
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Opens `count` subscriptions spread over `channels`, all at once.
async fn open_streams(
    channels: &[Channel],
    count: usize,
    start: Start,
    heartbeat: Duration,
) -> anyhow::Result<Vec<client::Events>> {
    let mut tasks = Vec::with_capacity(count);
    for index in 0..count {
        let channel = channels[index % channels.len()].clone();
        tasks.push(tokio::spawn(client::subscribe(channel, start, heartbeat)));
    }
    let mut streams = Vec::with_capacity(count);
    for task in tasks {
        streams.push(task.await??);
    }
    Ok(streams)
}

/// Live fan-out: `args.subscribers` streams from the latest position while webhooks are POSTed
/// to `server` at `args.rate`; returns the p99 webhook-to-subscriber latency in µs.
async fn live(
    args: &Args,
    label: &str,
    server: &Server,
    grpc: SocketAddr,
    webhooks: &Webhooks,
) -> anyhow::Result<u64> {
    let total = (args.rate * args.live_seconds) as usize;
    let warm_up = args.rate as usize;
    // Event ids unique to this run: the gateway stores each id once, and two live runs may
    // share a gateway (live, then live-port).
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let prefix: Arc<str> = format!("live{}-", RUNS.fetch_add(1, Ordering::Relaxed)).into();
    let channels = client::channels(grpc, args.connections_for(args.subscribers)).await?;
    let streams = open_streams(
        &channels,
        args.subscribers,
        Start::Latest,
        Duration::from_secs(15),
    )
    .await?;
    let base = Instant::now();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.live_seconds + 60);

    // One reader task per connection polls all of that connection's streams (a `SelectAll`):
    // a message wakes the reader once however many streams it feeds, where a task per stream
    // cost a task wake-up per delivery. Each reader keeps its latencies in a plain vector and
    // arms one deadline for the whole phase (a histogram per reader missed the cache on every
    // record; a timeout per message took the time driver's lock twice per delivery). All three
    // were the client's own cost, on cores it shares with the server.
    let connections = channels.len();
    let mut groups: Vec<Vec<client::Events>> = (0..connections).map(|_| Vec::new()).collect();
    for (index, stream) in streams.into_iter().enumerate() {
        groups[index % connections].push(stream);
    }
    let mut readers = Vec::with_capacity(connections);
    for group in groups {
        let sent = Arc::clone(&sent);
        let prefix = Arc::clone(&prefix);
        readers.push(tokio::spawn(async move {
            let streams = group.len();
            let mut received = vec![0usize; streams];
            let mut latencies: Vec<u64> =
                Vec::with_capacity(streams * total.saturating_sub(warm_up));
            let mut merged = futures::stream::select_all(
                group
                    .into_iter()
                    .enumerate()
                    .map(|(index, stream)| stream.map(move |item| (index, item))),
            );
            let read = async {
                let mut complete = 0;
                while complete < streams {
                    let Some((index, item)) = merged.next().await else {
                        break;
                    };
                    let Ok(LightResponse { event: Some(event) }) = item else {
                        continue;
                    };
                    let at = base.elapsed().as_nanos() as u64;
                    received[index] += 1;
                    complete += usize::from(received[index] == total);
                    let Some(n) = event
                        .id
                        .strip_prefix(&*prefix)
                        .and_then(|n| n.parse::<usize>().ok())
                    else {
                        continue;
                    };
                    if n >= warm_up
                        && let Some(slot) = sent.get(n)
                    {
                        let posted = slot.load(Ordering::Acquire);
                        latencies.push(at.saturating_sub(posted) / 1000);
                    }
                }
            };
            // A reader still short at the deadline reports what it has (counted as short).
            let _ = tokio::time::timeout_at(deadline, read).await;
            (latencies, received)
        }));
    }

    let cpu = CpuMeter::start(server);
    let failed = Arc::new(AtomicU64::new(0));
    let mut ticker = tokio::time::interval(Duration::from_nanos(1_000_000_000 / args.rate.max(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::with_capacity(total);
    let started = Instant::now();
    for n in 0..total {
        ticker.tick().await;
        let (webhooks, sent, failed) = (webhooks.clone(), Arc::clone(&sent), Arc::clone(&failed));
        let id = format!("{prefix}{n}");
        posts.push(tokio::spawn(async move {
            sent[n].store(base.elapsed().as_nanos() as u64, Ordering::Release);
            if !webhooks.deliver(&id).await {
                failed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let posting = started.elapsed();
    for post in posts {
        post.await?;
    }
    let mut latencies = histogram()?;
    let mut delivered = 0usize;
    let mut short = 0usize;
    for reader in readers {
        let (samples, received) = reader.await?;
        for latency in samples {
            latencies.saturating_record(latency);
        }
        delivered += received.iter().sum::<usize>();
        short += received.iter().filter(|&&count| count < total).count();
    }
    let elapsed = started.elapsed();
    let used = cpu.used(server);
    let busy = used.busy(elapsed);
    let cpu = used.describe(delivered, "delivery");
    println!(
        "{label}, {} subscribers, {} webhooks at {}/s ({:.1} s): latency webhook POST → subscriber \
         p50 {} µs p90 {} µs p99 {} µs p99.9 {} µs max {} µs ({} samples after 1 s warm-up); \
         {} deliveries ({:.0}/s over {:.1} s), {} POSTs not 200, {} subscribers short; {cpu}",
        args.subscribers,
        total,
        args.rate,
        posting.as_secs_f64(),
        latencies.value_at_quantile(0.5),
        latencies.value_at_quantile(0.9),
        latencies.value_at_quantile(0.99),
        latencies.value_at_quantile(0.999),
        latencies.max(),
        latencies.len(),
        delivered,
        delivered as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        failed.load(Ordering::Relaxed),
        short,
    );
    println!(
        "  the machine was {:.0}% busy (server + client CPU over {} cores): latency is mostly \
         queueing once this nears 100%",
        busy * 100.0,
        machine::cores(),
    );
    let offered = (args.rate as usize * args.subscribers) as f64;
    let achieved = delivered as f64 / elapsed.as_secs_f64();
    if achieved < 0.95 * offered {
        println!(
            "  note: {offered:.0} deliveries/s offered, {achieved:.0}/s achieved: the machine \
             (server + client) cannot keep up, so these latencies are mostly queueing"
        );
    }
    Ok(latencies.value_at_quantile(0.99))
}

/// Catch-up (and floor): every subscriber reads `catchup_events` events from the start.
/// Returns deliveries per second and the server's CPU µs per delivery.
async fn catch_up(args: &Args, server: &Server, label: &str) -> anyhow::Result<(f64, f64)> {
    let expected = args.catchup_events;
    let channels = client::channels(server.grpc, args.connections_for(args.subscribers)).await?;
    let cpu = CpuMeter::start(server);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.subscribers);
    for index in 0..args.subscribers {
        let channel = channels[index % channels.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut stream =
                client::subscribe(channel, Start::Earliest, Duration::from_secs(60)).await?;
            let mut received = 0usize;
            let mut last = 0u64;
            while received < expected {
                match stream.message().await? {
                    Some(message) => {
                        if let Some(event) = message.event {
                            anyhow::ensure!(event.cursor > last || last == 0, "out of order");
                            last = event.cursor;
                            received += 1;
                        }
                    }
                    None => break,
                }
            }
            anyhow::Ok(received)
        }));
    }
    let mut delivered = 0usize;
    let mut short = 0usize;
    for task in tasks {
        let received = task.await??;
        delivered += received;
        short += usize::from(received < expected);
    }
    let elapsed = started.elapsed();
    let rate = delivered as f64 / elapsed.as_secs_f64();
    let (cpu, server_us) = cpu.used(server).measure(delivered, "delivery");
    println!(
        "{label}: {} streams × {} events: {:.0} deliveries/s ({} in {:.2} s, {} streams short; \
         server RSS {} MiB); {cpu}",
        args.subscribers,
        expected,
        rate,
        delivered,
        elapsed.as_secs_f64(),
        short,
        server.rss_kib().unwrap_or(0) / 1024,
    );
    anyhow::ensure!(short == 0, "{short} streams ended early");
    Ok((rate, server_us))
}

/// Idle memory: gateway RSS with `idle` open, idle streams minus without, per stream.
async fn idle(args: &Args, dir: &Path) -> anyhow::Result<f64> {
    let gateway = Server::start(Kind::Gateway, Some(dir), None)?;
    let channels = client::channels(gateway.grpc, args.connections_for(args.idle)).await?;
    let heartbeat = Duration::from_secs(300);
    // Warm-up: open and close a few streams on every connection, so one-off allocations
    // (connection buffers, the service's first stream) are in the baseline.
    let warm = open_streams(&channels, channels.len() * 4, Start::Latest, heartbeat).await?;
    drop(warm);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let gateway_before = gateway.rss_kib()?;
    let client_before = machine::current_kib().unwrap_or(0);
    let streams = open_streams(&channels, args.idle, Start::Latest, heartbeat).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let gateway_after = gateway.rss_kib()?;
    let client_after = machine::current_kib().unwrap_or(0);
    let per_stream =
        (gateway_after.saturating_sub(gateway_before) * 1024) as f64 / args.idle as f64;

    // Every one of those streams is live: one webhook reaches all of them.
    let webhooks = Webhooks::new(gateway.http, 1)?;
    let mut readers = Vec::with_capacity(streams.len());
    for mut stream in streams {
        readers.push(tokio::spawn(async move {
            let deadline = Duration::from_secs(60);
            loop {
                match tokio::time::timeout(deadline, stream.message()).await {
                    Ok(Ok(Some(message))) if message.event.is_some() => return (true, stream),
                    Ok(Ok(Some(_))) => {}
                    _ => return (false, stream),
                }
            }
        }));
    }
    anyhow::ensure!(
        webhooks.deliver("idle-wake").await,
        "wake-up webhook refused"
    );
    let mut woken = 0usize;
    let mut streams = Vec::with_capacity(readers.len());
    for reader in readers {
        let (got, stream) = reader.await?;
        woken += usize::from(got);
        streams.push(stream);
    }
    // Idle again, but every stream has now sent one event (per-stream buffers touched).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let gateway_used = gateway.rss_kib()?;
    let per_used = (gateway_used.saturating_sub(gateway_before) * 1024) as f64 / args.idle as f64;
    println!(
        "idle, {} streams on {} connections: gateway process RSS {} KiB → {} KiB: {:.0} bytes per \
         idle subscriber (child-process RSS, client excluded; client RSS {} → {} KiB); {} of {} \
         streams then received a webhook; idle again after it: {} KiB, {:.0} bytes per subscriber",
        args.idle,
        channels.len(),
        gateway_before,
        gateway_after,
        per_stream,
        client_before,
        client_after,
        woken,
        args.idle,
        gateway_used,
        per_used,
    );
    drop(streams);
    gateway.stop()?;
    Ok(per_stream)
}

fn print_summary(args: &Args, summary: &Summary) {
    println!();
    println!("summary (targets of issue 4 §5):");
    if let Some(rate) = summary.ingest {
        println!(
            "  ingest on SQLite ≥ 10,000/s:              {rate:>10.0}/s      {}",
            verdict(rate >= 10_000.0)
        );
    }
    match &summary.ingest_nats {
        Some(Ok(rate)) => {
            println!("  ingest on NATS JetStream (reported):      {rate:>10.0}/s      (no target)")
        }
        Some(Err(why)) => println!("  ingest on NATS JetStream: skipped ({why})"),
        None => {}
    }
    if let Some(p99) = summary.live_p99_us {
        println!(
            "  live p99 ≤ 10 ms ({} subs, {}/s):         {:>10.2} ms     {}",
            args.subscribers,
            args.rate,
            p99 as f64 / 1000.0,
            verdict(p99 <= 10_000)
        );
    }
    if let Some(p99) = summary.live_port_p99_us {
        println!(
            "  live p99 ≤ 10 ms, events port:            {:>10.2} ms     {}",
            p99 as f64 / 1000.0,
            verdict(p99 <= 10_000)
        );
    }
    if let Some(p99) = summary.live_floor_p99_us {
        println!(
            "    same through the bare tonic floor:      {:>10.2} ms     (reference)",
            p99 as f64 / 1000.0,
        );
    }
    if let Some(p99) = summary.live_h2_p99_us {
        println!(
            "    same through a raw-h2 fan-out floor:    {:>10.2} ms     (reference)",
            p99 as f64 / 1000.0,
        );
    }
    match (summary.catchup_storage, summary.floor) {
        (Some((catchup, catchup_us)), Some((floor, floor_us))) => {
            println!(
                "  catch-up (SQLite) ≥ 0.25 × floor:         {catchup:>10.0}/s vs floor {floor:.0}/s = {:.3}×  {}",
                catchup / floor,
                verdict(catchup >= 0.25 * floor)
            );
            println!(
                "    same in server CPU per delivery:        {catchup_us:.2} µs vs floor {floor_us:.2} µs = {:.3}× (steadier on a shared machine)",
                floor_us / catchup_us.max(f64::MIN_POSITIVE)
            );
            if let Some((tail, tail_us)) = summary.catchup_tail {
                println!(
                    "    from the in-memory tail (no restart):   {tail:.0}/s = {:.3}× floor; {tail_us:.2} µs/delivery = {:.3}×",
                    tail / floor,
                    floor_us / tail_us.max(f64::MIN_POSITIVE)
                );
            }
        }
        (Some((catchup, _)), None) => println!("  catch-up: {catchup:.0}/s (no floor measured)"),
        (None, Some((floor, _))) => println!("  floor: {floor:.0}/s (no catch-up measured)"),
        (None, None) => {}
    }
    if let Some(bytes) = summary.idle_bytes {
        println!(
            "  ≤ 16 KB per idle subscriber:              {:>10.1} KiB    {}",
            bytes / 1024.0,
            verdict(bytes <= 16.0 * 1024.0)
        );
    }
}
