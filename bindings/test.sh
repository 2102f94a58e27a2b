#!/usr/bin/env bash
# Runs the Python and Kotlin suites of the bindings against an already-built workspace
# (`cargo build --workspace --all-targets`, as tests/run-all.sh does, has produced
# target/debug/libralio_ffi.so, target/debug/ralio-gateway and target/debug/ralio-sandbox; when
# one is missing they are built here with one `cargo build`). Installs what it needs when
# missing, idempotently: the pinned uniffi-bindgen (bindings/uniffi-bindgen, its own target dir),
# a venv with maturin and pytest and the Kotlin compiler from npm (both under $RALIO_TOOLS_DIR,
# default ~/.cache/ralio-tools), and JNA from Debian (`apt-get install libjna-java`, done here
# when running as root).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
step() { echo "== $1 ($(( $(date +%s) - t0 )) s)"; }
t0=$(date +%s)
tools="${RALIO_TOOLS_DIR:-$HOME/.cache/ralio-tools}"
mkdir -p "$tools"

step "workspace artifacts"
artifacts=(target/debug/libralio_ffi.so target/debug/ralio-gateway target/debug/ralio-sandbox)
for artifact in "${artifacts[@]}"; do
    if [[ ! -e "$artifact" ]]; then
        cargo build -p ralio-ffi -p ralio-gateway -p ralio-sandbox
        break
    fi
done
export RALIO_SANDBOX_BIN="${RALIO_SANDBOX_BIN:-$repo/target/debug/ralio-sandbox}"
export RALIO_GATEWAY_BIN="${RALIO_GATEWAY_BIN:-$repo/target/debug/ralio-gateway}"

# The uniffi-bindgen matching the cdylib's uniffi (never PyPI's uniffi-bindgen).
step "uniffi-bindgen"
cargo build --quiet --manifest-path bindings/uniffi-bindgen/Cargo.toml
export PATH="$repo/bindings/uniffi-bindgen/target/debug:$PATH"
export UNIFFI_BINDGEN="$repo/bindings/uniffi-bindgen/target/debug/uniffi-bindgen"

step "python venv"
venv="$tools/bindings-venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
if ! "$venv/bin/maturin" --version 2>/dev/null | grep -q '^maturin 1\.16\.' \
    || ! "$venv/bin/python" -c 'import pytest' 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==1.16.*" "pytest>=8"
fi

# maturin builds the cdylib with cargo in the shared target dir (only ralio-ffi itself recompiles:
# maturin asks for crate-type cdylib alone, every dependency is reused from the workspace build),
# generates the Python modules with uniffi-bindgen and packs a wheel, which pip installs like a
# user's `pip install ./bindings/python` would (that one builds in release mode).
step "python wheel"
rm -rf bindings/python/dist
(cd bindings/python && "$venv/bin/maturin" build --quiet --profile dev --out dist)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
    bindings/python/dist/ralio-*.whl

step "pytest"
(cd bindings/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider)

step "kotlin tools"
export KOTLIN_HOME="$tools/node_modules/kotlin-compiler"
if [[ ! -x "$KOTLIN_HOME/bin/kotlinc" ]]; then
    npm install --silent --no-audit --no-fund --prefix "$tools" kotlin-compiler@2.4.20
fi
if [[ ! -f /usr/share/java/jna.jar && "$(id -u)" -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java >/dev/null; }
fi
if [[ ! -f /usr/share/java/jna.jar ]]; then
    echo "bindings/test.sh: /usr/share/java/jna.jar missing: apt-get install -y libjna-java" >&2
    exit 2
fi

step "kotlin tests"
bindings/kotlin/run-tests.sh
step "done"
