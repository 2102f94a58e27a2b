//! The sub-client objects, one per resource group of `ralio_core::client`, each a thin handle that
//! forwards to the core sub-client and converts its error.

mod accounts;
mod identity;
mod kyb;
mod merchant;
mod money;
mod orders;
mod reference;
mod users;
mod vibans;

pub use accounts::Accounts;
pub use identity::Identity;
pub use kyb::Kyb;
pub use merchant::Merchant;
pub use money::{Payins, Payouts, Transfers};
pub use orders::{Orders, Transactions};
pub use reference::Reference;
pub use users::Users;
pub use vibans::Vibans;

/// Where a sub-client sends its calls: straight to RalioPay through the core client, or to the
/// gateway over gRPC with the call options it was given.
#[derive(Debug)]
pub(crate) enum Backend<C> {
    Direct(C),
    Gateway {
        conn: ::std::sync::Arc<crate::gateway::GatewayConn>,
        options: ::ralio_core::CallOptions,
    },
}

/// Declares a sub-client object wrapping `ralio_core::client::$name` (direct mode) or a gateway
/// connection (gateway mode), with `with_options`.
macro_rules! ffi_sub_client {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, uniffi::Object)]
        pub struct $name {
            backend: super::Backend<::ralio_core::client::$name>,
        }

        impl $name {
            pub(crate) fn direct(inner: ::ralio_core::client::$name) -> Self {
                Self { backend: super::Backend::Direct(inner) }
            }

            pub(crate) fn gateway(
                conn: ::std::sync::Arc<crate::gateway::GatewayConn>,
            ) -> Self {
                Self {
                    backend: super::Backend::Gateway {
                        conn,
                        options: ::ralio_core::CallOptions::default(),
                    },
                }
            }
        }

        #[uniffi::export]
        impl $name {
            /// The same sub-client whose calls use `options` (timeout, deadline, idempotency key,
            /// request id).
            pub fn with_options(
                &self,
                options: ::ralio_core::CallOptions,
            ) -> ::std::sync::Arc<Self> {
                let backend = match &self.backend {
                    super::Backend::Direct(inner) => {
                        super::Backend::Direct(inner.clone().with_options(options))
                    }
                    super::Backend::Gateway { conn, .. } => super::Backend::Gateway {
                        conn: conn.clone(),
                        options,
                    },
                };
                ::std::sync::Arc::new(Self { backend })
            }
        }
    };
}
pub(crate) use ffi_sub_client;
