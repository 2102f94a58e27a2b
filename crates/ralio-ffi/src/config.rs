//! The configuration a foreign caller gives [`crate::RalioClient::direct`].

use std::time::Duration;

use ralio_core::{ClientConfig, Secret};

use crate::error::RalioFfiError;

/// How to reach RalioPay directly, with the merchant's own credentials (server-side use only:
/// an app shipped to end users must go through the gateway instead).
///
/// Unset tuning fields keep `ralio-core`'s defaults (30 s attempt timeout, 10 s connect timeout,
/// 3 retries, 200 ms first back-off, 10 s back-off cap).
#[derive(Debug, Clone, uniffi::Record)]
pub struct DirectConfig {
    /// Scheme, host and optional port, e.g. `http://127.0.0.1:8090` for the local sandbox.
    pub base_url: String,
    pub api_code: String,
    pub api_key: Secret,
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    #[uniffi(default = None)]
    pub initial_backoff: Option<Duration>,
    #[uniffi(default = None)]
    pub max_backoff: Option<Duration>,
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
}

impl DirectConfig {
    /// The validated core configuration.
    pub(crate) fn into_core(self) -> Result<ClientConfig, RalioFfiError> {
        let mut builder = ClientConfig::builder(self.base_url, self.api_code, self.api_key);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(retries) = self.max_retries {
            builder = builder.max_retries(retries);
        }
        if let Some(delay) = self.initial_backoff {
            builder = builder.initial_backoff(delay);
        }
        if let Some(delay) = self.max_backoff {
            builder = builder.max_backoff(delay);
        }
        if let Some(user_agent) = self.user_agent {
            builder = builder.user_agent(user_agent);
        }
        Ok(builder.build()?)
    }
}
