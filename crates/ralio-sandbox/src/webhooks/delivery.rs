//! One HTTP attempt to deliver one event, and how its result is judged (spec/NOTES.md D11).

use super::event::EventType;
use super::record::{Outcome, TransportError};
use super::settings::DeliverySettings;
use super::signature;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use uuid::Uuid;

/// The `User-Agent` of every delivery.
pub const USER_AGENT: &str = "ralio-sandbox";

/// Everything needed to (re)send one event: the bytes and their signature are fixed once, so
/// every attempt sends exactly the same request.
#[derive(Debug, Clone)]
pub(super) struct Job {
    pub event_id: Uuid,
    pub event_type: EventType,
    pub url: String,
    pub signature: String,
    pub body: Bytes,
}

/// What one attempt got back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttemptResult {
    Status(u16),
    Failed(TransportError),
}

impl AttemptResult {
    /// Any 2xx is success, any 4xx final; 3xx (redirects are not followed), 5xx and transport
    /// failures are retried while attempts remain.
    pub fn outcome(self, attempt: u32, max_attempts: u32) -> Outcome {
        match self {
            AttemptResult::Status(code) if (200..300).contains(&code) => Outcome::Delivered,
            AttemptResult::Status(code) if (400..500).contains(&code) => Outcome::Rejected,
            _ if attempt >= max_attempts => Outcome::GaveUp,
            _ => Outcome::Retrying,
        }
    }
}

/// The HTTP client used for deliveries: no redirects, per-attempt timeout, no proxy (the
/// receivers of a local sandbox are local; an ambient `HTTP_PROXY` must not capture them).
pub(super) fn client(settings: &DeliverySettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.attempt_timeout)
        .user_agent(USER_AGENT)
        .no_proxy()
        .build()
}

/// Sends the job once. Only the response head is awaited; the receiver's body is irrelevant.
pub(super) async fn attempt(client: &reqwest::Client, job: &Job) -> AttemptResult {
    let signature = match HeaderValue::from_str(&job.signature) {
        Ok(value) => value,
        // Hex is always a valid header value; this arm only keeps the function total.
        Err(_) => return AttemptResult::Failed(TransportError::Request),
    };
    let sent = client
        .post(&job.url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(signature::HEADER, signature)
        .body(job.body.clone())
        .send()
        .await;
    match sent {
        Ok(response) => AttemptResult::Status(response.status().as_u16()),
        Err(err) => AttemptResult::Failed(classify(&err)),
    }
}

fn classify(err: &reqwest::Error) -> TransportError {
    if err.is_timeout() {
        TransportError::Timeout
    } else if err.is_connect() {
        TransportError::Connect
    } else {
        TransportError::Request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        use AttemptResult::*;
        assert_eq!(Status(200).outcome(1, 3), Outcome::Delivered);
        assert_eq!(Status(204).outcome(3, 3), Outcome::Delivered);
        assert_eq!(Status(400).outcome(1, 3), Outcome::Rejected);
        assert_eq!(Status(404).outcome(1, 3), Outcome::Rejected);
        assert_eq!(Status(500).outcome(1, 3), Outcome::Retrying);
        assert_eq!(Status(302).outcome(2, 3), Outcome::Retrying);
        assert_eq!(Status(503).outcome(3, 3), Outcome::GaveUp);
        assert_eq!(
            Failed(TransportError::Timeout).outcome(1, 3),
            Outcome::Retrying
        );
        assert_eq!(
            Failed(TransportError::Connect).outcome(3, 3),
            Outcome::GaveUp
        );
    }
}
