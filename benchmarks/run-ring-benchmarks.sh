#!/usr/bin/env bash
# Runs the ring benchmarks in one sitting and writes, under benchmarks/results/:
#   floors-<date>.txt  the C floors (../shared/tools/floors), run just before and just after JMH
#   ring-<date>.json   JMH's results;  ring-<date>.log  JMH's console output
#   ring-<date>.md     the report (dev.vos.bench.report.RingReport);  ring-<date>.svg  its latency chart
#
# Usage: [VOS_BENCH=REGEX] benchmarks/run-ring-benchmarks.sh [JMH options...]
#   With no options it runs the ring and Unix-socket benchmarks with their annotated forks and iterations (about
#   5 minutes on 2 cores). Options go to JMH as they are, e.g. a smoke pass:  -f 1 -wi 1 -i 1 -w 1s -r 1s
#   VOS_BENCH picks the benchmarks (a JMH include regex; default: everything under dev.vos.bench.ring and .unix),
#   e.g. VOS_BENCH=RingRoundTripBenchmark.nullCall.
#   VOS_FLOORS=quick runs the floors' quick mode, VOS_FLOORS=skip skips them.
#   VOS_WAIT_QUIET (default 300) and VOS_QUIET_SECONDS (default 5): see wait_quiet below.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"

if [ "$(nproc)" -lt 2 ]; then
    echo "run-ring-benchmarks: needs CPUs 0 and 1 (client on 0, server on 1); this machine has $(nproc)" >&2
    exit 1
fi

leftovers() {
    # Lists only; never kills anything. Our children are dev.vos.bench.* mains; other ring servers (tests, a
    # running vos) are not ours, but one that polls takes a core from the benchmarks.
    local procs others files
    procs=$(pgrep -f 'RingServerMain --segment /dev/shm/vos-bench-|dev\.vos\.bench\.unix\.UnixEchoServerMain' | xargs || true)
    others=$(pgrep -f 'dev\.vos\.ring\.server\.RingServerMain' | xargs || true)
    files=$(ls /dev/shm/vos-bench-* 2>/dev/null | xargs || true)
    if [ -n "$procs" ] || [ -n "$files" ]; then
        echo "run-ring-benchmarks: WARNING: leftovers $1: processes [$procs] files [$files]" >&2
    fi
    if [ -n "$others" ]; then
        echo "run-ring-benchmarks: WARNING: other ring servers running $1 (not ours; they disturb): [$others]" >&2
    fi
}
leftovers "before the run"

sitting_name=run-ring-benchmarks sitting_wait_default=300
. "$here/sitting.sh"
wait_quiet
date=$(date +%Y%m%d-%H%M%S)  # after the wait: names this run's files by when it really ran

# Build when the jar is missing or older than any source or pom it is made of.
if jar_stale "$jar"; then
    echo "== building benchmarks.jar"
    # maven.test.skip rather than skipTests: test sources being edited elsewhere must not stop a benchmark build.
    ./mvnw -q -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true
fi
# What was measured: the jar, and the state of the code it was built from.
code="jar built $(date -r "$jar" -Is); at run start: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
code="$code, uncommitted changes to main sources: $(dirty_sources)"

floors_tool=$repo/../shared/tools/floors
floors_file=$results/floors-$date.txt
run_floors() {
    if [ "${VOS_FLOORS:-}" = skip ]; then
        return
    elif [ ! -x "$floors_tool" ]; then
        echo "run-ring-benchmarks: WARNING: $floors_tool not found: no floors, no floor ratios" >&2
        return
    fi
    echo "== floors $1 JMH"
    { echo "# floors $1 JMH, $(date -Is)"; "$floors_tool" ${VOS_FLOORS:+"$VOS_FLOORS"}; } | tee -a "$floors_file"
}
run_floors before

echo "== JMH"
busy0=$(busy_ticks); ours0=$(our_ticks); start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$jar" \
    -rf json -rff "$results/ring-$date.json" "$@" "${VOS_BENCH:-dev\.vos\.bench\.(ring|unix)\..*}" 2>&1 \
    | tee "$results/ring-$date.log"
busy1=$(busy_ticks); ours1=$(our_ticks); wall=$(( $(date +%s) - start )); load1=$(cut -d' ' -f1-3 /proc/loadavg)
hz=$(getconf CLK_TCK)
ours=$(( (ours1 - ours0) / hz ))
others=$(( (busy1 - busy0) / hz - ours )); [ "$others" -ge 0 ] || others=0  # tick rounding can make it -1..-5

run_floors after

java -cp "$jar" dev.vos.bench.report.RingReport "$results/ring-$date.json" \
    "$([ -f "$floors_file" ] && echo "$floors_file" || echo -)" "$results/ring-$date.md" "$results/ring-$date.svg"
cat >> "$results/ring-$date.md" <<EOF

## Run conditions

- JMH ran ${wall} s on $(nproc) CPUs (kernel $(uname -r)); load average before ${load0}, after ${load1}.
- CPU time during JMH: the benchmarks and their children ${ours} s (a client and a server each poll a core, so
  up to 2 x ${wall} s); all other processes ${others} s. More than a few seconds of the latter means other work ran
  meanwhile and disturbed the figures.
- Code: ${code}.
- JMH arguments: ${*:-none (the annotated defaults)}; benchmarks: ${VOS_BENCH:-dev\.vos\.bench\.(ring|unix)\..*}
EOF

# The floor moves between placements of the two vCPUs (see README: "The floor moves"), so the ratio of the null
# call to the floor is measured once more with the floor interleaved, window by window, in this same sitting.
echo "== ring null call against the floor, interleaved"
java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$jar" dev.vos.bench.paired.PairedRoundTrip \
    --pairs "${VOS_PAIRS:-60}" --window-ms 250 --out "$results" | tee -a "$results/ring-$date.log"
{
    echo
    echo "## Ring null call against the floor, interleaved (same sitting)"
    echo
    sed -n '/^| measure/,/^$/p' "$(ls -t "$results"/paired-*.md | head -n 1)"
} >> "$results/ring-$date.md"
leftovers "after the run"
echo "== report: $results/ring-$date.md"
cat "$results/ring-$date.md"
