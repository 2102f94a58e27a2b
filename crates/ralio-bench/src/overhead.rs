//! The gateway's overhead (issue 3 §3): one read, `GetMerchantUserAccount`, measured three ways
//! against the same in-process sandbox, with 1 and with 64 concurrent clients:
//!
//! * **rest** — reqwest straight to the sandbox (what the gateway itself has to pay);
//! * **core** — the gateway's own core client (`ralio-core`, the same instance) straight to the
//!   sandbox: token cache, request id, timeout, typed decode; no gRPC (not measured by default,
//!   `--only core`: it splits the gateway's cost between its REST side and its gRPC side);
//! * **echo** — a unary call to the floor's server answered from memory (`GetMerchantUser`, no
//!   REST call): what the tonic client and server alone cost (not measured by default). At one
//!   client the run prints floor = echo + rest + "nesting": what making a REST call from inside
//!   a gRPC call costs beyond the two calls made apart (task hand-overs between threads);
//! * **floor** — a bare tonic service that forwards the call with reqwest and does nothing else
//!   (no auth, validation, conversion, idempotency, metrics): the least any gRPC front can cost;
//! * **gateway** — the real gateway (`ralio-gateway dev` in-process: client auth, validation,
//!   conversion, status mapping, metrics).
//!
//! Targets, as ratios from one run: gateway p50 ≤ 1.2 × floor p50 at 1 client, and gateway
//! throughput ≥ 0.85 × floor throughput at 64 clients.
//!
//! For deterministic profiling (`valgrind --tool=callgrind`), `--only gateway --levels 1
//! --requests N` sends exactly N requests per client (after `--warmup-requests`), so two runs
//! with different N give the instructions of one request by difference.

use crate::load::{self, Report};
use crate::{machine, sandbox_api};
use ralio_gateway::dev::{self, DevOptions};
use ralio_gateway::proto::ralio::v1::merchant_service_client::MerchantServiceClient;
use ralio_gateway::proto::ralio::v1::merchant_service_server::{
    MerchantService, MerchantServiceServer,
};
use ralio_gateway::proto::ralio::v1::{
    GetMerchantUserAccountRequest, GetMerchantUserAccountResponse, GetMerchantUserRequest,
    GetMerchantUserResponse, ListMerchantUserAccountsRequest, ListMerchantUserAccountsResponse,
    MerchantAccount, MerchantAccountOwner,
};
use serde_json::Value;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tonic::transport::{Channel, Server};
use tonic::{Request, Response, Status};

#[derive(clap::Args)]
pub struct Args {
    /// Seconds of measurement per configuration (after a 1 s warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrency of the many-clients runs.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Client counts to run (default: 1 and `--clients`).
    #[arg(long, value_delimiter = ',')]
    levels: Vec<usize>,
    /// Which of the three ways to measure (default: all three).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Way>,
    /// Send exactly this many requests per client instead of running for `--seconds`
    /// (deterministic work, for instruction-count profiling).
    #[arg(long)]
    requests: Option<u64>,
    /// Warm-up requests per client when `--requests` is given.
    #[arg(long, default_value_t = 50)]
    warmup_requests: u64,
    /// Split each measurement into this many slices, alternating floor and gateway (and rest)
    /// slice by slice, so that a change in machine load hits all of them alike.
    #[arg(long, default_value_t = 5)]
    rounds: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Way {
    Rest,
    Core,
    Echo,
    Floor,
    Gateway,
}

/// What the floor puts in enum fields instead of converting RalioPay's strings (one varint byte,
/// like the gateway's converted values).
const FIXED_ENUM: i32 = 1;
/// What the floor puts in the owner's `created_at` instead of parsing RalioPay's timestamp (the
/// encoded size of a converted one with milliseconds, give or take a byte).
const FIXED_TIME: prost_types::Timestamp = prost_types::Timestamp {
    seconds: 1_700_000_000,
    nanos: 500_000_000,
};
/// How far apart the two answers' sizes may be before the run says they differ.
const SIZE_SLACK: usize = 4;

/// How long each measurement lasts.
#[derive(Clone, Copy)]
enum Amount {
    Seconds(Duration),
    Requests { warmup: u64, measured: u64 },
}

/// The floor: forwards `GetMerchantUserAccount` to the sandbox and copies the answer's fields into
/// the response message as they come (enums and the timestamp as fixed values, so nothing is
/// parsed or converted): the message size on the wire of the gateway's answer (checked at start,
/// within [`SIZE_SLACK`] bytes), none of its work. Until 2026-12-02 14:05 UTC it copied three
/// fields only, so the gateway was also charged for carrying a larger message than the floor
/// (BENCHMARKS.md).
struct Floor {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

#[tonic::async_trait]
impl MerchantService for Floor {
    /// The `echo` way: answered from memory.
    async fn get_merchant_user(
        &self,
        _: Request<GetMerchantUserRequest>,
    ) -> Result<Response<GetMerchantUserResponse>, Status> {
        Ok(Response::new(GetMerchantUserResponse::default()))
    }

