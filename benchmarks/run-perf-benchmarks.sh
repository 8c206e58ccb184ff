#!/usr/bin/env bash
# What perfctr-xen costs a CPU-bound workload: the counting collector at a 1 s interval and the sampler at 1 kHz
# per thread, against the same workload bare, with 100 and 1000 threads (dev.vos.bench.perf.CollectorOverhead).
# Writes benchmarks/results/perf-overhead-<date>.md (the table and every run) and .log (the console).
#
# Usage: benchmarks/run-perf-benchmarks.sh [--threads 100,1000] [--reps 7] [--warmup-ms 1000] [--window-ms 3000]
#   About 6 minutes with the defaults (7 repetitions of 4 modes x 2 thread counts; the perf record mode only
#   when perf is installed). Needs root, CAP_PERFMON, or perf_event_paranoid <= 2 (the workload is the harness's
#   own child). The machine may be shared: the report records
#   the load average before and after, and every run, so the noise is visible.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"
sitting_name=run-perf-benchmarks sitting_wait_default=0
. "$here/sitting.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"
if jar_stale "$jar"; then
    echo "run-perf-benchmarks: building benchmarks.jar" >&2
    ./mvnw -q -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true
fi

stamp=$(date -u +%Y%m%d-%H%M%S)
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
    args=(--threads 100,1000 --reps 7 --warmup-ms 1000 --window-ms 3000)
fi
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$jar" \
    dev.vos.bench.perf.CollectorOverhead "${args[@]}" --out "$results/perf-overhead-$stamp.md" \
    2>&1 | tee "$results/perf-overhead-$stamp.log"
echo "run-perf-benchmarks: wrote $results/perf-overhead-$stamp.md" >&2
