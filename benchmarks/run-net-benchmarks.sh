#!/usr/bin/env bash
# issue 12's wrk figures: Debian's wrk against the JDK's HttpServer (dev.vos.bench.net.WrkHttpServer, 1 KiB
# responses), its sockets native or in net0, in one sitting, written under benchmarks/results/:
#   net-<date>-floors.txt  the C floors (../shared/tools/floors) before the first and after the last run
#   net-<date>-wrk.txt     wrk's raw outputs, run by run
#   net-<date>.md          the report: native vs net0 (requests/s, p50, p99, ratios), floors, run conditions
#   net-<date>.svg         the sweep chart: net0's ratios to native (requests/s, p99) against the connection counts,
#                          median of the rounds with a min-max whisker (dev.vos.bench.net.NetSweep)
#
# Usage: benchmarks/run-net-benchmarks.sh
#   VOS_WRK_SECONDS (30): seconds per wrk run. VOS_WRK_WARMUP_SECONDS (2): wrk's unmeasured run before it, in the
#   same server: the JIT compiles through it (on CPU 0 alone in the pinned runs), so a short one measures a server
#   still compiling, and vos's client path has more to compile than the default provider's. Between the two, the
#   script waits (up to 10 s) until the server has accepted every connection the warm-up left in its listen queue.
#   VOS_WRK_CONNECTIONS (64,1000): connection counts, each a pair of runs. VOS_WRK_ROUNDS (1): pairs per
#   connection count; the order (native first or net0 first) swaps every pair.
#   VOS_WRK_THREADS (2): wrk's threads. VOS_HTTP_THREADS (2): the server's handler threads (platform).
#   VOS_NET_WORKERS (1): net0's workers, busy-polling, pinned to CPU 1 (and 0, ... for more).
#   VOS_NET_IDLE_SPIN_US (unset): net0's workers poll an empty queue this many microseconds, then sleep until a
#     client rings, instead of busy-polling: the CPU they are pinned to is the application's too when net0 is idle.
#   VOS_WRK_CPU0 (1): also run native with the server and wrk both on CPU 0 (taskset), after each pair: native on
#     the one CPU net0's busy-polling worker leaves to the application, beside native on both; and net0 so, its
#     worker alone on CPU 1 (no thread of the server or wrk shares a CPU with the spinning worker).
#   VOS_NET_CPU0_SPIN_US (unset): the server's -Dvos.ring.platformSpinMicros in the net0 CPU 0 runs, where the
#     application is kept off net0's CPU (its platform threads spin that long for an answer before they sleep).
#   VOS_FLOORS=quick|skip, VOS_WAIT_QUIET (default 60), VOS_QUIET_SECONDS (5): as run-storage-benchmarks.sh.
# Each run starts its own server JVM (and, for net0, its own agent), so that net0's busy-polling worker does not
# hold a CPU while native runs; both are killed after the run, and on exit or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"
seconds=${VOS_WRK_SECONDS:-30}
warmup=${VOS_WRK_WARMUP_SECONDS:-2}
rounds=${VOS_WRK_ROUNDS:-1}
wrk_threads=${VOS_WRK_THREADS:-2}
http_threads=${VOS_HTTP_THREADS:-2}
net_workers=${VOS_NET_WORKERS:-1}
IFS=, read -r -a connections <<< "${VOS_WRK_CONNECTIONS:-64,1000}"
cpu0=${VOS_WRK_CPU0:-1}

if ! command -v wrk >/dev/null; then
    echo "run-net-benchmarks: wrk not found (Debian: apt-get install wrk)" >&2
    exit 1
fi
if [ "$(nproc)" -lt 2 ]; then
    echo "run-net-benchmarks: needs CPUs 0 and 1 (net0's worker busy-polls on CPU 1)" >&2
    exit 1