    async fn list_merchant_user_accounts(
        &self,
        _: Request<ListMerchantUserAccountsRequest>,
    ) -> Result<Response<ListMerchantUserAccountsResponse>, Status> {
        Err(Status::unimplemented("the floor serves two RPCs only"))
    }

    async fn get_merchant_user_account(
        &self,
        request: Request<GetMerchantUserAccountRequest>,
    ) -> Result<Response<GetMerchantUserAccountResponse>, Status> {
        let aid = request.into_inner().aid;
        let body: Value = self
            .http
            .get(format!("{}/api/v1/merchant/user/accounts/{aid}", self.base))
            .header("authorization", &self.bearer)
            .send()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?
            .json()
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let owner = &body["user"];
        Ok(Response::new(GetMerchantUserAccountResponse {
            account: Some(MerchantAccount {
                id: text(&body["id"]),
                alias: text(&body["alias"]),
                currency: FIXED_ENUM,
                balance: body["balance"].as_i64().unwrap_or_default(),
                pending_in: body["pendingIn"].as_i64().unwrap_or_default(),
                pending_out: body["pendingOut"].as_i64().unwrap_or_default(),
                purpose: FIXED_ENUM,
                state: FIXED_ENUM,
                r#type: text(&body["type"]),
                user: Some(MerchantAccountOwner {
                    id: text(&owner["id"]),
                    name: text(&owner["name"]),
                    email: text(&owner["email"]),
                    country: text(&owner["country"]),
                    display_type: text(&owner["displayType"]),
                    r#type: FIXED_ENUM,
                    created_at: Some(FIXED_TIME),
                }),
            }),
        }))
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!("ralio-bench-{}", std::process::id()));
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let dev = dev::start(DevOptions {
        grpc_addr: any,
        events_grpc_addr: None,
        http_addr: any,
        sandbox_addr: any,
        data_dir: data_dir.clone(),
        dev_token: Some("bench-token".to_owned()),
        webhook_secret: None,
        events: Default::default(),
    })
    .await?;
    let base = dev.sandbox.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let bearer = sandbox_api::bearer(&http, &base).await?;
    let aid = sandbox_api::first_merchant_account(&http, &base, &bearer).await?;

    let floor_addr = start_floor(Floor {
        http: http.clone(),
        base: base.clone(),
        bearer: bearer.clone(),
    })
    .await?;
    let floor = MerchantServiceClient::new(channel(floor_addr).await?);
    let gateway = MerchantServiceClient::new(channel(dev.gateway.grpc_addr()).await?);
    let idle_kib = machine::current_kib();
    let (floor_bytes, gateway_bytes) = (
        response_bytes(&floor, &aid, None).await?,
        response_bytes(&gateway, &aid, Some("Bearer bench-token")).await?,
    );

