#!/usr/bin/env bash
# Builds the bundle that runs the CUDA core tests and benchmark on a GPU machine without Java or network access:
# a jlinked Java runtime, the cuda module's classes and test classes, JavaCPP, the bytedeco CUDA bindings (no redist
# jars: the machine's own CUDA 13 libraries are linked), EJML for the references, and JUnit's console launcher.
# ND4J, oneDNN, OpenBLAS and their native libraries are left out; the core does not need them. See docs/gpu.md, section "The scripts".
#
# Usage: cuda/scripts/build-gpu-bundle.sh [OUTPUT_DIR]   (default: cuda/target/gpu-bundle)
# Writes OUTPUT_DIR/kronlaplace-gpu.tgz and OUTPUT_DIR/run-on-gpu.sh; carry both to the GPU machine.
# Builds offline from the local Maven repository (set MVN_FLAGS= to allow downloads).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/cuda/target/gpu-bundle}" && cd "${1:-$ROOT/cuda/target/gpu-bundle}" && pwd)
MVN_FLAGS=${MVN_FLAGS--o}
LIMIT_MIB=64
# the modules the launcher, JavaCPP and the tests use (java.sql: JUnit's argument converters)
MODULES=java.base,java.logging,java.management,java.sql,jdk.unsupported

cd "$ROOT"
JUNIT_PLATFORM=$(sed -n 's:.*<junit.version>5\.\([0-9.]*\)</junit.version>.*:1.\1:p' pom.xml)
[ -n "$JUNIT_PLATFORM" ] || { echo "cannot read junit.version from pom.xml" >&2; exit 1; }

STAGE="$OUT/kronlaplace-gpu"
rm -rf "$STAGE" "$OUT/kronlaplace-gpu.tgz"
mkdir -p "$STAGE/lib"

echo "== compiling the cuda module and its tests"
# one invocation: the reactor hands kfac's test classes to the cuda module only within the build that compiles them
# shellcheck disable=SC2086
mvn -B -q $MVN_FLAGS -pl cuda -am test-compile dependency:copy-dependencies -DincludeScope=test \
    -DincludeGroupIds=org.bytedeco,org.ejml -DexcludeArtifactIds=openblas,dnnl,opencl -DoutputDirectory="$STAGE/lib"
# shellcheck disable=SC2086
mvn -B -q $MVN_FLAGS -N dependency:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_PLATFORM" -DoutputDirectory="$STAGE/lib" \
    || { echo "could not copy JUnit's console launcher $JUNIT_PLATFORM (the build's tests do not use it, so an offline" \
              "local repository may lack it): run once with MVN_FLAGS= to let Maven download it" >&2; exit 1; }
cp -r cuda/target/classes "$STAGE/classes"
cp -r cuda/target/test-classes "$STAGE/test-classes"
cp cuda/scripts/run-on-gpu.sh "$STAGE/"

echo "== jlink: $MODULES"
jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$STAGE/jre"

if ls "$STAGE/lib" | grep -E -q '^(nd4j|openblas|dnnl|opencl)'; then
    echo "ND4J, OpenBLAS or oneDNN jars ended up in the bundle: $(ls "$STAGE/lib" | grep -E '^(nd4j|openblas|dnnl|opencl)')" >&2
    exit 1
fi

tar -C "$OUT" -czf "$OUT/kronlaplace-gpu.tgz" kronlaplace-gpu
cp cuda/scripts/run-on-gpu.sh "$OUT/run-on-gpu.sh"
rm -rf "$STAGE"

BYTES=$(stat -c %s "$OUT/kronlaplace-gpu.tgz")
echo "== contents of lib/:"
tar -tzf "$OUT/kronlaplace-gpu.tgz" | grep '^kronlaplace-gpu/lib/.' | sed 's:.*/lib/:   :'
printf '== %s: %d bytes (%.1f MiB, limit %d MiB)\n' "$OUT/kronlaplace-gpu.tgz" "$BYTES" \
    "$(awk -v b="$BYTES" 'BEGIN { print b / 1048576 }')" "$LIMIT_MIB"
if [ "$BYTES" -ge $((LIMIT_MIB * 1024 * 1024)) ]; then
    echo "the bundle is over the $LIMIT_MIB MiB limit" >&2
    exit 1
fi
echo "carry $OUT/kronlaplace-gpu.tgz and $OUT/run-on-gpu.sh; run: ./run-on-gpu.sh OUTDIR"
