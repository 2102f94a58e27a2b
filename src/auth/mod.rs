//! Client authentication: gateway tokens (stored as SHA-256 hashes) with scopes, the tower layer
//! that checks them, and the per-RPC scope check.

mod caller;
mod layer;
mod scope;
mod tokens;

pub use caller::{Caller, require_scope};
pub use layer::{AuthLayer, AuthService, is_public};
pub use scope::{Scope, Scopes, UnknownScope};
pub use tokens::{InvalidTokenHash, TokenEntry, TokenHash, TokenRegistry};
