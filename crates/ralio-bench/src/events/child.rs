//! The servers under test run in child processes (this binary, `events-server`), so that their
//! resident memory is theirs alone: the 10,000 client streams of the memory test live in the
//! parent. The child prints `READY <grpc addr> <http addr>` (the floor adds the address of its
//! raw-h2 fan-out) and serves until its stdin closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use prost::Message;
use ralio_gateway::dev::{self, DevOptions};
use ralio_gateway::events::jetstream::NatsSettings;
use ralio_gateway::events::{Backend, EventsSettings};
use ralio_gateway::proto::ralio::v1 as pb;
use ralio_gateway::proto::ralio::v1::events_service_server::{EventsService, EventsServiceServer};
use tokio::sync::broadcast;
use tonic::{Request, Response, Status};

/// The client token of the gateway under test (all scopes).
pub const TOKEN: &str = "bench-events-token";
/// The webhook secret the gateway under test verifies with.
pub const WEBHOOK_SECRET: &str = "bench-events-webhook-secret";

/// Which server a child runs.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    /// `ralio-gateway dev` (sandbox + gateway, SQLite event log in the data dir; with
    /// `--nats-url`, the NATS JetStream backend instead).
    Gateway,
    /// A bare tonic `EventsService` streaming the events of `--events-file` from memory.
    Floor,
}

/// Arguments of the hidden `events-server` command.
#[derive(clap::Args)]
pub struct ServerArgs {
    #[arg(long, value_enum)]
    kind: Kind,
    /// Data directory of the gateway.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A `ListEventsResponse` (protobuf) holding the events the floor sends.
    #[arg(long)]
    events_file: Option<PathBuf>,
    /// Run the gateway on the NATS JetStream event backend at this URL (instead of SQLite).
    #[arg(long)]
    nats_url: Option<String>,
}

/// Child side: start the server, announce it, serve until stdin closes.
pub async fn serve(args: ServerArgs) -> anyhow::Result<()> {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    // The third address is a fan-out served by one task per connection: the gateway's events
    // port, or the floor's raw-h2 server.
    let (grpc, http, fanout, guard) = match args.kind {
        Kind::Gateway => {
            let events = match args.nats_url {
                Some(url) => EventsSettings {
                    backend: Backend::Nats(NatsSettings {
                        url,
                        ..NatsSettings::default()
                    }),
                    ..EventsSettings::default()
                },
                None => EventsSettings::default(),
            };
            let handle = dev::start(DevOptions {
                grpc_addr: any,
                events_grpc_addr: Some(any),
                http_addr: any,
                sandbox_addr: any,
                data_dir: args.data_dir.context("--data-dir is required")?,
                dev_token: Some(TOKEN.to_owned()),
                webhook_secret: Some(WEBHOOK_SECRET.to_owned()),
                events,
            })
            .await
            .context("cannot start the gateway under test")?;
            let gateway = &handle.gateway;
            let (grpc, http) = (gateway.grpc_addr(), gateway.http_addr());
            (grpc, http, gateway.events_grpc_addr(), Some(handle))
        }
        Kind::Floor => {
            let path = args.events_file.context("--events-file is required")?;
            let events = pb::ListEventsResponse::decode(std::fs::read(path)?.as_slice())?.events;
            let template = events
                .first()
                .cloned()
                .context("--events-file holds no event")?;
            let (live, _) = broadcast::channel(LIVE_FLOOR_BUFFER);
            let listener = tokio::net::TcpListener::bind(any).await?;
            let addr = listener.local_addr()?;
            let incoming =
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
            tokio::spawn(
                tonic::transport::Server::builder()
                    .add_service(EventsServiceServer::new(Floor {
                        events: Arc::new(events),
                        live: live.clone(),
                    }))
                    .serve_with_incoming(incoming),
            );
            let http_listener = tokio::net::TcpListener::bind(any).await?;
            let http = http_listener.local_addr()?;
            let receiver = axum::Router::new()
                .route(
                    ralio_gateway::events::ingest::WEBHOOK_PATH,
                    axum::routing::post(floor_webhook),
                )
                .with_state(LiveFloor {
                    template: Arc::new(template),
                    cursor: Arc::new(AtomicU64::new(0)),
                    live: live.clone(),
                });
            tokio::spawn(async move { axum::serve(http_listener, receiver).await });
            let h2_listener = tokio::net::TcpListener::bind(any).await?;
            let h2 = h2_listener.local_addr()?;
            tokio::spawn(super::h2_fanout::serve(h2_listener, live));
            (addr, http, Some(h2), None)
        }
    };
    match fanout {
        Some(fanout) => println!("READY {grpc} {http} {fanout}"),
        None => println!("READY {grpc} {http}"),
    }
    std::io::stdout().flush()?;
    // Serve until the parent closes our stdin (or dies).
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    drop(guard);
    std::process::exit(0);
}

/// Events a live floor subscriber may fall behind by before it skips some (and comes up short).
const LIVE_FLOOR_BUFFER: usize = 4096;

/// The floor: the same `Event` messages with nothing else (no auth, no log, no signature check).
/// `Subscribe` from the earliest position streams `events` from memory (catch-up); from the
/// latest, it streams what `POST /webhooks/ralio` broadcasts (live).
struct Floor {
    events: Arc<Vec<pb::Event>>,
    live: broadcast::Sender<pb::SubscribeResponse>,
}

