//! The sub-client objects, one per resource group of `ralio_core::client`, each a thin handle that
//! forwards to the core sub-client (direct mode) or to the gateway module of its resource group
//! (gateway mode) and converts the error.
//!
//! Every operation is declared once, with [`ffi_methods!`], which emits two exported methods from
//! that one signature: the async one (`create`, a `suspend fun` in Kotlin, a coroutine in
//! Python) and its blocking twin (`create_blocking`), which runs the same future to completion
//! on the caller's thread with [`crate::runtime::block_on`]. Both return the same
//! [`crate::RalioFfiError`], converted in one place (`crate::error`).

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
#[derive(Debug, Clone)]
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

/// Declares the operations of a sub-client object, each once:
///
/// ```text
/// ffi_methods! {
///     impl Accounts for gateway::accounts {
///         /// Docs (copied onto both methods).
///         fn get / get_blocking(uid: String, aid: String) -> Account
///             = |inner| inner.get(&uid, &aid);
///     }
/// }
/// ```
///
/// emits, in one `#[uniffi::export(async_runtime = "tokio")]` impl, `pub async fn get(&self, uid,
/// aid) -> Result<Account, RalioFfiError>` — direct mode awaits the expression after `=` on the
/// core sub-client bound to `inner` and converts its `RalioError`; gateway mode calls
/// `crate::gateway::accounts::get(conn, options, uid, aid)`, the call running as one task of the
/// bindings' runtime ([`crate::runtime::spawned`]) — and, in one `#[uniffi::export]`
/// impl, the synchronous `pub fn get_blocking(&self, uid, aid) -> Result<Account,
/// RalioFfiError>` that blocks the calling thread on that same future (see
/// [`crate::runtime::block_on`] for the one case where it refuses to). Both names are spelled
/// out because `macro_rules!` cannot build `get_blocking` from `get`; the pair keeps every
/// exported name greppable.
macro_rules! ffi_methods {
    (
        impl $object:ident for gateway::$module:ident {
            $(
                $(#[$meta:meta])*
                fn $name:ident / $blocking:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty
                    = |$inner:ident| $direct:expr;
            )*
        }
    ) => {
        #[uniffi::export(async_runtime = "tokio")]
        impl $object {
            $(
                $(#[$meta])*
                pub async fn $name(
                    &self,
                    $($arg: $ty),*
                ) -> ::std::result::Result<$ret, crate::error::RalioFfiError> {
                    let backend = self.backend.clone();
                    crate::runtime::spawned(async move {
                        super::ffi_methods!(@call backend, $module, $name($($arg),*), |$inner| $direct)
                    })
                    .await
                }
            )*
        }

        #[uniffi::export]
        impl $object {
            $(
                /// Blocking twin of the async method named without the `_blocking` suffix: waits
                /// on the calling thread (Python: without holding the GIL). Refuses with
                /// `Unsupported` (`BLOCKING_CALL_IN_ASYNC_CONTEXT`) on a thread running an async
                /// runtime, such as an event listener callback.
                $(#[$meta])*
                pub fn $blocking(
                    &self,
                    $($arg: $ty),*
                ) -> ::std::result::Result<$ret, crate::error::RalioFfiError> {
                    let backend = &self.backend;
                    crate::runtime::block_on(async move {
                        super::ffi_methods!(@call backend, $module, $name($($arg),*), |$inner| $direct)
                    })?
                }
            )*
        }
    };
    // The one call both twins make: the core sub-client (direct) or the gateway module.
    (@call $backend:ident, $module:ident, $name:ident($($arg:ident),*), |$inner:ident| $direct:expr) => {
        match &$backend {
            super::Backend::Direct($inner) => ::std::result::Result::Ok($direct.await?),
            super::Backend::Gateway { conn, options } => {
                crate::gateway::$module::$name(conn, options, $($arg),*).await
            }
        }
    };
}
pub(crate) use ffi_methods;
