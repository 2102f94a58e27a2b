//! Assembles and runs the gateway: the tonic server (health, reflection, the resource services,
//! behind the request-context, metrics and auth layers), the optional events port
//! ([`crate::fanout`]: `EventsService` and health behind the same layers) and the admin HTTP
//! server (`/metrics`, `/healthz`, and whatever router is merged in, e.g. the webhook receiver).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use futures::TryStreamExt;
use ralio_core::{ClientConfig, RalioClient, RalioError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::service::RoutesBuilder;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tower::ServiceBuilder;

use crate::auth::AuthLayer;
use crate::coalesce;
use crate::config::{GatewayConfig, ShutdownSettings};
use crate::descriptor::ApiSurface;
use crate::fanout;
use crate::health::{Readiness, ReadinessProbe, wait_for_login};
use crate::idempotency::{IdempotencyStore, JetStreamStore, SqliteStore, StoreError};
use crate::metrics::{Metrics, MetricsLayer};
use crate::request_context::RequestContextLayer;
use crate::services::{self, ServiceContext};
use crate::tls::{ServerTls, TlsError};

/// File name of the idempotency database inside the data directory.
pub const IDEMPOTENCY_DB: &str = "idempotency.sqlite3";
/// How often expired idempotency records are deleted.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);
const REFLECTION_METHODS: [&str; 2] = [
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
];

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("RalioPay client: {0}")]
    Client(#[from] RalioError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("reflection: {0}")]
    Reflection(String),
    #[error("{0}")]
    Events(#[from] crate::events::log::LogError),
}

/// A server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("gRPC server: {0}")]
    Grpc(#[from] tonic::transport::Error),
    #[error("admin HTTP server: {0}")]
    Http(#[from] std::io::Error),
    #[error("server task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Optional parts: a router to merge into the admin HTTP server, and a readiness probe other
/// than the RalioPay login (tests).
#[derive(Default)]
pub struct Extras {
    pub http_routes: Option<Router>,
    pub probe: Option<Arc<dyn ReadinessProbe>>,
}

/// Starts the gateway.
pub struct Gateway;

impl Gateway {
    pub async fn start(config: GatewayConfig) -> Result<GatewayHandle, StartError> {
        Self::start_with(config, Extras::default()).await
    }

    /// Binds both listeners (port 0 picks free ports), starts serving, and logs in to
    /// RalioPay in the background; health turns SERVING after the first successful login.
    pub async fn start_with(
        config: GatewayConfig,
        extras: Extras,
    ) -> Result<GatewayHandle, StartError> {
        let metrics = Metrics::new()?;
        let client_config = ClientConfig::builder(
            config.ralio.base_url.clone(),
            config.ralio.api_code.clone(),
            config.ralio.api_key.clone(),
        )
        .timeout(config.ralio.timeout)
        .max_retries(config.ralio.max_retries)
        .observer(Arc::new(metrics.clone()))
        .build()?;
        let client = RalioClient::new(client_config)?;

        let surface = ApiSurface::from_descriptor_sets(&[
            crate::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
        ]);
        let (reporter, health_service) = tonic_health::server::health_reporter();
        let readiness = Readiness::new(
            reporter,
            surface.ralio_services().map(str::to_owned).collect(),
        )
        .await;

        // The event pipeline (webhook receiver, event log, EventsService).
        let events = crate::events::EventsRuntime::open(
            &config.data_dir,
            config.webhook_secret.as_ref(),
            &config.events,
            metrics.clone(),
        )
        .await?;
        // Idempotency records live where the events do: with the NATS backend, in JetStream
        // KV shared by every replica (a retry on another replica replays the same record).
        let (idempotency, sqlite_store) = match (&events.nats, &config.events.backend) {
            (Some(nats), crate::events::Backend::Nats(settings)) => {
                let store = JetStreamStore::open_replicated(
                    nats.clone(),
                    &settings.idempotency_bucket,
                    config.idempotency_ttl,
                    settings.replicas,
                )
                .await?;
                (Arc::new(store) as Arc<dyn IdempotencyStore>, None)
            }
            _ => {
                let db_path = config.data_dir.join(IDEMPOTENCY_DB);
                let store = tokio::task::spawn_blocking(move || SqliteStore::open(&db_path))
                    .await
                    .map_err(|err| StoreError::Io(std::io::Error::other(err)))??;
                (
                    Arc::new(store.clone()) as Arc<dyn IdempotencyStore>,
                    Some(store),
                )
            }
        };

        let context = ServiceContext {
            client: client.clone(),
            idempotency,
            metrics: metrics.clone(),
        };
        let mut routes = RoutesBuilder::default();
        routes.add_service(health_service.clone());
        add_reflection(&mut routes)?;
        services::register(&mut routes, &context);
        routes.add_service(events.service.clone().routes());

        let grpc_listener = bind(config.grpc_addr).await?;
        let grpc_addr = local_addr(&grpc_listener, config.grpc_addr)?;
        let http_listener = bind(config.http_addr).await?;
        let http_addr = local_addr(&http_listener, config.http_addr)?;

        let (shutdown_tx, shutdown_rx) = watch::channel(false);

        let tls = match &config.tls {
            Some(settings) => Some(ServerTls::load(settings).await?),
            None => None,
        };
        let mut builder = Server::builder()
            .http2_keepalive_interval(config.keepalive.interval)
            .http2_keepalive_timeout(Some(config.keepalive.timeout));
        if let Some(tls) = &tls {
            builder = builder.tls_config(tls.tonic()).map_err(TlsError::other)?;
        }
        let known_methods = surface
            .methods
            .iter()
            .cloned()
            .chain(REFLECTION_METHODS.iter().map(|m| (*m).to_owned()));
        let metrics_layer = MetricsLayer::new(metrics.clone(), known_methods);
        let auth_layer = AuthLayer::new(Arc::new(config.tokens.clone()));
        let grpc = builder
            .layer(RequestContextLayer)
            .layer(metrics_layer.clone())
            .layer(auth_layer.clone())
            .add_routes(routes.routes())
            .serve_with_incoming_shutdown(
                TcpIncoming::from(grpc_listener)
                    .with_nodelay(Some(true))
                    .map_ok(coalesce::next_poll),
                fanout::stopped(shutdown_rx.clone()),
            );

        // The events port: the same layers in the same order, over EventsService and health.
        let mut events_grpc_addr = None;
        let mut events_port = None;
        if let Some(addr) = config.events_grpc_addr {
            let listener = bind(addr).await?;
            events_grpc_addr = Some(local_addr(&listener, addr)?);
            let mut routes = RoutesBuilder::default();
            routes.add_service(health_service);
            routes.add_service(events.service.clone().routes());
            let service = ServiceBuilder::new()
                .layer(RequestContextLayer)
                .layer(metrics_layer)
                .layer(auth_layer)
                .service(routes.routes().prepare());
            let acceptor = tls.as_ref().map(ServerTls::acceptor);
            events_port = Some(fanout::serve(
                listener,
                fanout::Options {
                    tls: acceptor,
                    keepalive: config.keepalive,
                },
                service,
                shutdown_rx.clone(),
            ));
        }
        let grpc_task = tokio::spawn(async move {
            let events = async move {
                if let Some(port) = events_port {
                    port.await;
                }
                Ok::<(), ServeError>(())
            };
            tokio::try_join!(async { grpc.await.map_err(ServeError::from) }, events).map(|_| ())
        });

        let admin = admin_router(metrics.clone(), readiness.clone())
            .merge(extras.http_routes.unwrap_or_default())
            .merge(events.ingest.unwrap_or_default());
        let http_shutdown = fanout::stopped(shutdown_rx);
        let http_task = tokio::spawn(async move {
            axum::serve(http_listener, admin)
                .with_graceful_shutdown(http_shutdown)
                .await
                .map_err(ServeError::from)
        });

        let probe = extras
            .probe
            .unwrap_or_else(|| Arc::new(client) as Arc<dyn ReadinessProbe>);
        let login_task = tokio::spawn(wait_for_login(probe, readiness.clone(), config.login_retry));
        let mut background = vec![login_task];
        if let Some(store) = sqlite_store {
            // JetStream KV expires records itself (the bucket's max age).
            background.push(tokio::spawn(purge_periodically(
                store,
                config.idempotency_ttl,
            )));
        }

        tracing::info!(%grpc_addr, %http_addr, tls = config.tls.is_some(), "gateway listening");
        // Its own line: tools read the main port from the one above (`grpc_addr=`).
        if let Some(addr) = events_grpc_addr {
            tracing::info!(%addr, "events port listening");
        }
        Ok(GatewayHandle {
            grpc_addr,
            events_grpc_addr,
            http_addr,
            readiness,
            context,
            shutdown_tx,
            grpc_task,
            http_task,
            background,
            settings: config.shutdown,
        })
    }
}

/// A running gateway.
pub struct GatewayHandle {
    grpc_addr: SocketAddr,
    events_grpc_addr: Option<SocketAddr>,
    http_addr: SocketAddr,
    readiness: Readiness,
    context: ServiceContext,
    shutdown_tx: watch::Sender<bool>,
    grpc_task: JoinHandle<Result<(), ServeError>>,
    http_task: JoinHandle<Result<(), ServeError>>,
    background: Vec<JoinHandle<()>>,
    settings: ShutdownSettings,
}

impl GatewayHandle {
    /// Where the gRPC server listens (the real port when configured with port 0).
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_addr
    }

    /// Where the events port listens, when it is configured.
    pub fn events_grpc_addr(&self) -> Option<SocketAddr> {
        self.events_grpc_addr
    }

    /// Where the admin HTTP server listens.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn readiness(&self) -> &Readiness {
        &self.readiness
    }

    /// The shared parts the services use (client, idempotency store, metrics).
    pub fn context(&self) -> &ServiceContext {
        &self.context
    }

    /// Serves until `signal` resolves or a server fails, then drains.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), ServeError> {
        let early = tokio::select! {
            () = signal => None,
            result = &mut self.grpc_task => Some(flatten(result)),
            result = &mut self.http_task => Some(flatten(result)),
        };
        if let Some(result) = early {
            tracing::error!(?result, "a server stopped on its own; shutting down");
            self.drain().await?;
            return result;
        }
        self.drain().await
    }

    /// Drains and stops: health NOT_SERVING, wait the grace period (so load balancers stop
    /// sending), stop accepting, let in-flight calls finish within the shutdown timeout.
    pub async fn shutdown(self) -> Result<(), ServeError> {
        self.drain().await
    }

    async fn drain(self) -> Result<(), ServeError> {
        tracing::info!("draining");
        self.readiness.mark_draining().await;
        for task in &self.background {
            task.abort();
        }
        if !self.settings.grace.is_zero() {
            tokio::time::sleep(self.settings.grace).await;
        }
        let _ = self.shutdown_tx.send(true);
        let grpc_abort = self.grpc_task.abort_handle();
        let http_abort = self.http_task.abort_handle();
        let finished = tokio::time::timeout(self.settings.timeout, async {
            let grpc = flatten_finished(self.grpc_task.await);
            let http = flatten_finished(self.http_task.await);
            grpc.and(http)
        })
        .await;
        match finished {
            Ok(result) => {
                tracing::info!("stopped");
                result
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.settings.timeout, "in-flight calls did not finish in time; aborting them");
                grpc_abort.abort();
                http_abort.abort();
                Ok(())
            }
        }
    }
}