/// The live floor's webhook receiver: each delivery becomes `template` with the delivery's
/// `eventId` and the next cursor, sent to every live subscriber.
#[derive(Clone)]
struct LiveFloor {
    template: Arc<pb::Event>,
    cursor: Arc<AtomicU64>,
    live: broadcast::Sender<pb::SubscribeResponse>,
}

#[derive(serde::Deserialize)]
struct EnvelopeId {
    #[serde(rename = "eventId")]
    event_id: String,
}

async fn floor_webhook(
    axum::extract::State(floor): axum::extract::State<LiveFloor>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let Ok(envelope) = serde_json::from_slice::<EnvelopeId>(&body) else {
        return axum::http::StatusCode::BAD_REQUEST;
    };
    let mut event = pb::Event::clone(&floor.template);
    event.id = envelope.event_id;
    event.cursor = floor.cursor.fetch_add(1, Ordering::Relaxed) + 1;
    // No subscriber yet is not an error for a receiver.
    let _ = floor.live.send(pb::SubscribeResponse {
        kind: Some(pb::subscribe_response::Kind::Event(event)),
    });
    axum::http::StatusCode::OK
}

type FloorStream = std::pin::Pin<
    Box<dyn tokio_stream::Stream<Item = Result<pb::SubscribeResponse, Status>> + Send>,
>;

#[tonic::async_trait]
impl EventsService for Floor {
    type SubscribeStream = FloorStream;

    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        if let Some(pb::subscribe_request::Start::Latest(true)) = request.into_inner().start {
            let live = futures::stream::unfold(self.live.subscribe(), |mut receiver| async move {
                loop {
                    match receiver.recv().await {
                        Ok(message) => return Some((Ok(message), receiver)),
                        Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            });
            return Ok(Response::new(Box::pin(live)));
        }
        let events = Arc::clone(&self.events);
        let stream = tokio_stream::iter((0..events.len()).map(move |index| {
            Ok(pb::SubscribeResponse {
                kind: Some(pb::subscribe_response::Kind::Event(events[index].clone())),
            })
        }));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn ack(&self, _: Request<pb::AckRequest>) -> Result<Response<pb::AckResponse>, Status> {
        Err(Status::unimplemented("the floor serves Subscribe only"))
    }

    async fn list_events(
        &self,
        _: Request<pb::ListEventsRequest>,
    ) -> Result<Response<pb::ListEventsResponse>, Status> {
        Err(Status::unimplemented("the floor serves Subscribe only"))
    }

    async fn get_event(
        &self,
        _: Request<pb::GetEventRequest>,
    ) -> Result<Response<pb::GetEventResponse>, Status> {
        Err(Status::unimplemented("the floor serves Subscribe only"))
    }
}

/// Parent side: a running child server.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    pub grpc: SocketAddr,
    pub http: SocketAddr,
    /// The gateway's events port, or the floor's raw-h2 fan-out server.
    pub fanout: Option<SocketAddr>,
}

impl Server {
    /// Starts `kind` in a child process and waits for it to listen.
    pub fn start(
        kind: Kind,
        data_dir: Option<&Path>,
        events_file: Option<&Path>,
    ) -> anyhow::Result<Self> {
        Self::launch(kind, data_dir, events_file, None)
    }

    /// Starts the gateway on the NATS JetStream backend at `nats_url` in a child process.
    pub fn start_nats_gateway(data_dir: &Path, nats_url: &str) -> anyhow::Result<Self> {
        Self::launch(Kind::Gateway, Some(data_dir), None, Some(nats_url))
    }

    fn launch(
        kind: Kind,
        data_dir: Option<&Path>,
        events_file: Option<&Path>,
        nats_url: Option<&str>,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("events-server")
            .arg("--kind")
            .arg(match kind {
                Kind::Gateway => "gateway",
                Kind::Floor => "floor",
            })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(dir) = data_dir {
            command.arg("--data-dir").arg(dir);
        }
        if let Some(file) = events_file {
            command.arg("--events-file").arg(file);
        }
        if let Some(url) = nats_url {
            command.arg("--nats-url").arg(url);
        }
        let mut child = command
            .spawn()
            .context("cannot start the events-server child")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("child stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let mut words = line.split_whitespace();
        anyhow::ensure!(
            words.next() == Some("READY"),
            "child did not start: {line:?}"
        );
        let grpc = words.next().context("grpc addr")?.parse()?;
        let http = words.next().context("http addr")?.parse()?;
        let fanout = words.next().map(str::parse).transpose()?;
        Ok(Self {
            child,
            stdin,
            grpc,
            http,
            fanout,
        })
    }

    /// The child's resident set size in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/<pid>/status")
    }

    /// CPU time (user + system) the child has used so far, in ms.
    pub fn cpu_ms(&self) -> u64 {
        cpu_ms(&self.child.id().to_string())
    }

    /// Closes the child's stdin and waits for it to exit.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.stdin.take();
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.stdin.take().is_some() {
            // Not stopped cleanly (an error path): end our own child.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// CPU time (user + system) of process `pid` ("self" for this one), in ms, from
/// `/proc/<pid>/stat` (clock ticks of 10 ms, Linux's USER_HZ); 0 where unavailable.
pub fn cpu_ms(pid: &str) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|value| value.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10
}
