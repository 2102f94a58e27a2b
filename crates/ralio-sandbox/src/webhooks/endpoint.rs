//! The configured receiver: URL, secret and the selected events.

use super::event::EventType;
use std::fmt;

/// The webhook secret. Its `Debug` and `Display` print `***`, so it cannot leak through logs,
/// error messages or a derived `Debug` of a containing struct; only [`WebhookSecret::expose`]
/// reveals it, for signing.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself; call only to compute a signature.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where events are delivered and which ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub url: String,
    pub secret: WebhookSecret,
    /// `None`: every event.
    pub events: Option<Vec<EventType>>,
}

impl WebhookEndpoint {
    /// Whether the receiver subscribed to `event`.
    pub fn selects(&self, event: EventType) -> bool {
        self.events
            .as_ref()
            .is_none_or(|selected| selected.contains(&event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let endpoint = WebhookEndpoint {
            url: "http://localhost/hook".into(),
            secret: WebhookSecret::new("hunter2-very-secret"),
            events: None,
        };
        let printed = format!("{endpoint:?} {endpoint:#?} {}", endpoint.secret);
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("***"));
    }

    #[test]
    fn selection() {
        let mut endpoint = WebhookEndpoint {
            url: "http://localhost/hook".into(),
            secret: WebhookSecret::new("s"),
            events: None,
        };
        assert!(endpoint.selects(EventType::FundError));
        endpoint.events = Some(vec![EventType::PayinCompleted]);
        assert!(endpoint.selects(EventType::PayinCompleted));
        assert!(!endpoint.selects(EventType::PayinFailed));
    }
}
