//! Client configuration.

use std::sync::Arc;
use std::time::Duration;

use crate::error::RalioError;
use crate::observer::ClientObserver;
use crate::secret::Secret;

/// How a [`crate::RalioClient`] reaches and authenticates with RalioPay.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Scheme, host and optional port, e.g. `https://sandbox-revo-api.raliopay.com` or the local
    /// sandbox's `http://127.0.0.1:PORT`. Routes (`/api/v1/...`) are appended to it.
    pub base_url: String,
    /// Merchant identifier.
    pub api_code: String,
    pub api_key: Secret,
    /// Timeout of one HTTP attempt (default 30 s).
    pub timeout: Duration,
    /// Timeout of establishing a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Retries after the first attempt for retryable calls (default 3).
    pub max_retries: u32,
    /// First back-off delay; it doubles per retry (default 200 ms).
    pub initial_backoff: Duration,
    /// Cap of one back-off delay, also applied to `Retry-After` (default 10 s).
    pub max_backoff: Duration,
    /// Refresh the token when it has less than this left (default 60 s).
    pub token_refresh_margin: Duration,
    pub user_agent: String,
    /// Told about logins and retries (default: none).
    pub observer: Option<Arc<dyn ClientObserver>>,
}

impl ClientConfig {
    /// A builder with the defaults above.
    pub fn builder(
        base_url: impl Into<String>,
        api_code: impl Into<String>,
        api_key: impl Into<Secret>,
    ) -> ClientConfigBuilder {
        ClientConfigBuilder {
            config: ClientConfig {
                base_url: base_url.into(),
                api_code: api_code.into(),
                api_key: api_key.into(),
                timeout: Duration::from_secs(30),
                connect_timeout: Duration::from_secs(10),
                max_retries: 3,
                initial_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(10),
                token_refresh_margin: Duration::from_secs(60),
                user_agent: concat!("ralio-core/", env!("CARGO_PKG_VERSION")).to_owned(),
                observer: None,
            },
        }
    }

    /// Checks the parts a call cannot succeed without.
    pub fn validate(&self) -> Result<(), RalioError> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|err| RalioError::InvalidRequest(format!("base_url: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RalioError::InvalidRequest(
                "base_url: scheme must be http or https".into(),
            ));
        }
        if self.api_code.is_empty() {
            return Err(RalioError::InvalidRequest("api_code is empty".into()));
        }
        if self.api_key.is_empty() {
            return Err(RalioError::InvalidRequest("api_key is empty".into()));
        }
        if self.timeout.is_zero() {
            return Err(RalioError::InvalidRequest(
                "timeout must be positive".into(),
            ));
        }
        Ok(())
    }
}

/// Builder of [`ClientConfig`].
#[derive(Debug, Clone)]
pub struct ClientConfigBuilder {
    config: ClientConfig,
}

impl ClientConfigBuilder {
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.config.initial_backoff = delay;
        self
    }

    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.config.max_backoff = delay;
        self
    }

    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.config.token_refresh_margin = margin;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }

    pub fn observer(mut self, observer: Arc<dyn ClientObserver>) -> Self {
        self.config.observer = Some(observer);
        self
    }

    /// Validates and returns the configuration.
    pub fn build(self) -> Result<ClientConfig, RalioError> {
        self.config.validate()?;
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_validates_and_hides_the_key() {
        let config = ClientConfig::builder("http://127.0.0.1:1", "code", "topsecret")
            .max_retries(5)
            .build()
            .unwrap();
        assert_eq!(config.max_retries, 5);
        assert!(!format!("{config:?}").contains("topsecret"));
        assert!(
            ClientConfig::builder("not a url", "code", "k")
                .build()
                .is_err()
        );
        assert!(
            ClientConfig::builder("ftp://x", "code", "k")
                .build()
                .is_err()
        );
        assert!(ClientConfig::builder("http://x", "", "k").build().is_err());
        assert!(ClientConfig::builder("http://x", "c", "").build().is_err());
    }
}
