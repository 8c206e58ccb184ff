#!/usr/bin/env bash
# What vos as the default file system provider costs a host path outside every mount (issue 17), in one sitting,
# written under benchmarks/results/:
#   mount-<date>.txt  JMH's table (dev.vos.bench.mount.HostPathBenchmark: each figure in forks of its own, with and
#                     without -Djava.nio.file.spi.DefaultFileSystemProvider)
#   mount-<date>.md   the run conditions: the machine's load during the sitting, the code measured
#
# Usage: benchmarks/run-mount-benchmarks.sh
#   VOS_WAIT_QUIET (default 300), VOS_QUIET_SECONDS (5): as run-ring-benchmarks.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"

sitting_name=run-mount-benchmarks sitting_wait_default=300
. "$here/sitting.sh"
if jar_stale "$jar"; then
    echo "== building benchmarks.jar"
    ./mvnw -q -B -ntp -o -pl benchmarks -am package -Dmaven.test.skip=true
fi
wait_quiet
date=$(date +%Y%m%d-%H%M%S)
base=$results/mount-$date
code="jar built $(date -r "$jar" -Is); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
code="$code, uncommitted changes to main sources: $(dirty_sources)"

busy0=$(busy_ticks); all0=$(all_ticks); ours0=$(our_ticks); start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
java -jar "$jar" 'dev.vos.bench.mount.HostPathBenchmark' -rf text -rff "$base.txt"
busy1=$(busy_ticks); all1=$(all_ticks); ours1=$(our_ticks); end=$(date +%s); load1=$(cut -d' ' -f1-3 /proc/loadavg)

others=$(( (busy1 - busy0) - (ours1 - ours0) ))
{
    echo "# vos as the default provider: host paths outside the mounts, $(date -d "@$start" -u '+%Y-%m-%d %H:%M') UTC"
    echo
    echo "- code: $code"
    echo "- sitting: $(( end - start )) s; load average $load0 before, $load1 after"
    echo "- CPU time of other processes during the sitting: $(( others / $(getconf CLK_TCK) )) s of" \
         "$(( (all1 - all0) / $(getconf CLK_TCK) )) s (both CPUs); this sitting's JVMs: $(( (ours1 - ours0) / $(getconf CLK_TCK) )) s"
    echo
    echo '```text'
    cat "$base.txt"
    echo '```'
} > "$base.md"
cat "$base.md"
