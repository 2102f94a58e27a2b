//! The two sandbox calls every benchmark needs before it measures anything.

use anyhow::Context;
use serde_json::{Value, json};

/// Logs in with the sandbox's development credentials and returns `Bearer <token>`.
pub async fn bearer(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let config = ralio_sandbox::SandboxConfig::for_tests();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"api_code": config.api_code, "api_key": config.api_key.expose()}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().context("login returned no token")?;
    Ok(format!("Bearer {token}"))
}

/// The id of the sandbox merchant's first seeded account.
pub async fn first_merchant_account(
    http: &reqwest::Client,
    base: &str,
    bearer: &str,
) -> anyhow::Result<String> {
    let accounts: Value = http
        .get(format!("{base}/api/v1/merchant/user/accounts"))
        .header("authorization", bearer)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(accounts[0]["id"]
        .as_str()
        .context("the sandbox merchant has no seeded account")?
        .to_owned())
}

/// A closure for `load::run` that GETs `url` with `bearer` and succeeds on a 2xx with a body.
pub fn get_call(
    http: reqwest::Client,
    url: String,
    bearer: String,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
+ Clone
+ Send
+ Sync
+ 'static {
    move || {
        let request = http.get(&url).header("authorization", &bearer);
        Box::pin(async move {
            match request.send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    }
}
