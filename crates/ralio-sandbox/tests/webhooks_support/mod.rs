//! A scripted webhook receiver for the webhook tests: records every request it gets and
//! answers from a script, then with a default status.

// Each test crate that includes this module uses a different part of it.
#![allow(dead_code)]

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use parking_lot::Mutex;
use ralio_sandbox::webhooks::{
    DeliverySettings, WebhookDispatcher, WebhookEndpoint, WebhookSecret,
};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const SECRET: &str = "whsec-test-0123456789";

/// How the receiver answers one request.
#[derive(Clone)]
pub enum Reply {
    Status(u16),
    /// A redirect to another path of the receiver (which must not be followed).
    Redirect,
    /// Never answers (the sender must time out).
    Hang,
    /// Answers 200 once the test calls `notify_one` on the gate.
    WaitFor(Arc<Notify>),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers[name].to_str().unwrap()
    }
}

struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Reply>>,
    default: u16,
    arrived: Notify,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Starts on port 0; answers `script` in order, then `default` to everything else.
    pub async fn start(script: Vec<Reply>, default: u16) -> Receiver {
        let shared = Arc::new(Shared {
            received: Mutex::new(Vec::new()),
            script: Mutex::new(script.into()),
            default,
            arrived: Notify::new(),
        });
        let app = Router::new()
            .route("/hook", post(receive))
            .route("/elsewhere", post(receive))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, shared }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().clone()
    }

    /// Waits until at least `count` requests arrived; panics after 10 s.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        if !self.arrived_within(count, Duration::from_secs(10)).await {
            panic!("only {} of {count} requests arrived", self.received().len());
        }
        self.received()
    }

    /// Whether at least `count` requests arrived within `timeout`.
    pub async fn arrived_within(&self, count: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if self.received().len() >= count {
                return true;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.received().len() >= count;
            }
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.received.lock().push(Received {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    shared.arrived.notify_waiters();
    let reply = shared
        .script
        .lock()
        .pop_front()
        .unwrap_or(Reply::Status(shared.default));
    match reply {
        Reply::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Reply::Redirect => (StatusCode::FOUND, [(header::LOCATION, "/elsewhere")]).into_response(),
        Reply::Hang => std::future::pending().await,
        Reply::WaitFor(gate) => {
            gate.notified().await;
            StatusCode::OK.into_response()
        }
    }
}

/// Delivery settings for tests: millisecond backoff, short timeout.
pub fn fast_settings(max_attempts: u32) -> DeliverySettings {
    DeliverySettings {
        base_delay: Duration::from_millis(20),
        max_attempts,
        attempt_timeout: Duration::from_secs(5),
        ..DeliverySettings::default()
    }
}

pub fn endpoint(url: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        url: url.to_owned(),
        secret: WebhookSecret::new(SECRET),
        events: None,
    }
}

/// Waits for every delivery to finish; panics after 10 s.
pub async fn idle(dispatcher: &WebhookDispatcher) {
    assert!(
        dispatcher.wait_idle(Duration::from_secs(10)).await,
        "deliveries still running: {:?}",
        dispatcher.deliveries()
    );
}

/// Polls `condition` until it holds; panics after 10 s. Only for states that nothing signals
/// (e.g. "the dispatcher has recorded the response the receiver just sent").
pub async fn eventually(condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
