#!/usr/bin/env bash
# The series a Prometheus stores from one vos host: a control plane with a storage and a net domain, a client
# loading each, file calls on storage0 every few seconds (a put, a cat, a stat of a missing file: bytes written
# and read, an ENOENT), and socket calls on net0 every 2 s (NetLoad.java through vos's SelectorProvider: a connection
# accepted, 4 KiB each way, a refused connect), scraped every second by Debian's prometheus for SECONDS; then counts
# the distinct vos_* series seen in that window, the ones live at its end, and the per-thread perf series among them
# (docs/operations.md, "What a host costs Prometheus").
#
#   dashboards/bench/series-count.sh VOS_TREE METRICS_PORT PROMETHEUS_PORT SECONDS OUT_DIR
#
# VOS_TREE is a built vos checkout (./mvnw -o package -DskipTests -pl primary-domain/cli -am): this runs its jars
# directly, never bin/vos (which would build). Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
tree=$(cd "$1" && pwd); port=$2; prom_port=$3; seconds=$4; out=$(mkdir -p "$5" && cd "$5" && pwd)
. "$tree/bin/find-jdk.sh"
jar=$(ls "$tree"/primary-domain/cli/target/vos-cli-*.jar | grep -v -e '-tests\.jar$' | head -n 1)
# Always run in the background: exec makes the recorded pid the JVM itself, so that the trap stops it.
vos() { exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Dvos.home="$tree" \
          -cp "$jar:$tree/primary-domain/cli/target/lib/*" dev.vos.cli.VosCli "$@"; }

mkdir -p "$out/export"
cat > "$out/host.yaml" <<SPEC
version: 1
controlPlane:
  stateDir: ./state
  metricsPort: $port
domains:
  - name: storage0
    kind: storage
    backend: process
    resources: {memoryMb: 128}
    storage: {exportRoot: ./export}
  - name: net0
    kind: net
    backend: process
    resources: {memoryMb: 128}
    net: {bind: [127.0.0.1]}
SPEC
cat > "$out/prometheus.yml" <<PROM
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: vos
    static_configs: [{targets: ["127.0.0.1:$port"]}]
PROM

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
vos up "$out/host.yaml" > "$out/up.log" 2>&1 & pids+=($!)
for _ in $(seq 120); do curl -sf "127.0.0.1:$port/metrics" | grep -q 'vos_domain_up{domain="net0"} 1' && break; sleep 1; done
export VOS_STATE_DIR="$out/state"
vos client storage0 --threads 2 --seconds "$seconds" > "$out/client-storage0.log" 2>&1 & pids+=($!)
vos client net0 --threads 2 --seconds "$seconds" > "$out/client-net0.log" 2>&1 & pids+=($!)
# File calls (a commit of a vos tree older than the fs command has none: the loop then only logs its failures).
files() { while :; do
            ( vos fs put --force "$out/host.yaml" storage0:/load.yaml ); ( vos fs cat storage0:/load.yaml ) > /dev/null
            ( vos fs stat storage0:/not-there ) || true; sleep 2
          done; }
files > "$out/files.log" 2>&1 & pids+=($!)
# Socket calls (a vos tree without the net client has no VosSelectorProvider: NetLoad then fails at once, logged).
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC \
    -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider -Dvos.stateDir="$out/state" \
    -cp "$jar:$tree/primary-domain/cli/target/lib/*" "$(dirname "$0")/NetLoad.java" "$seconds" \
    > "$out/net-load.log" 2>&1 & pids+=($!)
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn > "$out/prometheus.log" 2>&1 & pids+=($!)
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/result.txt"
sleep "$seconds"
q() { curl -s "127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" \
        | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)".*/\1/p'; }
# The head block holds every series of the run (it is cut only after two hours): its count is the series the run
# cost Prometheus, less the five it makes per target itself (up, scrape_*).
tsdb=$(curl -s "127.0.0.1:$prom_port/api/v1/status/tsdb")
{
  echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "scrapes: $(q "count_over_time(up{job=\"vos\"}[${seconds}s])")"
  echo "series in the head (all ${seconds}s, 5 of them Prometheus's own): $(echo "$tsdb" \
        | sed -n 's/.*"numSeries":\([0-9]*\).*/\1/p')"
  echo "vos_* series live at the end: $(q 'count({__name__=~"vos_.*"})')"
  echo "net0's traffic: accepted $(q 'vos_net_connections_accepted_total{domain="net0"}'), refused" \
       "$(q 'vos_net_connections_refused_total{domain="net0"}'), bytes received" \
       "$(q 'vos_ring_read_bytes_total{domain="net0"}'), sent $(q 'vos_ring_written_bytes_total{domain="net0"}')"
  echo "by metric (top 10): $(echo "$tsdb" | sed -n 's/.*"seriesCountByMetricName":\(\[[^]]*\]\).*/\1/p')"
  echo "per-thread perf series that lived under 5 s:" \
       "$(q "count(count_over_time({__name__=~\"vos_perf_thread_.*\"}[${seconds}s]) < 5)")"
} >> "$out/result.txt"
cat "$out/result.txt"
