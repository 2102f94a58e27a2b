//! The client object: constructors and the sub-client accessors, as in `ralio_core::RalioClient`.

use std::sync::Arc;

use ralio_core::model::LoginResponse;
use ralio_core::{CallOptions, Secret};

use crate::config::DirectConfig;
use crate::error::RalioFfiError;
use crate::gateway::GatewayConn;
use crate::gateway::events::{EventListener, EventSubscribeOptions, EventSubscription};
use crate::resources::{
    Accounts, Identity, Kyb, Merchant, Orders, Payins, Payouts, Reference, Transactions, Transfers,
    Users, Vibans,
};

/// A RalioPay client. Thread-safe; every sub-client shares its connection pool and token.
#[derive(Debug, uniffi::Object)]
pub struct RalioClient {
    inner: Connection,
}

/// How a client reaches RalioPay.
#[derive(Debug, Clone)]
enum Connection {
    Direct(ralio_core::RalioClient),
    Gateway(Arc<GatewayConn>),
}

#[uniffi::export(async_runtime = "tokio")]
impl RalioClient {
    /// Straight to RalioPay with the merchant's `api_code`/`api_key` (server-side use). Nothing
    /// is sent until the first call, which logs in.
    #[uniffi::constructor]
    pub fn direct(config: DirectConfig) -> Result<Arc<Self>, RalioFfiError> {
        let inner = ralio_core::RalioClient::new(config.into_core()?)?;
        Ok(Arc::new(Self {
            inner: Connection::Direct(inner),
        }))
    }

    /// Through `ralio-gateway` over gRPC (`http://host:port`; for `https://` see
    /// [`Self::gateway_with_ca`]) with a gateway token, for apps
    /// that must never hold RalioPay credentials. Same methods as [`Self::direct`]; the
    /// operations gateway mode does not carry yet fail with `RalioFfiError::Unsupported`.
    /// Nothing is sent until the first call.
    #[uniffi::constructor]
    pub fn gateway(url: String, token: Secret) -> Result<Arc<Self>, RalioFfiError> {
        let conn = GatewayConn::new(&url, token.expose(), None)?;
        Ok(Arc::new(Self {
            inner: Connection::Gateway(Arc::new(conn)),
        }))
    }

    /// [`Self::gateway`] over TLS (`https://host:port`), trusting the CA whose PEM certificate
    /// is `ca_certificate_pem` (the bindings bundle no system root store).
    #[uniffi::constructor]
    pub fn gateway_with_ca(
        url: String,
        token: Secret,
        ca_certificate_pem: String,
    ) -> Result<Arc<Self>, RalioFfiError> {
        let conn = GatewayConn::new(&url, token.expose(), Some(&ca_certificate_pem))?;
        Ok(Arc::new(Self {
            inner: Connection::Gateway(Arc::new(conn)),
        }))
    }

    /// Whether this client goes through the gateway.
    pub fn is_gateway(&self) -> bool {
        matches!(self.inner, Connection::Gateway(_))
    }

    /// Subscribes to the gateway's event stream (gateway mode only): `listener` receives each
    /// matching event, in cursor order, on a background thread until the returned handle is
    /// cancelled or dropped, or the stream fails (then `on_error` is called once).
    pub fn subscribe_events(
        &self,
        options: EventSubscribeOptions,
        listener: Box<dyn EventListener>,
    ) -> Result<Arc<EventSubscription>, RalioFfiError> {
        match &self.inner {
            Connection::Gateway(conn) => Ok(crate::gateway::events::subscribe(
                conn.clone(),
                options,
                listener,
            )?),
            Connection::Direct(_) => Err(RalioFfiError::Unsupported {
                code: "UNSUPPORTED_IN_DIRECT_MODE".to_owned(),
                reason: "event subscriptions need a gateway connection".to_owned(),
            }),
        }
    }

    /// Records that the durable `consumer` (see `EventSubscribeOptions.consumer`) has handled
    /// every event up to `cursor`, so its next subscription resumes after it (gateway mode
    /// only). Returns the consumer's stored position.
    pub async fn ack_events(&self, consumer: String, cursor: u64) -> Result<u64, RalioFfiError> {
        let inner = self.inner.clone();
        crate::runtime::spawned(async move { inner.ack_events(consumer, cursor).await }).await
    }

