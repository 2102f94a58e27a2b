#!/usr/bin/env bash
# The Python side of the benchmark harness: one RPC through the uniffi client (async and
# blocking) versus grpcio stubs (grpc.aio and blocking), ffi_vs_grpcio.py. Builds the release
# gateway and a release wheel of the bindings, installs them with grpcio/grpcio-tools into a venv
# under $RALIO_TOOLS_DIR, and runs it; extra arguments go to the script (`--calls N`,
# `--profile N` for a cProfile of N blocking FFI calls).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$repo"
tools="${RALIO_TOOLS_DIR:-$HOME/.cache/ralio-tools}"
venv="$tools/bench-venv"

cargo build --release --bin ralio-gateway
cargo build --quiet --manifest-path bindings/uniffi-bindgen/Cargo.toml
export PATH="$repo/bindings/uniffi-bindgen/target/debug:$PATH"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==1.16.*" grpcio grpcio-tools
rm -rf "$tools/bench-dist"
(cd bindings/python && "$venv/bin/maturin" build --quiet --release --out "$tools/bench-dist")
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
    "$tools"/bench-dist/ralio-*.whl
"$venv/bin/python" crates/ralio-bench/python/ffi_vs_grpcio.py \
    --gateway-bin "$repo/target/release/ralio-gateway" "$@"