fi
# 1,000 connections: wrk's and the server's descriptors (the agent's too), bounded by the hard limit.
want=8192
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want" ]; then want=$(ulimit -Hn); fi
ulimit -n "$want"
max_c=$(printf '%s\n' "${connections[@]}" | sort -n | tail -n 1)
if [ "$(ulimit -n)" -lt $(( max_c + 256 )) ]; then
    echo "run-net-benchmarks: ulimit -n is $(ulimit -n), too few for $max_c connections" >&2
    exit 1
fi

sitting_name=run-net-benchmarks sitting_wait_default=60
. "$here/sitting.sh"
wait_quiet
date=$(date +%Y%m%d-%H%M%S)
base=$results/net-$date

if jar_stale "$jar"; then
    echo "== building benchmarks.jar"
    ./mvnw -q -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true
fi
code="jar built $(date -r "$jar" -Is); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
code="$code, uncommitted changes to main sources: $(dirty_sources)"

scratch=$(mktemp -d /tmp/vos-wrk.XXXXXX)
server_pid= agent_pid=
stop_servers() {
    local p
    for p in $server_pid $agent_pid; do
        kill "$p" 2>/dev/null || true
    done
    for p in $server_pid $agent_pid; do
        wait "$p" 2>/dev/null || true
    done
    server_pid= agent_pid=
}
cleanup() {
    stop_servers
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until file $1 has a whole line matching the extended regex $2 (a line being written does not match its
# end), while process $3 lives, at most 60 s; prints the line.
await_line() {
    local i line
    for i in $(seq 1 600); do
        line=$(grep -m 1 -E "$2" "$1" 2>/dev/null || true)
        if [ -n "$line" ]; then
            echo "$line"
            return
        elif ! kill -0 "$3" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    echo "run-net-benchmarks: no '$2' from process $3; its output:" >&2
    cat "$1" >&2
    return 1
}

# net0's cap on one session's sockets (maxSocketsPerSession, default 1024) raised above what a run holds: wrk's
# connections and, while the server has yet to close them, the warm-up's. At the default cap, a run of 1,000
# connections took 106-210 read errors from wrk: accepts beyond the cap, closed at once as the cap says.
net_max_sockets=$(( 2 * max_c + 256 ))
# The HttpServer closes idle keep-alive connections beyond sun.net.httpserver.maxIdleConnections (default 200):
# with 1,000 connections wrk would see read errors for it. Raised alike on both sides.
java_opts=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m
    -Dsun.net.httpserver.maxIdleConnections=$(( max_c + 64 )) -cp "$jar")
net_wait=(--busy-poll)
if [ -n "${VOS_NET_IDLE_SPIN_US:-}" ]; then
    net_wait=(--idle-spin-us "$VOS_NET_IDLE_SPIN_US")
fi
server_args=(dev.vos.bench.net.WrkHttpServer --bytes 1024 --threads "$http_threads")
# Starts the server for $1 (native or net0) and sets port.
start_server() {
    local log=$scratch/server.log ready
    : > "$log"
    if [ "$1" = net0 ] || [ "$1" = net0-cpu0 ]; then
        local sock=$scratch/net0.sock pins pin
        pins=$(seq -s, 1 -1 0 | cut -d, -f1-"$net_workers")
        : > "$scratch/agent.log"
        java "${java_opts[@]}" dev.vos.ring.agent.DomainAgentMain --name net0 --kind net --generation 1 \
            --socket "$sock" "${net_wait[@]}" --workers "$net_workers" --pin-cpus "$pins" --hang-timeout-ms 10000 \
            --option bind=127.0.0.1 --option maxSocketsPerSession="$net_max_sockets" > "$scratch/agent.log" 2>&1 &
        agent_pid=$!
        await_line "$scratch/agent.log" "^agent net0 generation 1 listening on .*/net0\\.sock$" "$agent_pid" >/dev/null
        pin=() spin=()
        if [ "$1" = net0-cpu0 ]; then
            pin=(taskset -c 0)
            if [ -n "${VOS_NET_CPU0_SPIN_US:-}" ]; then spin=(-Dvos.ring.platformSpinMicros="$VOS_NET_CPU0_SPIN_US"); fi
        fi
        "${pin[@]}" java "${java_opts[@]}" "${spin[@]}" \
            -Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider \
            -Dvos.net.socket="$sock" "${server_args[@]}" \
            --expect-provider dev.vos.client.net.VosSelectorProvider > "$log" 2>&1 &
    elif [ "$1" = native-cpu0 ]; then
        taskset -c 0 java "${java_opts[@]}" "${server_args[@]}" > "$log" 2>&1 &
    else
        java "${java_opts[@]}" "${server_args[@]}" > "$log" 2>&1 &
    fi
    server_pid=$!
    ready=$(await_line "$log" "^wrk http server listening on port [0-9]+, .* handler threads$" "$server_pid")
    echo "   $ready"
    port=$(sed -E 's/.*on port ([0-9]+),.*/\1/' <<< "$ready")
}

floors_tool=$repo/../shared/tools/floors
run_floors() {
    if [ "${VOS_FLOORS:-}" = skip ]; then
        return
    elif [ ! -x "$floors_tool" ]; then
        echo "run-net-benchmarks: WARNING: $floors_tool not found: no floors" >&2
        return
    fi
    echo "== floors $1"
    { echo "# floors $1, $(date -Is)"; "$floors_tool" ${VOS_FLOORS:+"$VOS_FLOORS"}; } | tee -a "$base-floors.txt"
}

# wrk's --latency output ($1) -> "requests/s p50-ms p99-ms errors" (errors: socket errors + non-2xx responses;
# "-" for what wrk did not say, and for the latencies of a run in which no request completed).
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000
            if (v ~ /s$/) return v * 1000; return v
        }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $NF }
        / requests in / { if ($1 == 0) none = 1 }
        END {
            if (none) { p50 = "-"; p99 = "-" } # no request completed: wrk prints 0.00us, not a latency
            printf "%s %s %s %d\n", (rps == "" ? "-" : rps), (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), err }
    ' "$1"
}

