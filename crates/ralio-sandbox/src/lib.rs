//! A local, stateful RalioPay sandbox (see the crate README section in the project README).

pub mod clock;
pub mod error;
pub mod money;
