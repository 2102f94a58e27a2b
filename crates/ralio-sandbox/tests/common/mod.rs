//! Shared helpers of the sandbox's HTTP tests: start a sandbox on port 0, log in, and call it
//! over real HTTP.
#![allow(dead_code)]

use ralio_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct Api {
    pub sandbox: SandboxHandle,
    pub http: reqwest::Client,
    pub token: String,
}

/// A response: status, headers and JSON body (`Value::Null` for an empty or non-JSON body).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the D3 error shape and code, and returns the body.
    pub fn expect_error(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["error"], code, "body: {}", self.body);
        assert_eq!(self.body["code"], status);
        assert!(self.body["message"].is_string());
        assert!(
            self.body["requestId"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        &self.body
    }

    /// The `field`s of a `VALIDATION_ERROR`'s violations.
    pub fn violation_fields(&self) -> Vec<String> {
        self.expect_error(400, "VALIDATION_ERROR");
        self.body["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v["field"].as_str().expect("field").to_owned())
            .collect()
    }

    pub fn ok(&self) -> &Value {
        assert!(
            self.status.is_success(),
            "status {}: {}",
            self.status,
            self.body
        );
        &self.body
    }
}

impl Api {
    pub async fn start() -> Self {
        Self::start_with(SandboxConfig::for_tests()).await
    }

    pub async fn start_with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let http = reqwest::Client::new();
        let mut api = Self {
            sandbox,
            http,
            token: String::new(),
        };
        api.token = api.login().await;
        api
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub async fn login(&self) -> String {
        let reply = self
            .send_raw(
                self.http.post(self.url("/api/v1/auth/login")).json(
                    &json!({"api_code": "sandbox-merchant", "api_key": "sandbox-secret-key"}),
                ),
            )
            .await;
        reply.ok()["token"].as_str().expect("token").to_owned()
    }

    pub async fn send_raw(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request is sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body is read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// An authenticated API call; `body` is sent as JSON unless `None`.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send_raw(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// A control-API call (no token); `body` may be `Value::Null` for an empty body.
    pub async fn control(&self, path: &str, body: Value) -> Reply {
        let mut request = self.http.post(self.url(path));
        if !body.is_null() {
            request = request.json(&body);
        }
        self.send_raw(request).await
    }

    /// Names of the events emitted so far, oldest first.
    pub fn event_names(&self) -> Vec<String> {
        self.sandbox
            .state()
            .emitted_events()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    /// The data of the emitted events called `name`, oldest first.
    pub fn events_named(&self, name: &str) -> Vec<Value> {
        self.sandbox
            .state()
            .emitted_events()
            .into_iter()
            .filter(|e| e.event == name)
            .map(|e| e.data)
            .collect()
    }

    /// Creates an individual user with a unique e-mail and returns its JSON view.
    pub async fn create_user(&self) -> Value {
        let body = individual_user_body(&format!("{}@example.com", uuid::Uuid::new_v4()));
        self.post("/api/v1/account/individual-users", body)
            .await
            .ok()
            .clone()
    }

    /// Starts and approves an IDV session of `uid`, making the user `REGULAR`.
    pub async fn verify_user(&self, uid: &str) {
        let session = self
            .post(
                &format!("/api/v1/account/users/{uid}/identity-verifications"),
                json!({}),
            )
            .await;
        let sid = session.ok()["id"].as_str().expect("session id").to_owned();
        self.control(
            &format!("/sandbox/v1/identity-verifications/{sid}/start"),
            Value::Null,
        )
        .await
        .ok();
        self.control(
            &format!("/sandbox/v1/identity-verifications/{sid}/approve"),
            Value::Null,
        )
        .await
        .ok();
    }

    /// A `REGULAR` individual user's id.
    pub async fn regular_user(&self) -> String {
        let user = self.create_user().await;
        let uid = user["id"].as_str().expect("uid").to_owned();
        self.verify_user(&uid).await;
        uid
    }

    /// Creates an account of `uid` and returns its JSON view.
    pub async fn create_account(&self, uid: &str, alias: &str, currency: &str) -> Value {
        self.post(
            &format!("/api/v1/account/users/{uid}/accounts"),
            json!({"alias": alias, "currency": currency}),
        )
        .await
        .ok()
        .clone()
    }
}

/// A complete, valid `IndividualUserCreate` body.
pub fn individual_user_body(email: &str) -> Value {
    json!({
        "activity": "SALES_MANAGER",
        "address": "Calle Mayor 1",
        "birthCountry": "ES",
        "birthdate": "1990-04-12",
        "city": "Madrid",
        "country": "ES",
        "documentNumber": "12345678Z",
        "documentType": "NATIONAL_ID",
        "email": email,
        "employmentStatus": "EMPLOYED",
        "estimatedAnnualIncome": 50000,
        "estimatedAnnualTransactionVolume": 20000,
        "estimatedNetWorth": 100000,
        "hasPepCloseAssociate": false,
        "isPublicOffice": false,
        "name": "Ana",
        "nationality": "ES",
        "phoneNumber": "+34600000000",
        "phoneNumberCountry": "ES",
        "postalCode": "28001",
        "professionalSector": "SALES",
        "province": "Madrid",
        "sourceOfFunds": "SALARY",
        "surname": "García",
        "termsAndConditionsAccepted": true
    })
}
