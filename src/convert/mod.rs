//! Conversion between the gRPC messages (`crate::proto`) and the core client's model
//! (`ralio_core::model`), one module per resource group.
//!
//! Direction proto → model validates what the gateway can check without RalioPay (required
//! fields, `*_UNSPECIFIED` enums, UUID ids, positive amounts) and reports every problem at once as
//! one `INVALID_ARGUMENT` whose `BadRequest` names the proto fields (`amount.amount`). Direction
//! model → proto never fails on an unknown enum value (it becomes `*_UNSPECIFIED`, D17) but does
//! fail on an unreadable upstream timestamp (see [`common::timestamp`]).

pub mod common;
// Money movement and its views (SVC-B).
pub mod accounts;
pub mod identity;
pub mod merchant;
pub mod orders;
pub mod payins;
pub mod payouts;
pub mod reference;
pub mod transactions;
pub mod transfers;
pub mod users;
pub mod vibans;
