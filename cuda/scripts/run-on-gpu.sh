#!/usr/bin/env bash
# Runs the CUDA core tests and benchmark on a GPU machine and writes the results to OUTDIR:
#   nvidia-smi.txt, cuda-libraries.txt, probe.txt, junit/ (XML reports), tests.log, benchmark.tsv, summary.txt.
# Needs only the bundle (kronlaplace-gpu.tgz, next to this script or in $KRONLAPLACE_GPU_BUNDLE), an NVIDIA driver
# (libcuda.so.1) and the CUDA 13 libraries that the JavaCPP bindings link (libcudart.so.13, libcublas.so.13,
# libcublasLt.so.13, libcusolver.so.12, libcusolverMg.so.12); no Java, no network. Stops at the first missing piece
# with a message that names it. See docs/gpu.md, section "Running the checks on a GPU machine".
#
# Usage: run-on-gpu.sh OUTDIR
# Environment: KRONLAPLACE_GPU_BUNDLE (bundle path), CUDA_LIBRARY_DIRS (extra ':'-separated directories to search),
#   TEST_TIMEOUT_S (default 180), BENCHMARK_TIMEOUT_S (default 300), BENCHMARK_ARGS (e.g. "--batches 128,512").
set -uo pipefail

fail() {
    echo "run-on-gpu: $*" >&2
    [ -n "${OUTDIR:-}" ] && [ -d "$OUTDIR" ] && echo "FAILED: $*" >> "$OUTDIR/summary.txt"
    exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1" || { echo "cannot create $1" >&2; exit 2; }
OUTDIR=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BUNDLE=${KRONLAPLACE_GPU_BUNDLE:-$HERE/kronlaplace-gpu.tgz}
: > "$OUTDIR/summary.txt"
START=$(date +%s)

echo "== 1. GPU and driver"
command -v nvidia-smi > /dev/null || fail "nvidia-smi not found: no NVIDIA driver on this machine, nothing to run"
nvidia-smi > "$OUTDIR/nvidia-smi.txt" 2>&1 || fail "nvidia-smi failed (no usable GPU): $(head -3 "$OUTDIR/nvidia-smi.txt")"
nvidia-smi -L | tee -a "$OUTDIR/summary.txt"
nvidia-smi -L | grep -q '^GPU' || fail "nvidia-smi lists no GPU"

echo "== 2. CUDA libraries"
ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|cublas|cusolver|cudart' > "$OUTDIR/cuda-libraries.txt"
LIBRARY_DIRS=""
FOUND=()
for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcusolver.so.12 libcusolverMg.so.12; do
    path=$(grep -F "$lib " "$OUTDIR/cuda-libraries.txt" | grep -v '/compat/' | head -1 | sed 's/.*=> //')
    if [ -z "$path" ]; then
        # not in the linker cache: look where toolkits and pip wheels put them
        # a toolkit's compat/ libcuda is for older drivers only: with a current driver it fails with error 803
        path=$(find ${CUDA_LIBRARY_DIRS:+${CUDA_LIBRARY_DIRS//:/ }} /usr/local/nvidia /usr/lib/x86_64-linux-gnu \
                   /usr/local/cuda* /opt /usr/local/lib -name "$lib*" 2>/dev/null | grep -v '/compat/' | head -1)
    fi
    [ -n "$path" ] || fail "$lib not found (ldconfig -p and the usual directories); set CUDA_LIBRARY_DIRS"
    echo "$lib: $path" | tee -a "$OUTDIR/summary.txt"
    FOUND+=("$path")
    dir=$(dirname "$path")
    case ":$LIBRARY_DIRS:" in *":$dir:"*) ;; *) LIBRARY_DIRS="$LIBRARY_DIRS:$dir" ;; esac
done
export LD_LIBRARY_PATH="${LIBRARY_DIRS#:}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" | tee -a "$OUTDIR/summary.txt"
# their own dependencies (cuSPARSE, nvJitLink, ...) must resolve too
MISSING=$(ldd "${FOUND[@]}" 2>/dev/null | grep 'not found' | sort -u)
[ -z "$MISSING" ] || fail "libraries that the CUDA libraries need are missing: $MISSING"
ldd --version 2>&1 | head -1 | tee -a "$OUTDIR/summary.txt"

echo "== 3. unpacking $BUNDLE"
[ -f "$BUNDLE" ] || fail "bundle $BUNDLE not found"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kronlaplace-gpu.XXXXXX") || fail "cannot create a work directory"
tar -C "$WORK" -xzf "$BUNDLE" || fail "cannot unpack $BUNDLE"
B="$WORK/kronlaplace-gpu"
JAVA="$B/jre/bin/java"
"$JAVA" -version > "$OUTDIR/java-version.txt" 2>&1 || fail "the bundled Java runtime does not start: $(cat "$OUTDIR/java-version.txt")"
LAUNCHER=$(ls "$B"/lib/junit-platform-console-standalone-*.jar)
CP="$B/classes:$B/test-classes"
for jar in "$B"/lib/*.jar; do
    [ "$jar" = "$LAUNCHER" ] || CP="$CP:$jar"
done
JVM_OPTS=(-Dorg.bytedeco.javacpp.cachedir="$WORK/javacpp-cache" -Xmx24g -Dorg.bytedeco.javacpp.maxbytes=48g
          -Dorg.bytedeco.javacpp.maxphysicalbytes=0)

echo "== 4. probe"
if ! "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" io.kronlaplace.cuda.CudaDevice > "$OUTDIR/probe.txt" 2>&1; then
    "$JAVA" "${JVM_OPTS[@]}" -Dorg.bytedeco.javacpp.logger.debug=true -cp "$CP" io.kronlaplace.cuda.CudaDevice \
        > "$OUTDIR/probe-debug.txt" 2>&1
    fail "$(tail -1 "$OUTDIR/probe.txt") (JavaCPP's loading log: probe-debug.txt)"
fi
tee -a "$OUTDIR/summary.txt" < "$OUTDIR/probe.txt"

echo "== 5. core tests"
timeout "${TEST_TIMEOUT_S:-180}" "$JAVA" "${JVM_OPTS[@]}" -jar "$LAUNCHER" execute --class-path "$CP" \
    --select-class io.kronlaplace.cuda.CudaLinearAlgebraTest --select-class io.kronlaplace.cuda.TransposeSquareTest \
    --fail-if-no-tests --details=tree --disable-banner --disable-ansi-colors --reports-dir "$OUTDIR/junit" > "$OUTDIR/tests.log" 2>&1
TESTS=$?
grep -E 'tests (successful|failed|aborted|skipped)' "$OUTDIR/tests.log" | sed 's/^[^0-9]*//' | tee -a "$OUTDIR/summary.txt"
if grep -qE '\[ *[1-9][0-9]* tests aborted' "$OUTDIR/tests.log"; then
    echo "some tests were aborted (skipped by an assumption) although a device was found" | tee -a "$OUTDIR/summary.txt"
    TESTS=1
fi
echo "tests exit status: $TESTS" | tee -a "$OUTDIR/summary.txt"

echo "== 6. benchmark"
# shellcheck disable=SC2086
timeout "${BENCHMARK_TIMEOUT_S:-300}" "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" io.kronlaplace.cuda.CudaBenchmark \
    ${BENCHMARK_ARGS:-} > "$OUTDIR/benchmark.tsv" 2> "$OUTDIR/benchmark.err"
BENCH=$?
column -t -s $'\t' "$OUTDIR/benchmark.tsv" 2>/dev/null || cat "$OUTDIR/benchmark.tsv"
echo "benchmark exit status: $BENCH$( [ $BENCH -eq 124 ] && echo ' (timed out: the lines above are the cases that finished)')" \
    | tee -a "$OUTDIR/summary.txt"

rm -rf "$WORK"
echo "elapsed: $(( $(date +%s) - START )) s" | tee -a "$OUTDIR/summary.txt"
[ $TESTS -eq 0 ] && [ $BENCH -eq 0 ]
