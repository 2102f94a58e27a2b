//! The bearer-token cache (spec/NOTES.md D2).
//!
//! One token is shared by all calls of a client. It is refreshed before its `exp` (read from the
//! JWT payload without verifying the signature: we only need to know when the server will stop
//! accepting it) and after a 401. Calls read the current token under a short synchronous read
//! lock (no queueing on the hot path). Refreshes are single-flight: logging in takes a
//! `tokio::Mutex`, so when many calls find the token stale at once, the first logs in while
//! holding it and the others, once they get it, find the new token and use it. Each token
//! carries a generation number so that a call that saw a 401 only forces a new login if nobody
//! replaced the rejected token in the meantime.

use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::error::RalioError;
use crate::secret::Secret;

/// A token with what we know about its lifetime. Cheap to clone (shared).
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: Arc<Secret>,
    /// `Bearer <token>`, built once per login and marked sensitive (its `Debug` prints
    /// `Sensitive`, and HTTP/2 never indexes it). `None` if the token cannot be a header value
    /// (the request builder then reports it, as for any invalid header).
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) generation: u64,
    lifetime: Option<JwtTimes>,
}

impl CachedToken {
    fn new(token: Secret, generation: u64) -> Self {
        let authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        Self {
            lifetime: jwt_times(token.expose()),
            token: Arc::new(token),
            authorization,
            generation,
        }
    }

    /// Fresh while it has more than `margin` left. A short-lived token (lifetime under twice the
    /// margin) uses half its lifetime as the margin, so it is not refreshed on every call.
    fn is_fresh(&self, margin: Duration, now: SystemTime) -> bool {
        let Some(times) = self.lifetime else {
            // Not a JWT we can read: use it until the server rejects it (401 path).
            return true;
        };
        let now = unix_seconds(now);
        let margin = match times.iat {
            Some(iat) if times.exp > iat => {
                let half_life = u64::try_from((times.exp - iat) / 2).unwrap_or(0);
                margin.as_secs().min(half_life)
            }
            _ => margin.as_secs(),
        };
        let margin = i64::try_from(margin).unwrap_or(i64::MAX);
        times.exp.saturating_sub(now) > margin
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
struct JwtTimes {
    exp: i64,
    iat: Option<i64>,
}

/// Reads `exp`/`iat` from a JWT's payload (base64url of the middle segment). Not a validation.
fn jwt_times(token: &str) -> Option<JwtTimes> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The shared token slot.
#[derive(Debug)]
pub(crate) struct TokenCache {
    margin: Duration,
    current: RwLock<Option<CachedToken>>,
    /// Held while logging in, so that only one login runs at a time.
    login: Mutex<()>,
}

impl TokenCache {
    pub(crate) fn new(margin: Duration) -> Self {
        Self {
            margin,
            current: RwLock::new(None),
            login: Mutex::new(()),
        }
    }

    /// A usable token: the cached one if fresh and not the `rejected` generation, else a new one
    /// from `login` (called by at most one caller at a time).
    pub(crate) async fn get<F, Fut>(
        &self,
        rejected: Option<u64>,
        login: F,
    ) -> Result<CachedToken, RalioError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Secret, RalioError>>,
    {
        if let Some(cached) = self.usable(rejected) {
            return Ok(cached);
        }
        let _login = self.login.lock().await;
        // Whoever held the lock before us may have just replaced the token.
        if let Some(cached) = self.usable(rejected) {
            return Ok(cached);
        }
        let token = login().await?;
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let generation = current.as_ref().map_or(1, |old| old.generation + 1);
        let cached = CachedToken::new(token, generation);
        *current = Some(cached.clone());
        drop(current);
        tracing::debug!(generation, "ralio login: new token cached");
        Ok(cached)
    }

    /// The cached token unless it is missing, stale or the `rejected` generation.
    fn usable(&self, rejected: Option<u64>) -> Option<CachedToken> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        let cached = current.as_ref()?;
        let usable =
            rejected != Some(cached.generation) && cached.is_fresh(self.margin, SystemTime::now());
        usable.then(|| cached.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An unsigned JWT with the given claims (the signature segment is irrelevant to us).
    pub(crate) fn jwt(exp: i64, iat: i64) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = engine.encode(format!(r#"{{"sub":"m","iat":{iat},"exp":{exp}}}"#));
        format!("{header}.{claims}.c2ln")
    }

    fn now() -> i64 {
        unix_seconds(SystemTime::now())
    }

    #[test]
    fn reads_exp_and_judges_freshness_with_margin() {
        let margin = Duration::from_secs(60);
        let token = |exp, iat| CachedToken::new(Secret::new(jwt(exp, iat)), 1);
        let t = now();
        assert!(token(t + 3600, t).is_fresh(margin, SystemTime::now()));
        assert!(!token(t + 30, t - 3570).is_fresh(margin, SystemTime::now()));
        assert!(!token(t - 1, t - 3601).is_fresh(margin, SystemTime::now()));
        // A 60 s token is fresh for its first 30 s rather than never.
        assert!(token(t + 50, t - 10).is_fresh(margin, SystemTime::now()));
        assert!(jwt_times("not-a-jwt").is_none());
    }

    #[test]
    fn the_cached_header_is_the_bearer_token_and_never_printed() {
        let token = jwt(now() + 3600, now());
        let cached = CachedToken::new(Secret::new(token.clone()), 1);
        let header = cached.authorization.as_ref().unwrap();
        assert_eq!(header.to_str().unwrap(), format!("Bearer {token}"));
        assert!(header.is_sensitive());
        let dump = format!("{cached:?}");
        assert!(!dump.contains(&token), "{dump}");
        // A token that cannot be a header value leaves the header unset (the request builder
        // then fails the call instead of sending it).
        assert!(
            CachedToken::new(Secret::new("bad\ntoken"), 1)
                .authorization
                .is_none()
        );
    }

    #[tokio::test]
    async fn concurrent_refresh_is_single_flight() {
        let cache = Arc::new(TokenCache::new(Duration::from_secs(60)));
        let logins = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let cache = cache.clone();
            let logins = logins.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get(None, || async {
                        logins.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(Secret::new(jwt(now() + 3600, now())))
                    })
                    .await
                    .unwrap()
                    .generation
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 1);
        }
        assert_eq!(logins.load(Ordering::SeqCst), 1);

        // A rejection of the current generation forces exactly one new login.
        let fresh = || async { Ok(Secret::new(jwt(now() + 3600, now()))) };
        assert_eq!(cache.get(Some(1), fresh).await.unwrap().generation, 2);
        // A stale rejection (generation 1 again) reuses generation 2.
        assert_eq!(cache.get(Some(1), fresh).await.unwrap().generation, 2);
    }
}
