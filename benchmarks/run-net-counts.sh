#!/usr/bin/env bash
# Counts per request, not times: futex calls, system calls, context switches and CPU of the server JVM and of net0's
# agent while wrk drives the JDK's HttpServer (dev.vos.bench.net.WrkHttpServer, 1 KiB responses) through net0. Counts
# are what a loaded machine disturbs least, so this compares two builds on a shared machine where req/s cannot.
#
# Usage: benchmarks/run-net-counts.sh JAR_A JAR_B [PAIRS]
#   JAR_A, JAR_B: two benchmarks.jar builds (say main's and a branch's, each `./mvnw -pl benchmarks -am package`);
#   they run in alternation, A then B, PAIRS times (3). VOS_WRK_SECONDS (10), VOS_WRK_CONNECTIONS (64).
#   Needs wrk and perf (tracepoints: root or perf_event_paranoid <= -1). Every process it starts is killed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$here")/bin/find-jdk.sh"
jar_a=$1 jar_b=$2 pairs=${3:-3}
secs=${VOS_WRK_SECONDS:-10} conns=${VOS_WRK_CONNECTIONS:-64}
scratch=$(mktemp -d /tmp/vos-counts.XXXXXX)
server= agent=
stop() {
    local p
    for p in $server $agent; do kill "$p" 2>/dev/null || true; done
    for p in $server $agent; do wait "$p" 2>/dev/null || true; done
    server= agent=
}
trap 'stop; rm -rf "$scratch"' EXIT

# One run of jar $1, labelled $2: prints "label load req/s, then per request: server and agent counts".
run() {
    local jar=$1 label=$2 d=$scratch/$2 port req i
    local opts=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m
        -Dsun.net.httpserver.maxIdleConnections=$(( conns + 64 )) -cp "$jar")
    mkdir -p "$d"
    java "${opts[@]}" dev.vos.ring.agent.DomainAgentMain --name net0 --kind net --generation 1 \
        --socket "$d/net0.sock" --busy-poll --workers 1 --pin-cpus 1 --hang-timeout-ms 10000 \
        --option bind=127.0.0.1 > "$d/agent.log" 2>&1 &
    agent=$!
    for i in $(seq 100); do grep -q listening "$d/agent.log" && break; sleep 0.2; done
    java "${opts[@]}" -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider \
        -Dvos.net.socket="$d/net0.sock" dev.vos.bench.net.WrkHttpServer --bytes 1024 --threads 2 \
        > "$d/server.log" 2>&1 &
    server=$!
    for i in $(seq 100); do grep -q "listening on port" "$d/server.log" && break; sleep 0.2; done
    sleep 0.3
    port=$(sed -nE 's/.*on port ([0-9]+),.*/\1/p' "$d/server.log")
    wrk -t2 -c"$conns" -d3s "http://127.0.0.1:$port/" > /dev/null 2>&1 # warm-up, not counted
    local ev=raw_syscalls:sys_enter,syscalls:sys_enter_futex,context-switches,task-clock
    perf stat -x, -e $ev -p "$server" -o "$d/server.perf" -- sleep "$secs" &
    local p1=$!
    perf stat -x, -e $ev -p "$agent" -o "$d/agent.perf" -- sleep "$secs" &
    local p2=$!
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    wrk -t2 -c"$conns" -d"${secs}s" "http://127.0.0.1:$port/" > "$d/wrk.txt" 2>&1
    wait $p1 $p2
    stop
    req=$(awk '/requests in/{print $1}' "$d/wrk.txt")
    printf '%-4s load %-5s %8s req/s |' "$label" "$load" "$(awk '/Requests\/sec/{print $2}' "$d/wrk.txt")"
    for f in server agent; do
        awk -F, -v r="$req" -v who="$f" '/^[0-9]/{n=$3; sub(/.*:/, "", n); sub(/sys_enter_/, "", n);
            v = ($3 == "task-clock") ? $1 * 1000 / r : $1 / r; printf " %s %s %.2f%s", who, n, v,
            ($3 == "task-clock") ? "us" : ""}' "$d/$f.perf"
        printf ' |'
    done
    echo
}

echo "per request, $conns connections, ${secs} s, A=$jar_a B=$jar_b (load: 1-minute average at the start)"
for i in $(seq 1 "$pairs"); do
    run "$jar_a" "A$i"
    run "$jar_b" "B$i"
done