    /// `POST /api/v1/auth/login`: checks the credentials up front (calls log in by themselves).
    pub async fn login(&self, options: CallOptions) -> Result<LoginResponse, RalioFfiError> {
        let inner = self.inner.clone();
        crate::runtime::spawned(async move { inner.login(options).await }).await
    }

    /// Blocking [`Self::ack_events`] (see the sub-clients' `*_blocking` methods).
    pub fn ack_events_blocking(&self, consumer: String, cursor: u64) -> Result<u64, RalioFfiError> {
        crate::runtime::block_on(self.inner.ack_events(consumer, cursor))?
    }

    /// Blocking [`Self::login`] (see the sub-clients' `*_blocking` methods).
    pub fn login_blocking(&self, options: CallOptions) -> Result<LoginResponse, RalioFfiError> {
        crate::runtime::block_on(self.inner.login(options))?
    }

    pub fn users(&self) -> Arc<Users> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Users::direct(inner.users())),
            Connection::Gateway(conn) => Arc::new(Users::gateway(conn.clone())),
        }
    }

    pub fn identity(&self) -> Arc<Identity> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Identity::direct(inner.identity())),
            Connection::Gateway(conn) => Arc::new(Identity::gateway(conn.clone())),
        }
    }

    pub fn kyb(&self) -> Arc<Kyb> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Kyb::direct(inner.kyb())),
            Connection::Gateway(conn) => Arc::new(Kyb::gateway(conn.clone())),
        }
    }

    pub fn accounts(&self) -> Arc<Accounts> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Accounts::direct(inner.accounts())),
            Connection::Gateway(conn) => Arc::new(Accounts::gateway(conn.clone())),
        }
    }

    pub fn merchant(&self) -> Arc<Merchant> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Merchant::direct(inner.merchant())),
            Connection::Gateway(conn) => Arc::new(Merchant::gateway(conn.clone())),
        }
    }

    pub fn vibans(&self) -> Arc<Vibans> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Vibans::direct(inner.vibans())),
            Connection::Gateway(conn) => Arc::new(Vibans::gateway(conn.clone())),
        }
    }

    pub fn payins(&self) -> Arc<Payins> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Payins::direct(inner.payins())),
            Connection::Gateway(conn) => Arc::new(Payins::gateway(conn.clone())),
        }
    }

    pub fn transfers(&self) -> Arc<Transfers> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Transfers::direct(inner.transfers())),
            Connection::Gateway(conn) => Arc::new(Transfers::gateway(conn.clone())),
        }
    }

    pub fn payouts(&self) -> Arc<Payouts> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Payouts::direct(inner.payouts())),
            Connection::Gateway(conn) => Arc::new(Payouts::gateway(conn.clone())),
        }
    }

    pub fn orders(&self) -> Arc<Orders> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Orders::direct(inner.orders())),
            Connection::Gateway(conn) => Arc::new(Orders::gateway(conn.clone())),
        }
    }

    pub fn transactions(&self) -> Arc<Transactions> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Transactions::direct(inner.transactions())),
            Connection::Gateway(conn) => Arc::new(Transactions::gateway(conn.clone())),
        }
    }

    pub fn reference(&self) -> Arc<Reference> {
        match &self.inner {
            Connection::Direct(inner) => Arc::new(Reference::direct(inner.reference())),
            Connection::Gateway(conn) => Arc::new(Reference::gateway(conn.clone())),
        }
    }
}

/// The calls the client object makes itself; its async methods run them as a task of the
/// bindings' runtime, its blocking ones on the caller's thread.
impl Connection {
    async fn ack_events(&self, consumer: String, cursor: u64) -> Result<u64, RalioFfiError> {
        match self {
            Connection::Gateway(conn) => crate::gateway::events::ack(conn, consumer, cursor).await,
            Connection::Direct(_) => Err(RalioFfiError::Unsupported {
                code: "UNSUPPORTED_IN_DIRECT_MODE".to_owned(),
                reason: "event acknowledgements need a gateway connection".to_owned(),
            }),
        }
    }

    async fn login(&self, options: CallOptions) -> Result<LoginResponse, RalioFfiError> {
        match self {
            Connection::Direct(inner) => Ok(inner.login(&options).await?),
            Connection::Gateway(_) => Err(crate::gateway::unsupported("login")),
        }
    }
}