# A process's CPU ticks, all its threads (utime + stime of /proc/PID/stat); 0 for none or gone. With a second
# argument "system", stime alone: the kernel's share, a native server's socket calls, which net0 moves to its agent.
proc_ticks() {
    if [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ]; then
        sed -E 's/^.*\) //' "/proc/$1/stat" | awk -v only="${2:-}" '{print only == "system" ? $13 : $12 + $13}'
    else
        echo 0
    fi
}

run_floors "before the figures"
busy0=$(busy_ticks); ours0=$(our_ticks); start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$base-wrk.txt"
: > "$scratch/figures.tsv"
: > "$scratch/cpu.tsv"
pair=0
for c in "${connections[@]}"; do
    for r in $(seq 1 "$rounds"); do
        if [ $(( pair % 2 )) -eq 0 ]; then order=(native net0); else order=(net0 native); fi
        if [ "$cpu0" = 1 ]; then order+=(native-cpu0 net0-cpu0); fi
        pair=$(( pair + 1 ))
        for target in "${order[@]}"; do
            echo "== $target, $c connections, ${seconds} s (round $r of $rounds)"
            start_server "$target"
            out=$scratch/wrk.out
            # A warm-up (the JIT, net0's handlers), not measured, then the run.
            pin=(); if [ "$target" = native-cpu0 ] || [ "$target" = net0-cpu0 ]; then pin=(taskset -c 0); fi
            "${pin[@]}" wrk -t"$wrk_threads" -c"$c" -d"${warmup}s" "http://127.0.0.1:$port/" > /dev/null 2>&1 || true
            # wrk leaves at once; connections of its warm-up that the server had yet to accept are still in the
            # listen queue, and the measured run's connections would overflow it behind them (seen through net0 at
            # 1,000 connections: 278 left, the queue full 0.3 s into the run). Give the server up to 10 s to take them.
            for _ in $(seq 100); do
                queued=$(ss -Hltn "sport = :$port" 2>/dev/null | awk '{print $2; exit}')
                [ "${queued:-0}" -eq 0 ] && break
                sleep 0.1
            done
            s0=$(proc_ticks "$server_pid"); k0=$(proc_ticks "$server_pid" system); a0=$(proc_ticks "$agent_pid")
            w0=$(our_ticks)
            "${pin[@]}" wrk -t"$wrk_threads" -c"$c" -d"${seconds}s" --timeout 10s --latency "http://127.0.0.1:$port/" \
                > "$out" 2>&1 || echo "run-net-benchmarks: WARNING: wrk exited $? ($target, $c)" >&2
            # CPU of the measured run: the server's and the agent's (still running), wrk's (a finished child).
            s1=$(proc_ticks "$server_pid"); k1=$(proc_ticks "$server_pid" system); a1=$(proc_ticks "$agent_pid")
            w1=$(our_ticks)
            stop_servers
            requests=$(awk '/ requests in /{print $1; exit}' "$out")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$r" "$target" "${requests:-0}" $(( s1 - s0 )) \
                $(( a1 - a0 )) $(( w1 - w0 )) $(( k1 - k0 )) >> "$scratch/cpu.tsv"
            { echo "### $target, $c connections, round $r, $(date -Is)"; echo; echo '```text'; cat "$out"
              echo '```'; echo
              # What the server (and agent) said besides being ready: exceptions, warnings; at most 40 lines each.
              for log in "$scratch/server.log" "$scratch/agent.log"; do
                  if [ -s "$log" ] && grep -qv -E '^(wrk http server|agent net0 generation 1) listening' "$log"; then
                      echo "$(basename "$log" .log) output:"; echo; echo '```text'; head -n 40 "$log"; echo '```'; echo
                  fi
              done; } >> "$base-wrk.txt"
            rm -f "$scratch/agent.log"
            read -r rps p50 p99 errors <<< "$(parse_wrk "$out")"
            echo "   requests/s $rps, p50 $p50 ms, p99 $p99 ms, errors $errors"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$r" "$target" "$rps" "$p50" "$p99" "$errors" \
                >> "$scratch/figures.tsv"
        done
    done
