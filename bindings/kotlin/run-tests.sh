#!/usr/bin/env bash
# Builds and runs the Kotlin tests of the bindings: generates Kotlin from the built cdylib, compiles
# it with the tests using kotlinc, and runs them on the JVM with JNA. Assumes `cargo build` has
# built target/debug/libralio_ffi.so, target/debug/ralio-sandbox and target/debug/ralio-gateway (and the uniffi-bindgen of
# bindings/uniffi-bindgen, which bindings/test.sh builds).
#
# Tools: KOTLIN_HOME (default: the npm package kotlin-compiler under ~/.cache/ralio-tools) and
# JNA_JAR (default: /usr/share/java/jna.jar from Debian's libjna-java).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
kotlin_home="${KOTLIN_HOME:-$HOME/.cache/ralio-tools/node_modules/kotlin-compiler}"
jna_jar="${JNA_JAR:-/usr/share/java/jna.jar}"
bindgen="${UNIFFI_BINDGEN:-$repo/bindings/uniffi-bindgen/target/debug/uniffi-bindgen}"
library="$repo/target/debug/libralio_ffi.so"
build="$repo/bindings/kotlin/build"

for needed in "$kotlin_home/bin/kotlinc" "$jna_jar" "$bindgen" "$library"; do
    [[ -e "$needed" ]] || { echo "run-tests.sh: missing $needed" >&2; exit 2; }
done

rm -rf "$build/generated" && mkdir -p "$build/generated"
"$bindgen" generate --library "$library" --language kotlin --no-format --out-dir "$build/generated" >/dev/null

lib="$kotlin_home/lib"
classpath="$jna_jar:$lib/kotlinx-coroutines-core-jvm.jar"
kotlinc=("$kotlin_home/bin/kotlinc" -nowarn -jvm-target 17)  # -nowarn: generated-code style noise

# The generated bindings and the hand-written layer (lib/: the event Flow) take most of the compile
# time (~45 s): compile them into their own jar, reused while their sources are unchanged.
library_sources=( $(find "$build/generated" bindings/kotlin/lib -name '*.kt' | sort) )
generated_sum="$(cat "${library_sources[@]}" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$build/bindings.jar" || "$(cat "$build/bindings.sha256" 2>/dev/null)" != "$generated_sum" ]]; then
    started=$(date +%s)
    "${kotlinc[@]}" -cp "$classpath" -d "$build/bindings.jar" "${library_sources[@]}"
    echo "$generated_sum" > "$build/bindings.sha256"
    echo "kotlinc bindings: $(( $(date +%s) - started )) s"
fi
started=$(date +%s)
"${kotlinc[@]}" -cp "$build/bindings.jar:$classpath" -d "$build/tests.jar" bindings/kotlin/src/*.kt
echo "kotlinc tests: $(( $(date +%s) - started )) s"

RALIO_SANDBOX_BIN="${RALIO_SANDBOX_BIN:-$repo/target/debug/ralio-sandbox}" \
RALIO_GATEWAY_BIN="${RALIO_GATEWAY_BIN:-$repo/target/debug/ralio-gateway}" \
    java -Djna.library.path="$(dirname "$library")" \
    -cp "$build/tests.jar:$build/bindings.jar:$classpath:$lib/kotlin-stdlib.jar" ralio.tests.RalioTestsKt
