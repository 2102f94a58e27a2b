//! `RalioClient` and its per-resource sub-clients (one method per upstream operation).
//!
//! ```no_run
//! # async fn demo() -> Result<(), ralio_core::RalioError> {
//! use ralio_core::{CallOptions, ClientConfig, RalioClient};
//! let client = RalioClient::new(ClientConfig::builder("http://127.0.0.1:8080", "code", "key").build()?)?;
//! let orders = client.orders().list_merchant(&Default::default()).await?;
//! let quote_safe = client
//!     .transfers()
//!     .with_options(CallOptions::new().idempotency_key("transfer-INV-1"));
//! # let _ = (orders, quote_safe);
//! # Ok(()) }
//! ```

use std::sync::Arc;

use crate::config::ClientConfig;
use crate::error::RalioError;
use crate::model::LoginResponse;
use crate::options::CallOptions;
use crate::transport::Transport;

mod accounts;
mod identity;
mod kyb;
mod merchant;
mod orders;
mod payins;
mod payouts;
mod reference;
mod transactions;
mod transfers;
mod users;
mod vibans;

pub use accounts::Accounts;
pub use identity::Identity;
pub use kyb::Kyb;
pub use merchant::Merchant;
pub use orders::Orders;
pub use payins::Payins;
pub use payouts::Payouts;
pub use reference::Reference;
pub use transactions::Transactions;
pub use transfers::Transfers;
pub use users::Users;
pub use vibans::Vibans;

/// A RalioPay API client. Cheap to clone: clones share one connection pool and one token.
#[derive(Debug, Clone)]
pub struct RalioClient {
    transport: Arc<Transport>,
}

/// Declares a sub-client: a handle on the shared transport plus the options of its calls.
macro_rules! sub_client {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            transport: ::std::sync::Arc<crate::transport::Transport>,
            options: crate::options::CallOptions,
        }

        impl $name {
            pub(crate) fn new(transport: ::std::sync::Arc<crate::transport::Transport>) -> Self {
                Self { transport, options: Default::default() }
            }

            /// The same sub-client whose calls use `options` (timeout, deadline, idempotency
            /// key, request id).
            pub fn with_options(mut self, options: crate::options::CallOptions) -> Self {
                self.options = options;
                self
            }
        }
    };
}
pub(crate) use sub_client;

impl RalioClient {
    /// Builds a client; nothing is sent until the first call (which logs in).
    pub fn new(config: ClientConfig) -> Result<Self, RalioError> {
        Ok(Self {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// `POST /api/v1/auth/login` (login). Calls log in by themselves; this is for checking
    /// credentials up front. The returned token is not cached.
    pub async fn login(&self, options: &CallOptions) -> Result<LoginResponse, RalioError> {
        self.transport.login(options).await
    }

    pub fn users(&self) -> Users {
        Users::new(self.transport.clone())
    }

    pub fn identity(&self) -> Identity {
        Identity::new(self.transport.clone())
    }

    pub fn kyb(&self) -> Kyb {
        Kyb::new(self.transport.clone())
    }

    pub fn accounts(&self) -> Accounts {
        Accounts::new(self.transport.clone())
    }

    pub fn merchant(&self) -> Merchant {
        Merchant::new(self.transport.clone())
    }

    pub fn vibans(&self) -> Vibans {
        Vibans::new(self.transport.clone())
    }

    pub fn payins(&self) -> Payins {
        Payins::new(self.transport.clone())
    }

    pub fn transfers(&self) -> Transfers {
        Transfers::new(self.transport.clone())
    }

    pub fn payouts(&self) -> Payouts {
        Payouts::new(self.transport.clone())
    }

    pub fn orders(&self) -> Orders {
        Orders::new(self.transport.clone())
    }

    pub fn transactions(&self) -> Transactions {
        Transactions::new(self.transport.clone())
    }

    pub fn reference(&self) -> Reference {
        Reference::new(self.transport.clone())
    }
}
