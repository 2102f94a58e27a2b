//! The gateway's overhead (issue 3 §3): one read, `GetMerchantUserAccount`, measured three ways
//! against the same in-process sandbox, with 1 and with 64 concurrent clients:
//!
//! * **rest** — reqwest straight to the sandbox (what the gateway itself has to pay);
//! * **floor** — a bare tonic service that forwards the call with reqwest and does nothing else
//!   (no auth, validation, conversion, idempotency, metrics): the least any gRPC front can cost;
//! * **gateway** — the real gateway (`ralio-gateway dev` in-process: client auth, validation,
//!   conversion, status mapping, metrics).
//!
//! Targets, as ratios from one run: gateway p50 ≤ 1.2 × floor p50 at 1 client, and gateway
//! throughput ≥ 0.85 × floor throughput at 64 clients.

use crate::load::{self, Report};
use crate::{rss, sandbox_api};
use ralio_gateway::dev::{self, DevOptions};
use ralio_gateway::proto::ralio::v1::merchant_service_client::MerchantServiceClient;
use ralio_gateway::proto::ralio::v1::merchant_service_server::{
    MerchantService, MerchantServiceServer,
};
use ralio_gateway::proto::ralio::v1::{
    GetMerchantUserAccountRequest, GetMerchantUserAccountResponse, GetMerchantUserRequest,
    GetMerchantUserResponse, ListMerchantUserAccountsRequest, ListMerchantUserAccountsResponse,
    MerchantAccount,
};
use serde_json::Value;
use std::net::SocketAddr;
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
}

/// The floor: forwards `GetMerchantUserAccount` to the sandbox and copies three fields back.
struct Floor {
    http: reqwest::Client,
    base: String,
    bearer: String,
}

#[tonic::async_trait]
impl MerchantService for Floor {
    async fn get_merchant_user(
        &self,
        _: Request<GetMerchantUserRequest>,
    ) -> Result<Response<GetMerchantUserResponse>, Status> {
        Err(Status::unimplemented("the floor serves one RPC only"))
    }

    async fn list_merchant_user_accounts(
        &self,
        _: Request<ListMerchantUserAccountsRequest>,
    ) -> Result<Response<ListMerchantUserAccountsResponse>, Status> {
        Err(Status::unimplemented("the floor serves one RPC only"))
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
        Ok(Response::new(GetMerchantUserAccountResponse {
            account: Some(MerchantAccount {
                id: body["id"].as_str().unwrap_or_default().to_owned(),
                alias: body["alias"].as_str().unwrap_or_default().to_owned(),
                balance: body["balance"].as_i64().unwrap_or_default(),
                ..Default::default()
            }),
        }))
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let data_dir = std::env::temp_dir().join(format!("ralio-bench-{}", std::process::id()));
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let dev = dev::start(DevOptions {
        grpc_addr: any,
        http_addr: any,
        sandbox_addr: any,
        data_dir: data_dir.clone(),
        dev_token: Some("bench-token".to_owned()),
        webhook_secret: None,
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
    let idle_kib = rss::current_kib();

    println!(
        "overhead: GetMerchantUserAccount, sandbox + floor + gateway + clients in one process, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let duration = Duration::from_secs(args.seconds);
    let mut results = Vec::new();
    let mut loaded_kib = None;
    for clients in [1, args.clients] {
        let rest = measure(
            clients,
            duration,
            sandbox_api::get_call(
                http.clone(),
                format!("{base}/api/v1/merchant/user/accounts/{aid}"),
                bearer.clone(),
            ),
        )
        .await?;
        rest.print(&format!("rest     ({clients:>2} clients)"));
        let floor_report = measure(clients, duration, grpc_call(floor.clone(), &aid, None)).await?;
        floor_report.print(&format!("floor    ({clients:>2} clients)"));
        let gateway_report = measure(
            clients,
            duration,
            grpc_call(gateway.clone(), &aid, Some("Bearer bench-token")),
        )
        .await?;
        gateway_report.print(&format!("gateway  ({clients:>2} clients)"));
        if clients > 1 {
            loaded_kib = rss::current_kib();
        }
        results.push((clients, rest, floor_report, gateway_report));
    }

    println!();
    for (clients, rest, floor, gateway) in &results {
        let p50 = |r: &Report| r.latency_us.value_at_quantile(0.5) as f64;
        println!(
            "{clients:>2} clients: gateway/floor p50 {:.2}x, throughput {:.2}x; floor/rest p50 {:.2}x",
            p50(gateway) / p50(floor),
            gateway.throughput() / floor.throughput(),
            p50(floor) / p50(rest),
        );
    }
    if let [(_, _, f1, g1), (_, _, fm, gm)] = results.as_slice() {
        let p50_ratio = g1.latency_us.value_at_quantile(0.5) as f64
            / f1.latency_us.value_at_quantile(0.5) as f64;
        let tput_ratio = gm.throughput() / fm.throughput();
        println!(
            "target gateway p50 ≤ 1.2 × floor at 1 client: {:.2}x {}",
            p50_ratio,
            verdict(p50_ratio <= 1.2)
        );
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

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

async fn measure<F, Fut>(clients: usize, duration: Duration, call: F) -> anyhow::Result<Report>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    load::run(clients, Duration::from_secs(1), call.clone()).await?;
    load::run(clients, duration, call).await
}

fn grpc_call(
    client: MerchantServiceClient<Channel>,
    aid: &str,
    bearer: Option<&'static str>,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
+ Clone
+ Send
+ 'static {
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
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    tokio::spawn(
        Server::builder()
            .add_service(MerchantServiceServer::new(floor))
            .serve_with_incoming(incoming),
    );
    Ok(addr)
}
