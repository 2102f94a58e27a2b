//! The process's log output: one `tracing` subscriber, set up the same way by the binary and by
//! the benchmark harness (so that what is measured pays for the logging production pays for).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the formatted stderr logger, filtered by `RUST_LOG` (default `info`), coloured only
/// when stderr is a terminal (a file, pipe or journal gets plain text). Changes nothing if the
/// process already has a global subscriber.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .ok();
}