    println!(
        "overhead: GetMerchantUserAccount, sandbox + floor + gateway + clients in one process, {} cores",
        machine::cores()
    );
    println!(
        "response message: floor {floor_bytes} bytes, gateway {gateway_bytes} bytes{}",
        if floor_bytes.abs_diff(gateway_bytes) <= SIZE_SLACK {
            ""
        } else {
            " (NOT the same size: the ratios compare unlike answers)"
        }
    );
    let amount = match args.requests {
        Some(measured) => Amount::Requests {
            warmup: args.warmup_requests,
            measured,
        },
        None => Amount::Seconds(Duration::from_secs(args.seconds)),
    };
    let levels = if args.levels.is_empty() {
        vec![1, args.clients]
    } else {
        args.levels.clone()
    };
    let ways = if args.only.is_empty() {
        vec![Way::Rest, Way::Floor, Way::Gateway]
    } else {
        args.only.clone()
    };
    let rounds = args.rounds.max(1);
    let slice = match amount {
        Amount::Seconds(total) => Amount::Seconds(total / rounds),
        Amount::Requests { warmup, measured } => Amount::Requests {
            warmup,
            measured: measured.div_ceil(u64::from(rounds)),
        },
    };
    let calls = Calls {
        rest: Arc::new(sandbox_api::get_call(
            http.clone(),
            format!("{base}/api/v1/merchant/user/accounts/{aid}"),
            bearer.clone(),
        )),
        core: Arc::new(core_call(dev.gateway.context().client.clone(), &aid)),
        echo: Arc::new(echo_call(floor.clone())),
        floor: Arc::new(grpc_call(floor.clone(), &aid, None)),
        gateway: Arc::new(grpc_call(gateway.clone(), &aid, Some("Bearer bench-token"))),
    };
    let mut results = Vec::new();
    let mut loaded_kib = None;
    for &clients in &levels {
        let mut measured: Vec<(Way, Option<Measured>)> = ways.iter().map(|&w| (w, None)).collect();
        for round in 0..rounds {
            for (way, total) in &mut measured {
                let this = calls.measure(*way, clients, slice, round == 0).await?;
                *total = Some(match total.take() {
                    None => this,
                    Some(sum) => sum.merge(this)?,
                });
            }
        }
        let mut by_way = |way: Way| {
            measured
                .iter_mut()
                .find(|(w, _)| *w == way)
                .and_then(|(_, m)| m.take())
        };
        let (rest, core, echo, floor_report, gateway_report) = (
            by_way(Way::Rest),
            by_way(Way::Core),
            by_way(Way::Echo),
            by_way(Way::Floor),
            by_way(Way::Gateway),
        );
        for (name, m) in [
            ("rest", &rest),
            ("core", &core),
            ("echo", &echo),
            ("floor", &floor_report),
            ("gateway", &gateway_report),
        ] {
            if let Some(m) = m {
                m.report.print(&format!("{name:<8} ({clients:>2} clients)"));
                println!(
                    "{:<40} process CPU {:>6.1} µs/request (user+system, all threads)",
                    "",
                    m.cpu_us_per_request()
                );
            }
        }
        if clients > 1 {
            loaded_kib = machine::current_kib();
        }
        let report = |m: Option<Measured>| m.map(|m| m.report);
        results.push((
            clients,
            report(rest),
            report(core),
            report(echo),
            report(floor_report),
            report(gateway_report),
        ));
    }

