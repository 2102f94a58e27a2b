//! The sandbox's settings, with development defaults so `SandboxConfig::default()` just works.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::webhooks::DeliverySettings;

/// The merchant identifier accepted by `POST /api/v1/auth/login` when none is configured.
pub const DEV_API_CODE: &str = "sandbox-merchant";
/// The merchant secret accepted when none is configured. A well-known development value:
/// the sandbox never holds real money, and the binary prints it so a developer can log in.
pub const DEV_API_KEY: &str = "sandbox-secret-key";

/// The merchant's API secret. Kept out of `Debug` output so a config can be logged safely.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The secret itself; only the login handler should need it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Whether new accounts and vIBANs become `ACTIVE` at once (spec/NOTES.md D10) or wait for the
/// control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoActivate {
    pub accounts: bool,
    pub vibans: bool,
}

impl Default for AutoActivate {
    fn default() -> Self {
        Self {
            accounts: true,
            vibans: true,
        }
    }
}

/// Whether pending orders settle at once (spec/NOTES.md D9) or wait for the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoSettle {
    pub orders: bool,
}

impl Default for AutoSettle {
    fn default() -> Self {
        Self { orders: true }
    }
}

/// Everything `Sandbox::start` needs.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    pub api_code: String,
    pub api_key: ApiKey,
    /// Lifetime of a login token, on the sandbox clock (spec/NOTES.md D2, D14).
    pub token_ttl: Duration,
    pub auto_activate: AutoActivate,
    pub auto_settle: AutoSettle,
    /// Webhook delivery policy (spec/NOTES.md D11); tests shrink the delays.
    pub webhooks: DeliverySettings,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 8090)),
            api_code: DEV_API_CODE.to_owned(),
            api_key: ApiKey::new(DEV_API_KEY),
            token_ttl: Duration::from_secs(3_600),
            auto_activate: AutoActivate::default(),
            auto_settle: AutoSettle::default(),
            webhooks: DeliverySettings::default(),
        }
    }
}

impl SandboxConfig {
    /// Dev defaults on a free loopback port: what tests start.
    pub fn for_tests() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_api_key() {
        let config = SandboxConfig {
            api_key: ApiKey::new("super-secret-value"),
            ..SandboxConfig::default()
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("super-secret-value"));
        assert!(printed.contains("redacted"));
    }
}
