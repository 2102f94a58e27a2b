//! gRPC gateway to the RalioPay REST API.
//!
//! Layout: `cli`/`config` (what to run and with which settings), `server` (the tonic server,
//! its layers and the admin HTTP server), `fanout` (the optional events port: gRPC on `h2` with
//! one task per connection for live `Subscribe` streams), `auth` (gateway tokens and scopes),
//! `request_context` (request id, deadline, idempotency key), `status` (the one error → gRPC
//! status mapping), `idempotency` (durable replay of creating/money-moving calls), `health`,
//! `metrics`, `tls` (server TLS for both gRPC ports), `dev` (the all-in-one development mode)
//! and `services` (one module per resource group, registered in `services::register`).

pub mod auth;
pub mod cli;
pub mod clock;
mod coalesce;
pub mod config;
pub mod convert;
pub mod descriptor;
pub mod dev;
pub mod events;
pub mod fanout;
pub mod health;
pub mod idempotency;
pub mod logging;
pub mod metrics;
pub mod request_context;
pub mod server;
pub mod services;
pub mod status;
pub mod tls;

/// Code generated from `proto/` by `build.rs` (messages, servers, clients).
pub mod proto {
    /// The `ralio` protobuf package family.
    pub mod ralio {
        /// Package `ralio.v1`: every RalioPay operation as an RPC.
        pub mod v1 {
            tonic::include_proto!("ralio.v1");
        }
    }
}

/// The serialized `google.protobuf.FileDescriptorSet` of every `.proto` file
/// under `proto/` and its imports, for gRPC reflection and for reading the
/// `ralio.v1.http` route option at run time.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/ralio_descriptor.bin"));