    println!();
    let p50 = |r: &Report| r.latency_us.value_at_quantile(0.5) as f64;
    for (clients, rest, core, echo, floor, gateway) in &results {
        if let (Some(floor), Some(gateway)) = (floor, gateway) {
            println!(
                "{clients:>2} clients: gateway/floor p50 {:.2}x, throughput {:.2}x",
                p50(gateway) / p50(floor),
                gateway.throughput() / floor.throughput(),
            );
        }
        if let (Some(rest), Some(core)) = (rest, core) {
            println!(
                "{clients:>2} clients: core client/rest p50 {:+.0} µs ({:.2}x)",
                p50(core) - p50(rest),
                p50(core) / p50(rest)
            );
        }
        if let (1, Some(core), Some(gateway)) = (*clients, core, gateway) {
            println!(
                "{clients:>2} clients: gateway/core client p50 {:+.0} µs (the gRPC side)",
                p50(gateway) - p50(core)
            );
        }
        if let (1, Some(rest), Some(echo), Some(floor)) = (*clients, rest, echo, floor) {
            println!(
                "{clients:>2} clients: floor p50 {} µs = echo {} + rest {} + nesting {} µs",
                p50(floor),
                p50(echo),
                p50(rest),
                p50(floor) - p50(echo) - p50(rest)
            );
        }
        if let (Some(rest), Some(floor)) = (rest, floor) {
            println!(
                "{clients:>2} clients: floor/rest p50 {:.2}x",
                p50(floor) / p50(rest)
            );
        }
    }
    let pair = |clients: usize| {
        results.iter().find_map(|(c, _, _, _, f, g)| match (f, g) {
            (Some(f), Some(g)) if *c == clients => Some((f, g)),
            _ => None,
        })
    };
    if let Some((f1, g1)) = pair(1) {
        let p50_ratio = p50(g1) / p50(f1);
        println!(
            "target gateway p50 ≤ 1.2 × floor at 1 client: {:.2}x {}",
            p50_ratio,
            verdict(p50_ratio <= 1.2)
        );
    }
    if let Some((fm, gm)) = pair(args.clients) {
        let tput_ratio = gm.throughput() / fm.throughput();
        println!(
            "target gateway throughput ≥ 0.85 × floor at {} clients: {:.2}x {}",
            args.clients,
            tput_ratio,
            verdict(tput_ratio >= 0.85)
        );
    }
    if let (Some(idle), Some(loaded)) = (idle_kib, loaded_kib) {
        println!(
            "process RSS (everything in-process): idle {} MiB, after load {} MiB",
            idle / 1024,
            loaded / 1024
        );
    }
    dev.sandbox.shutdown().await.ok();
    let _ = std::fs::remove_dir_all(data_dir);
    Ok(())
}

/// A report plus the CPU time the whole process used while it was measured.
struct Measured {
    report: Report,
    cpu: Duration,
}

impl Measured {
    fn merge(mut self, other: Measured) -> anyhow::Result<Self> {
        self.report.requests += other.report.requests;
        self.report.errors += other.report.errors;
        self.report.elapsed += other.report.elapsed;
        self.report.latency_us.add(&other.report.latency_us)?;
        self.cpu += other.cpu;
        Ok(self)
    }