done
busy1=$(busy_ticks); ours1=$(our_ticks); wall=$(( $(date +%s) - start )); load1=$(cut -d' ' -f1-3 /proc/loadavg)
run_floors "after the figures"

hz=$(getconf CLK_TCK)
ours=$(( (ours1 - ours0) / hz ))
others=$(( (busy1 - busy0) / hz - ours )); [ "$others" -ge 0 ] || others=0
{
    echo "# vos net figures: wrk against the JDK's HttpServer, $(date -Is)"
    echo
    echo "\`wrk -t$wrk_threads -cN -d${seconds}s --timeout 10s --latency\` (Debian's $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'))"
    echo "against \`dev.vos.bench.net.WrkHttpServer\`: the JDK's \`com.sun.net.httpserver.HttpServer\` on 127.0.0.1, one"
    echo "context answering 1024 fixed bytes, handlers on $http_threads platform threads, serial GC, 256 MiB heap,"
    echo "\`-Dsun.net.httpserver.maxIdleConnections=$(( max_c + 64 ))\` (default 200: it would close wrk's idle connections);"
    echo "**native**: the JVM's default SelectorProvider; **net0**: the same program in a JVM started with"
    echo "\`-Djava.nio.channels.spi.SelectorProvider=dev.vos.client.net.VosSelectorProvider -Dvos.net.socket=...\`, its"
    echo "sockets in a net agent (\`DomainAgentMain --kind net --option bind=127.0.0.1 --option maxSocketsPerSession=$net_max_sockets ${net_wait[*]} --workers $net_workers\`,"
    echo "pinned to CPU(s) $(seq -s, 1 -1 0 | cut -d, -f1-"$net_workers"), a child JVM run by hand). wrk and the server are not pinned. Each run starts its"
    echo "own server (and agent), warms it with $warmup s of wrk, not measured, lets it accept what the warm-up left queued, then measures; runs alternate native and"
    echo "net0, the order swapped every pair. Latency in ms; errors are wrk's socket errors plus non-2xx responses."
    echo "Goals (issue 12): net0 throughput >= 0.8x native, p99 <= 2x native. **native CPU 0** (with VOS_WRK_CPU0=1):"
    echo "native with the server and wrk both pinned to CPU 0 by taskset, the one CPU net0's busy-polling worker leaves"
    echo "to the application; its columns say how much of the gap is that CPU. **net0 CPU 0**: net0 with the server and"
    echo "wrk pinned to CPU 0 the same way, so that net0's worker has CPU 1 to itself (the way a domain with a core of"
    echo "its own is deployed): against native CPU 0, the same CPUs for the application."
    if [ -n "${VOS_NET_CPU0_SPIN_US:-}" ]; then
        echo "In the net0 CPU 0 runs the server ran with \`-Dvos.ring.platformSpinMicros=$VOS_NET_CPU0_SPIN_US\`."
    fi
    echo
    echo "| connections | round | native req/s | net0 req/s | ratio | native p50 | net0 p50 | native p99 | net0 p99 | p99 ratio | errors native / net0 | native CPU 0 req/s | net0 / it | its p99 | p99 ratio to it | net0 CPU 0 req/s | / native CPU 0 | its p99 | p99 ratio |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '
        { key = $1 SUBSEP $2; rps[key, $3] = $4; p50[key, $3] = $5; p99[key, $3] = $6; err[key, $3] = $7
          if (!(key in seen)) { seen[key] = 1; keys[++n] = key } }
        function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0) ? sprintf("%.2f", b / a) : "-" }
        END {
            for (i = 1; i <= n; i++) {
                k = keys[i]; split(k, kk, SUBSEP)
                c0 = rps[k, "native-cpu0"]; q0 = p99[k, "native-cpu0"]
                n0 = rps[k, "net0-cpu0"]; m0 = p99[k, "net0-cpu0"]
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", kk[1], kk[2],
                    rps[k, "native"], rps[k, "net0"], ratio(rps[k, "native"], rps[k, "net0"]),
                    p50[k, "native"], p50[k, "net0"], p99[k, "native"], p99[k, "net0"],
                    ratio(p99[k, "native"], p99[k, "net0"]), err[k, "native"], err[k, "net0"],
                    (c0 == "" ? "-" : c0), ratio(c0, rps[k, "net0"]), (q0 == "" ? "-" : q0), ratio(q0, p99[k, "net0"]),
                    (n0 == "" ? "-" : n0), ratio(c0, n0), (m0 == "" ? "-" : m0), ratio(q0, m0)
            }
        }' "$scratch/figures.tsv"
    echo
    echo "## The sweep: each comparison over the rounds"
    echo
    echo "Round by round (the runs of a round ran next to each other), the ratio of net0's figure to native's, as"
    echo "the median of the rounds and their range; \`$(basename "$base").svg\` draws it against the connection counts."
    echo
    java -cp "$jar" dev.vos.bench.net.NetSweep "$scratch/figures.tsv" "$base.svg"
    echo
    echo "## CPU per request"
    echo
    echo "CPU time of the measured run (utime + stime, every thread; $(getconf CLK_TCK) ticks a second) over the requests wrk"
    echo "counted: the server's JVM, net0's agent (its busy-polling worker spins between calls, so its figure is a core's"
    echo "share, not work done), and wrk itself. Native's server time includes the kernel's socket work, which net0's"
    echo "server hands to the agent; \"of it, kernel\" is the server's stime alone."
    echo
    echo "| connections | round | run | requests | server us/request | of it, kernel | agent us/request | wrk us/request | all us/request |"
    echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v hz="$(getconf CLK_TCK)" '
        function us(t) { return $4 > 0 ? sprintf("%.1f", t * 1e6 / hz / $4) : "-" }
        { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, us($5), us($8),
              ($3 ~ /^net0/ ? us($6) : "-"), us($7), us($5 + $6 + $7) }' "$scratch/cpu.tsv"
    echo
    echo "## What one CPU can carry"
    echo
    echo "The goal compares net0, whose busy-polling worker owns CPU 1, with native on both CPUs. Whatever net0 does,"
    echo "the server's own code and wrk stay on CPU 0. Their cost per request is the server's utime plus wrk's CPU over"
    echo "the requests: measured in native's run on both CPUs and in native's on CPU 0 alone (where wrk is woken less"
    echo "often, for more responses at a time, and can cost less). One CPU serves at most one request per the lower of"
    echo "the two: the **ceiling**, as a multiple of native's requests/s, of any domain with a CPU of its own on this"
    echo "machine, before its client costs anything at all. **U** is the CPUs those two used in native's run on both."
    echo "**net0 CPU 0 / native** is what net0 reached in the same round."
    echo
    echo "| connections | round | U, CPUs | us/request on both | on CPU 0 | ceiling, x native | net0 CPU 0 / native |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v hz="$(getconf CLK_TCK)" -v secs="$seconds" '
        FNR == NR { rps[$1 SUBSEP $2 SUBSEP $3] = $4; next }
        $4 > 0 { k = $1 SUBSEP $2; cost[k SUBSEP $3] = ($5 - $8 + $7) * 1e6 / hz / $4; ticks[k SUBSEP $3] = $5 - $8 + $7
                 if (!(k in seen)) { seen[k] = 1; keys[++n] = k } }
        function ratio(a, b) { return (a > 0 && b ~ /^[0-9.]+$/) ? sprintf("%.2f", b / a) : "-" }
        END {
            for (i = 1; i <= n; i++) {
                k = keys[i]; split(k, kk, SUBSEP)
                if (!((k SUBSEP "native") in ticks)) continue
                both = cost[k SUBSEP "native"]; one = cost[k SUBSEP "native-cpu0"]
                low = (one > 0 && one < both) ? one : both
                printf "| %s | %s | %.2f | %.1f | %s | %s | %s |\n", kk[1], kk[2],
                    ticks[k SUBSEP "native"] / hz / secs, both, (one > 0 ? sprintf("%.1f", one) : "-"),
                    ratio(rps[k SUBSEP "native"], 1e6 / low), ratio(rps[k SUBSEP "native"], rps[k SUBSEP "net0-cpu0"])
            }
        }' "$scratch/figures.tsv" "$scratch/cpu.tsv"
    echo
    echo "## Floors"
    echo
    if [ -f "$base-floors.txt" ]; then
        echo '```text'; cat "$base-floors.txt"; echo '```'
    else
        echo "None in this sitting (\`$floors_tool\` absent, or VOS_FLOORS=skip)."
    fi
    echo
    echo "## Run conditions"
    echo
    echo "- The runs took ${wall} s on $(nproc) CPUs (kernel $(uname -r)); load average before ${load0}, after ${load1}."
    echo "- CPU time meanwhile: these runs (wrk, servers, agents) ${ours} s; all other processes ${others} s. More than"
    echo "  a few seconds of the latter means other work shared the CPUs and disturbed the figures (net0's"
    echo "  busy-polling worker loses its time slices to it)."
    echo "- ulimit -n $(ulimit -n)."
    echo "- Code: ${code}."
    echo
    echo "## wrk's outputs"
    echo
    cat "$base-wrk.txt"
} > "$base.md"
echo "== report: $base.md"
sed -n '1,/^## Floors/p' "$base.md"
