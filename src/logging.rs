//! The process's log output: one `tracing` subscriber, set up the same way by the binary and by
//! the benchmark harness (so that what is measured pays for the logging production pays for).

use tracing_subscriber::EnvFilter;

/// Installs the formatted stderr logger, filtered by `RUST_LOG` (default `info`). Changes
/// nothing if the process already has a global subscriber.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
}