    fn cpu_us_per_request(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.report.requests.max(1) as f64
    }
}

/// One way's request closure: each call sends one request and says whether it succeeded.
type Call = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// The request closures of every way.
struct Calls {
    rest: Call,
    core: Call,
    echo: Call,
    floor: Call,
    gateway: Call,
}

impl Calls {
    async fn measure(
        &self,
        way: Way,
        clients: usize,
        amount: Amount,
        warm_up: bool,
    ) -> anyhow::Result<Measured> {
        let call = match way {
            Way::Rest => &self.rest,
            Way::Core => &self.core,
            Way::Echo => &self.echo,
            Way::Floor => &self.floor,
            Way::Gateway => &self.gateway,
        }
        .clone();
        measure(clients, amount, warm_up, move || call()).await
    }
}

/// User plus system CPU time of this whole process (all threads) so far, from
/// `/proc/self/stat` (in USER_HZ = 100 ticks per second); zero where `/proc` is missing.
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

async fn measure<F, Fut>(
    clients: usize,
    amount: Amount,
    warm_up: bool,
    call: F,
) -> anyhow::Result<Measured>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    match amount {
        Amount::Seconds(duration) => {
            if warm_up {
                load::run(clients, Duration::from_secs(1), call.clone()).await?;
            }
            let cpu = process_cpu();
            let report = load::run(clients, duration, call).await?;
            Ok(Measured {
                report,
                cpu: process_cpu().saturating_sub(cpu),
            })
        }
        Amount::Requests { warmup, measured } => {
            if warm_up {
                run_count(clients, warmup, call.clone()).await?;
            }
            let cpu = process_cpu();
            let report = run_count(clients, measured, call).await?;
            Ok(Measured {
                report,
                cpu: process_cpu().saturating_sub(cpu),
            })
        }
    }
}

/// Like [`load::run`], but each of `clients` loops sends exactly `requests` requests.
async fn run_count<F, Fut>(clients: usize, requests: u64, call: F) -> anyhow::Result<Report>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let histogram = || hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3);
    let started = std::time::Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let call = call.clone();
        let mut latencies = histogram()?;
        tasks.push(tokio::spawn(async move {
            let mut errors = 0u64;
            for _ in 0..requests {
                let sent = std::time::Instant::now();
                let ok = call().await;
                latencies.saturating_record(sent.elapsed().as_micros() as u64);
                errors += u64::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let mut report = Report {
        requests: requests * clients as u64,
        errors: 0,
        elapsed: Duration::ZERO,
        latency_us: histogram()?,
    };
    for task in tasks {
        let (latencies, errors) = task.await?;
        report.latency_us.add(&latencies)?;
        report.errors += errors;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

fn core_call(
    client: ralio_core::RalioClient,
    aid: &str,
) -> impl Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static {
    let aid = aid.to_owned();
    move || {
        let client = client.clone();
        let aid = aid.clone();
        Box::pin(async move { client.merchant().account(&aid).await.is_ok() })
    }
}

/// The encoded size of one `GetMerchantUserAccount` answer.
async fn response_bytes(
    client: &MerchantServiceClient<Channel>,
    aid: &str,
    bearer: Option<&'static str>,
) -> anyhow::Result<usize> {
    let mut request = Request::new(GetMerchantUserAccountRequest {
        aid: aid.to_owned(),
    });
    if let Some(bearer) = bearer {
        request
            .metadata_mut()
            .insert("authorization", bearer.parse()?);
    }
    let response = client.clone().get_merchant_user_account(request).await?;
    Ok(prost::Message::encoded_len(response.get_ref()))
}

fn echo_call(
    client: MerchantServiceClient<Channel>,
) -> impl Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static {
    move || {
        let mut client = client.clone();
        Box::pin(async move {
            client
                .get_merchant_user(GetMerchantUserRequest {})
                .await
                .is_ok()
        })
    }
}

fn grpc_call(
    client: MerchantServiceClient<Channel>,
    aid: &str,
    bearer: Option<&'static str>,
) -> impl Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static {
    let aid = aid.to_owned();
    move || {
        let mut client = client.clone();
        let mut request = Request::new(GetMerchantUserAccountRequest { aid: aid.clone() });
        if let Some(bearer) = bearer
            && let Ok(value) = bearer.parse()
        {
            request.metadata_mut().insert("authorization", value);
        }
        Box::pin(async move { client.get_merchant_user_account(request).await.is_ok() })
    }
}

async fn channel(addr: SocketAddr) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(format!("http://{addr}"))?
        .connect()
        .await?)
}

async fn start_floor(floor: Floor) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // As the gateway accepts (src/server.rs): without TCP_NODELAY, Nagle's algorithm and delayed
    // ACKs stall some responses for ~40 ms, which slowed the floor and made it noisy.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tokio::spawn(
        Server::builder()
            .add_service(MerchantServiceServer::new(floor))
            .serve_with_incoming(incoming),
    );
    Ok(addr)
}