fn flatten(
    result: Result<Result<(), ServeError>, tokio::task::JoinError>,
) -> Result<(), ServeError> {
    result.map_err(ServeError::from).and_then(|inner| inner)
}

/// Like [`flatten`], but a task that was already awaited or cancelled is fine.
fn flatten_finished(
    result: Result<Result<(), ServeError>, tokio::task::JoinError>,
) -> Result<(), ServeError> {
    match result {
        Err(err) if err.is_cancelled() => Ok(()),
        other => flatten(other),
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

fn local_addr(listener: &TcpListener, addr: SocketAddr) -> Result<SocketAddr, StartError> {
    listener
        .local_addr()
        .map_err(|source| StartError::Bind { addr, source })
}

fn add_reflection(routes: &mut RoutesBuilder) -> Result<(), StartError> {
    let sets = [
        crate::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
    ];
    let mut v1 = tonic_reflection::server::Builder::configure();
    let mut v1alpha = tonic_reflection::server::Builder::configure();
    for set in sets {
        v1 = v1.register_encoded_file_descriptor_set(set);
        v1alpha = v1alpha.register_encoded_file_descriptor_set(set);
    }
    let reflection_error =
        |err: tonic_reflection::server::Error| StartError::Reflection(err.to_string());
    routes.add_service(v1.build_v1().map_err(reflection_error)?);
    routes.add_service(v1alpha.build_v1alpha().map_err(reflection_error)?);
    Ok(())
}

/// The admin endpoints.
fn admin_router(metrics: Metrics, readiness: Readiness) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let metrics = metrics.clone();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        metrics.render(),
                    )
                }
            }),
        )
        .route(
            "/healthz",
            get(move || {
                let readiness = readiness.clone();
                async move {
                    if readiness.is_serving() {
                        (StatusCode::OK, "SERVING").into_response()
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "NOT_SERVING").into_response()
                    }
                }
            }),
        )
}

async fn purge_periodically(store: SqliteStore, ttl: Duration) {
    let mut interval = tokio::time::interval(PURGE_INTERVAL);
    loop {
        interval.tick().await;
        match store.purge(ttl).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency records deleted"),
            Err(err) => tracing::warn!(error = %err, "could not purge idempotency records"),
        }
    }
}
