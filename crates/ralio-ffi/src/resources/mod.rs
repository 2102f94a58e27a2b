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

/// Declares a sub-client object wrapping `ralio_core::client::$name`, with `with_options`.
macro_rules! ffi_sub_client {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, uniffi::Object)]
        pub struct $name {
            inner: ::ralio_core::client::$name,
        }

        impl $name {
            pub(crate) fn new(inner: ::ralio_core::client::$name) -> Self {
                Self { inner }
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
                ::std::sync::Arc::new(Self::new(self.inner.clone().with_options(options)))
            }
        }
    };
}
pub(crate) use ffi_sub_client;
