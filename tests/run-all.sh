#!/usr/bin/env bash
# Runs every test of the project: the proto lint, the whole Rust workspace (unit, integration and
# end-to-end tests) and, once the bindings exist, the Python and Kotlin suites.
# Tools that do not come with Rust (buf) are installed on first use into $RALIO_TOOLS_DIR
# (default ~/.cache/ralio-tools) from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${RALIO_TOOLS_DIR:-$HOME/.cache/ralio-tools}"
mkdir -p "$tools"

step() { printf '\n==> %s\n' "$*"; }

ensure_buf() {
  if [ ! -x "$tools/node_modules/.bin/buf" ]; then
    step "installing buf (npm @bufbuild/buf) into $tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" @bufbuild/buf@1 >/dev/null
  fi
}

step "buf lint (proto/)"
ensure_buf
(cd proto && "$tools/node_modules/.bin/buf" lint)

step "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

step "cargo test --workspace"
cargo test --workspace
