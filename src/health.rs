//! Readiness: `grpc.health.v1` (and `/healthz`) say NOT_SERVING until the first successful
//! RalioPay login, SERVING after it, and NOT_SERVING again once draining starts.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use ralio_core::{CallOptions, RalioClient};
use tokio::sync::Mutex;
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

/// Longest pause between start-up login attempts.
const MAX_LOGIN_BACKOFF: Duration = Duration::from_secs(30);

/// Something that tells whether the upstream accepts us (the RalioPay login).
pub trait ReadinessProbe: Send + Sync + 'static {
    /// `Ok` when ready; `Err` carries a log-safe reason.
    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
}

impl ReadinessProbe for RalioClient {
    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            self.login(&CallOptions::new())
                .await
                .map(|_| ())
                .map_err(|err| err.to_string())
        })
    }
}

const STARTING: u8 = 0;
const SERVING: u8 = 1;
const DRAINING: u8 = 2;

/// The gateway's serving state, mirrored into the gRPC health service. It only moves forward:
/// starting → serving → draining (a late login cannot undo a drain).
#[derive(Clone)]
pub struct Readiness {
    state: Arc<AtomicU8>,
    reporter: HealthReporter,
    services: Arc<Vec<String>>,
    /// Serialises reporter updates so they land in the order the state changed.
    update: Arc<Mutex<()>>,
}

impl Readiness {
    /// Starts NOT_SERVING for the whole server (`""`) and each of `services`.
    pub async fn new(reporter: HealthReporter, services: Vec<String>) -> Self {
        let readiness = Self {
            state: Arc::new(AtomicU8::new(STARTING)),
            reporter,
            services: Arc::new(services),
            update: Arc::new(Mutex::new(())),
        };
        readiness.publish(ServingStatus::NotServing).await;
        readiness
    }

    pub fn is_serving(&self) -> bool {
        self.state.load(Ordering::SeqCst) == SERVING
    }

    /// Starting → serving. Returns false (and changes nothing) once draining.
    pub async fn mark_serving(&self) -> bool {
        let _order = self.update.lock().await;
        if self
            .state
            .compare_exchange(STARTING, SERVING, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return self.is_serving();
        }
        self.publish_locked(ServingStatus::Serving).await;
        true
    }

    /// Anything → draining: health answers NOT_SERVING from now on.
    pub async fn mark_draining(&self) {
        let _order = self.update.lock().await;
        self.state.store(DRAINING, Ordering::SeqCst);
        self.publish_locked(ServingStatus::NotServing).await;
    }

    async fn publish(&self, status: ServingStatus) {
        let _order = self.update.lock().await;
        self.publish_locked(status).await;
    }

    async fn publish_locked(&self, status: ServingStatus) {
        self.reporter.set_service_status("", status).await;
        for service in self.services.iter() {
            self.reporter.set_service_status(service, status).await;
        }
    }
}

/// Logs in until it works (exponential back-off from `initial_backoff` up to 30 s), then marks
/// the gateway serving. Ends early if the gateway starts draining.
pub async fn wait_for_login(
    probe: Arc<dyn ReadinessProbe>,
    readiness: Readiness,
    initial_backoff: Duration,
) {
    let mut backoff = initial_backoff.max(Duration::from_millis(10));
    let mut attempts = 0u32;
    loop {
        if readiness.state.load(Ordering::SeqCst) == DRAINING {
            return;
        }
        attempts += 1;
        match probe.check().await {
            Ok(()) => {
                if readiness.mark_serving().await {
                    tracing::info!(attempts, "RalioPay login succeeded; serving");
                }
                return;
            }
            Err(reason) => {
                // Wrong credentials stay wrong: say so loudly, but keep trying in case they are
                // being rotated or RalioPay is only briefly down.
                tracing::warn!(attempts, retry_in = ?backoff, "RalioPay login failed: {reason}");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_LOGIN_BACKOFF);
    }
}
