#!/usr/bin/env bash
# perfctr-xen's figures, each written to benchmarks/results/perf-<what>-<date>.md (and the console to .log):
#   overhead   what vos perf costs a CPU-bound workload of 100 and 1000 threads: the counting collector at 1 s
#              (tracking new threads every 10 ms) and the sampler at 1 kHz, against the workload bare and against
#              perf record, alternating (dev.vos.bench.perf.CollectorOverhead);
#   agreement  vos perf stat --per-thread against perf stat --per-thread on threads of known shape: long ones,
#              20 shorter than any interval, one started late, one faulting 64 MiB twice (AgreementTable);
#   attach     how long each tool takes to attach to 100 and 1000 busy threads, in the target's session and in
#              one of its own, alternating (AttachTime).
#
# Usage: benchmarks/run-perf-benchmarks.sh [overhead|agreement|attach|all] [-- ARGS for that harness]
#   all (the default) takes about 20 minutes on 2 idle cores. Needs root (or CAP_PERFMON) and perf (linux-perf).
#   Each part waits up to VOS_WAIT_QUIET seconds (default 300) for the machine to be quiet first: other work on
#   2 cores disturbs every timing figure (the agreement table is counts, and needs no quiet). Each report ends with
#   its run conditions: whether the machine was quiet, the load average, and the CPU time of every other process.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"
sitting_name=run-perf-benchmarks sitting_wait_default=300
. "$here/sitting.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"
cli_jar=$(ls "$repo/primary-domain/cli/target/vos-cli-"*.jar 2>/dev/null | grep -v -e '-tests\.jar$' | head -n 1 || true)
# Maven leaves a module's jar as it was when nothing in that module changed: vos-cli's jar is stale only when a
# source of what it is built from (every module but the benchmarks) is newer.
cli_stale() {
    [ -z "$cli_jar" ] || [ -n "$(find "$repo" -path "$repo/benchmarks" -prune -o -name target -prune -o \
        \( -path '*/src/main/*' -o -name pom.xml \) -type f -newer "$cli_jar" -print 2>/dev/null | head -n 1)" ]
}
if jar_stale "$jar" || cli_stale; then
    echo "run-perf-benchmarks: building benchmarks.jar and vos-cli" >&2
    # -DskipTests, not maven.test.skip: vos-cli's tests use vos-client's test jar, which the latter does not build.
    ./mvnw -q -B -ntp -pl benchmarks,primary-domain/cli -am package -DskipTests
    cli_jar=$(ls "$repo/primary-domain/cli/target/vos-cli-"*.jar | grep -v -e '-tests\.jar$' | head -n 1)
    touch "$cli_jar" # as bin/vos does after a build: Maven leaves an unchanged module's jar as it was
fi
# vos perf as a user runs it: bin/vos, with its JVM flags, its start-up cache and its priority.
vos=$repo/bin/vos

what=${1:-all}
shift || true
[ "${1:-}" = -- ] && shift
# What was measured: the jars, and the state of the code they were built from.
code="jars built $(date -r "$jar" -Is); at run start: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
code="$code, uncommitted changes to main sources: $(dirty_sources)"
run() { # name main args...
    local name=$1 main=$2 status failed stamp quiet busy0 ours0 start load0 busy1 ours1 wall load1 hz ours others
    shift 2
    if [ "$name" = agreement ]; then # counts: only note how busy the machine is
        quiet=$(VOS_WAIT_QUIET=0 wait_quiet 2>&1 | tee /dev/stderr | tail -n 1)
    else
        quiet=$(wait_quiet 2>&1 | tee /dev/stderr | tail -n 1)
    fi
    stamp=$(date -u +%Y%m%d-%H%M%S)
    busy0=$(busy_ticks); ours0=$(our_ticks); start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
    status=0
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$jar" "$main" "$@" \
        --out "$results/perf-$name-$stamp.md" 2>&1 | tee "$results/perf-$name-$stamp.log" || status=$?
    busy1=$(busy_ticks); ours1=$(our_ticks); wall=$(( $(date +%s) - start )); load1=$(cut -d' ' -f1-3 /proc/loadavg)
    hz=$(getconf CLK_TCK)
    ours=$(( (ours1 - ours0) / hz ))
    others=$(( (busy1 - busy0) / hz - ours )); [ "$others" -ge 0 ] || others=0  # tick rounding
    failed=""
    [ "$status" = 0 ] || failed=" The harness failed (status $status): what it measured is above; see the .log."
    cat >> "$results/perf-$name-$stamp.md" <<EOF

## Run conditions

- Before starting: ${quiet#== }.
- Ran ${wall} s on $(nproc) CPUs (kernel $(uname -r)); load average before ${load0}, after ${load1}.
- CPU time meanwhile: the harness, its tools and its workloads ${ours} s; all other processes ${others} s (of
  $(( wall * $(nproc) )) s the machine had). More than a few seconds of the latter means other work ran meanwhile
  and disturbed the timing figures (counts are not disturbed).
- Code: ${code}.
- Arguments: ${*:-none}.${failed}
EOF
    echo "run-perf-benchmarks: wrote $results/perf-$name-$stamp.md" >&2
    return "$status"
}
case $what in
    overhead) run overhead dev.vos.bench.perf.CollectorOverhead "$@" ;;
    agreement) run agreement dev.vos.bench.perf.AgreementTable --vos "$vos" "$@" ;;
    attach) run attach dev.vos.bench.perf.AttachTime --vos "$vos" "$@" ;;
    all)
        run agreement dev.vos.bench.perf.AgreementTable --vos "$vos"
        run attach dev.vos.bench.perf.AttachTime --vos "$vos"
        run overhead dev.vos.bench.perf.CollectorOverhead --threads 100,1000 --reps 7 --warmup-ms 1000 \
            --window-ms 3000 ;;
    *) echo "usage: $0 [overhead|agreement|attach|all] [-- ARGS]" >&2; exit 2 ;;
esac
