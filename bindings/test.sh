#!/usr/bin/env bash
# Runs the Python and Kotlin suites of the bindings against an already-built workspace
# (`cargo build --workspace --all-targets` has produced target/debug/libralio_ffi.so and
# target/debug/ralio-sandbox). Installs what it needs when missing: the pinned uniffi-bindgen
# (bindings/uniffi-bindgen), a venv with maturin and pytest (bindings/python/.venv), and the Kotlin
# compiler from npm (~/.cache/ralio-tools). JNA comes from Debian: `apt-get install libjna-java`.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
step() { echo "== $1 ($(( $(date +%s) - t0 )) s)"; }
t0=$(date +%s)

# The uniffi-bindgen matching the cdylib's uniffi (never PyPI's uniffi-bindgen).
step "uniffi-bindgen"
cargo build --quiet --manifest-path bindings/uniffi-bindgen/Cargo.toml
export PATH="$repo/bindings/uniffi-bindgen/target/debug:$PATH"
export UNIFFI_BINDGEN="$repo/bindings/uniffi-bindgen/target/debug/uniffi-bindgen"

step "python venv"
venv=bindings/python/.venv
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "maturin==1.16.*" "pytest>=8"

# maturin builds the cdylib with cargo in the shared target dir (only ralio-ffi itself recompiles),
# generates the Python modules with uniffi-bindgen and packs a wheel, which pip installs like a
# user's `pip install ./bindings/python` would (that one builds in release mode).
step "python wheel"
rm -rf bindings/python/dist
(cd bindings/python && "$repo/$venv/bin/maturin" build --quiet --profile dev --out dist)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall \
    bindings/python/dist/ralio-*.whl

step "pytest"
export RALIO_SANDBOX_BIN="${RALIO_SANDBOX_BIN:-$repo/target/debug/ralio-sandbox}"
(cd bindings/python && "$repo/$venv/bin/python" -m pytest -q -p no:cacheprovider)

step "kotlin tools"
tools="$HOME/.cache/ralio-tools"
export KOTLIN_HOME="$tools/node_modules/kotlin-compiler"
if [[ ! -x "$KOTLIN_HOME/bin/kotlinc" ]]; then
    npm install --silent --no-audit --no-fund --prefix "$tools" kotlin-compiler@2.4.20
fi
if [[ ! -f /usr/share/java/jna.jar ]]; then
    echo "bindings/test.sh: /usr/share/java/jna.jar missing: apt-get install -y libjna-java" >&2
    exit 2
fi

step "kotlin tests"
bindings/kotlin/run-tests.sh
step "done"
