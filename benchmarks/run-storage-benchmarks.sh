#!/usr/bin/env bash
# The storage figures of issues 4 and 13 in one sitting, written under benchmarks/results/:
#   storage-<date>-floors.txt  the C floors (../shared/tools/floors) and the trap floors from Java (TrapFloors:
#                              getpid, pread, io_uring batches of 1, 8, 32), before the first and after the last repeat
#   storage-<date>.tsv         one row per figure and repeat (dev.vos.bench.storage.StorageWorkload)
#   storage-<date>-lucene.tsv  one row per Lucene run and repeat (dev.vos.bench.storage.LuceneWorkload)
#   storage-<date>-copy.txt    Files.copy within one file system, native and vos (FileCopyWorkload)
#   storage-<date>-async.txt   AsynchronousFileChannel reads, 1, 16 and 64 in flight: the JDK's channel with its own
#                              pool and with virtual threads, and a vos:// path's (AsyncReadWorkload)
#   storage-<date>-costs.txt   the pieces of the domain's pread path in CPU time (HotPathCosts)
#   storage-<date>.md          the report (dev.vos.bench.storage.StorageReport) and the run conditions
#   storage-<date>.svg         each vos variant's ratio to native against the client count, per workload (SweepChart)
#
# Usage: benchmarks/run-storage-benchmarks.sh
#   VOS_REPEATS (default 3): repeats; each runs native, then vos (the ring, then a vos:// FileChannel), then Lucene
#     native and vos, each in its own JVM, so that a change of conditions during the sitting hits both alike.
#   VOS_CLIENTS (default 1,64): virtual threads per figure. VOS_WORKLOADS (default rand4k,seq1m,seq1k,randwrite).
#   VOS_WARMUP_S (2) and VOS_MEASURE_S (3): seconds per figure.
#   VOS_LUCENE_IDLE_US (default 200, the control plane's default): Lucene on vos runs three times: with the domain's
#     worker busy-polling CPU 1; polling an empty queue this long before it sleeps (its core free for Lucene's
#     threads); and busy-polling CPU 1 with Lucene's whole JVM kept on CPU 0 (taskset), so that no thread of the
#     application shares a CPU with the spinning worker (the way a domain with a core of its own is deployed).
#   VOS_LUCENE_STEADY_RUNS (default 20): after its first (cold) run, Lucene native, vos and vos-idle go on for this
#     many runs in the same JVM; their NAME-steady row is the median of the last 5 (the JIT's steady state).
#   VOS_FLOORS=quick|skip, VOS_WAIT_QUIET (default 60), VOS_QUIET_SECONDS (5): as run-ring-benchmarks.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$repo"
. "$repo/bin/find-jdk.sh"

results=$here/results
jar=$here/target/benchmarks.jar
mkdir -p "$results"
repeats=${VOS_REPEATS:-3}
timing=(--warmup-s "${VOS_WARMUP_S:-2}" --measure-s "${VOS_MEASURE_S:-3}")

if [ "$(nproc)" -lt 2 ]; then
    echo "run-storage-benchmarks: needs CPUs 0 and 1 (client on 0, the domain's worker on 1)" >&2
    exit 1
fi

sitting_name=run-storage-benchmarks sitting_wait_default=60
. "$here/sitting.sh"
wait_quiet
date=$(date +%Y%m%d-%H%M%S)
base=$results/storage-$date

if jar_stale "$jar"; then
    echo "== building benchmarks.jar"
    ./mvnw -q -B -ntp -pl benchmarks -am package -Dmaven.test.skip=true
fi
code="jar built $(date -r "$jar" -Is); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
code="$code, uncommitted changes to main sources: $(dirty_sources)"

floors_tool=$repo/../shared/tools/floors
run_floors() {
    if [ "${VOS_FLOORS:-}" = skip ]; then
        return
    elif [ ! -x "$floors_tool" ]; then
        echo "run-storage-benchmarks: WARNING: $floors_tool not found: no floors, no floor ratios" >&2
        return
    fi
    echo "== floors $1"
    { echo "# floors $1, $(date -Is)"; "$floors_tool" ${VOS_FLOORS:+"$VOS_FLOORS"};
      echo "# trap floors from Java (dev.vos.bench.storage.TrapFloors) $1";
      java --enable-native-access=ALL-UNNAMED -cp "$jar" dev.vos.bench.storage.TrapFloors;
      echo "# a lone read's floor across cores, against native pread in the same windows (HandoffFloor) $1";
      java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$jar" dev.vos.bench.storage.HandoffFloor \
          --windows 10 | tail -4; } | tee -a "$base-floors.txt"
}

java_opts=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx512m -cp "$jar")
run_floors "before the figures"
busy0=$(busy_ticks); ours0=$(our_ticks); start=$(date +%s); load0=$(cut -d' ' -f1-3 /proc/loadavg)
load=(--workloads "${VOS_WORKLOADS:-rand4k,seq1m,seq1k,randwrite}" --clients "${VOS_CLIENTS:-1,64}")
for r in $(seq 1 "$repeats"); do
    echo "== repeat $r of $repeats: native FileChannel (both CPUs)"
    java "${java_opts[@]}" dev.vos.bench.storage.StorageWorkload --target native "${load[@]}" "${timing[@]}" \
        --out "$base.tsv"
    echo "== repeat $r of $repeats: vos ring (client on CPU 0, the domain's worker on CPU 1)"
    java "${java_opts[@]}" -Djdk.virtualThreadScheduler.parallelism=1 dev.vos.bench.storage.StorageWorkload \
        --target vos --workloads rand4k --clients "${VOS_CLIENTS:-1,64}" "${timing[@]}" --out "$base.tsv"
    echo "== repeat $r of $repeats: vos FileChannel (a vos:// path's FileChannel over the same domain and ring)"
    java "${java_opts[@]}" -Djdk.virtualThreadScheduler.parallelism=1 dev.vos.bench.storage.StorageWorkload \
        --target vosfs "${load[@]}" "${timing[@]}" --out "$base.tsv"
    echo "== repeat $r of $repeats: Lucene, default file system, then vos://"
    steady=(--steady-runs "${VOS_LUCENE_STEADY_RUNS:-20}")
    java "${java_opts[@]}" dev.vos.bench.storage.LuceneWorkload --target native "${steady[@]}" --out "$base-lucene.tsv"
    java "${java_opts[@]}" dev.vos.bench.storage.LuceneWorkload --target vos "${steady[@]}" --out "$base-lucene.tsv"
    java "${java_opts[@]}" dev.vos.bench.storage.LuceneWorkload --target vos "${steady[@]}" \
        --domain-idle-spin-us "${VOS_LUCENE_IDLE_US:-200}" --out "$base-lucene.tsv"
    taskset -c 0 java "${java_opts[@]}" dev.vos.bench.storage.LuceneWorkload --target vos --name vos-app-on-cpu0 \
        --out "$base-lucene.tsv"
    taskset -c 0 java "${java_opts[@]}" dev.vos.bench.storage.LuceneWorkload --target native --name native-on-cpu0 \
        --out "$base-lucene.tsv"
    echo "== repeat $r of $repeats: Files.copy of 256 MiB within the default file system, then within a domain"
    for target in native vos; do
        java "${java_opts[@]}" dev.vos.bench.storage.FileCopyWorkload --target "$target" --mib 256 --copies 5 \
            | tee -a "$base-copy.txt"
    done
    echo "== repeat $r of $repeats: AsynchronousFileChannel reads, the JDK's (its pool, then virtual threads), then vos://"
    for target in native native-virtual; do
        java "${java_opts[@]}" dev.vos.bench.storage.AsyncReadWorkload --target "$target" "${timing[@]}" \
            | tee -a "$base-async.txt"
    done
    java "${java_opts[@]}" -Djdk.virtualThreadScheduler.parallelism=1 dev.vos.bench.storage.AsyncReadWorkload \
        --target vosfs "${timing[@]}" | tee -a "$base-async.txt"
done
busy1=$(busy_ticks); ours1=$(our_ticks); wall=$(( $(date +%s) - start )); load1=$(cut -d' ' -f1-3 /proc/loadavg)
run_floors "after the figures"
echo "== the pieces of the domain's pread path"
java "${java_opts[@]}" dev.vos.bench.storage.HotPathCosts | tee "$base-costs.txt"

hz=$(getconf CLK_TCK)
ours=$(( (ours1 - ours0) / hz ))
others=$(( (busy1 - busy0) / hz - ours )); [ "$others" -ge 0 ] || others=0
{
    echo "# vos storage figures, $(date -Is)"
    echo
    echo "4 KiB reads at random page-aligned offsets of the first 16 MiB of a page-cached 256 MiB file (ext4, as the"
    echo "floors' pread), 1 MiB and (seq1k) 1 KiB sequential reads, and (randwrite) 4 KiB writes at random page-aligned offsets of a 16 MiB"
    echo "file with force(false) after every 16th write of a thread (its \"reads\" are writes), from ${VOS_CLIENTS:-1,64}"
    echo "virtual threads in a closed loop, each with its"
    echo "own direct ByteBuffer; ${VOS_WARMUP_S:-2} s warm-up and ${VOS_MEASURE_S:-3} s measured per figure; $repeats"
    echo "repeats, each running native, then vos, in separate JVMs. **native FileChannel**: the JDK's default"
    echo "FileChannel.read(dst, position) in the client's JVM, virtual threads on both CPUs. **vos ring**: the storage"
    echo "domain (DomainAgentMain --kind storage, a child JVM) with one worker busy-polling on CPU 1; the client's"
    echo "threads on CPU 0 (one carrier), waiting as a vos:// client does (spin 20 us, then park); a read is PREAD into the call slot's 64 KiB payload chunk (which"
    echo "the domain copies from its read-only mapping of the file where it can, without a system call: the batches"
    echo "table's reads from mappings and by traps), then a copy into the caller's buffer. **vos FileChannel**: a vos:// path's FileChannel over the same domain; a 1 MiB"
    echo "read or write there is one batch of 16 chunks on 16 slots with one wake-up, which the domain executes in waves"
    echo "of 256 KiB (one preadv or pwritev of 4 chunks each, answered as it completes; a read alone in its batch, with"
    echo "nothing queued behind it, is copied from the domain's mapping chunk by chunk instead, each answered as it is"
    echo "copied); calls that find others queued"
    echo "behind them are batched too, in one io_uring_enter per wave, and forces of one descriptor queued together are"
    echo "answered by one fsync after the batch's writes (the forces-per-fsync table). Latency: each read timed from the"
    echo "end of the thread's previous one. Cores: the"
    echo "process's CPU time over wall time while measuring. Domain service time: sampled by the domain's worker, from"
    echo "taking a call to completing it. Windows: the measured time is also cut into 50 ms windows; where other work"
    echo "shares the CPUs, the best windows show what the two sides do while they have their cores, the whole run what"
    echo "they do on this machine as it is."
    echo
    java -cp "$jar" dev.vos.bench.storage.StorageReport "$base.tsv" \
        "$([ -f "$base-floors.txt" ] && echo "$base-floors.txt" || echo -)" "$base.md.part" "$base.svg" >/dev/null
    cat "$base.md.part"
    echo
    echo "## Lucene: index 20,000 small documents with a commit every 2,000, then 1,000 two-term queries"
    echo
    echo "NIOFSDirectory on the default file system and on a vos:// path (LuceneWorkload); seconds, one row per run."
    echo "vos: the domain's worker busy-polls CPU 1; vos-idle-N: it polls an empty queue N us, then sleeps;"
    echo "vos-app-on-cpu0: it busy-polls CPU 1 and Lucene's JVM runs on CPU 0 alone (taskset); native-on-cpu0: the"
    echo "default file system with Lucene's JVM on CPU 0 alone, the one CPU such a domain leaves the application."
    echo "A plain row is the JVM's first full run, with the JIT still compiling through it (cold); a NAME-steady row is"
    echo "the median of the last 5 of ${VOS_LUCENE_STEADY_RUNS:-20} more runs in the same JVM (steady)."
    echo
    echo '```text'
    column -t "$base-lucene.tsv" 2>/dev/null || cat "$base-lucene.tsv"
    awk -F'\t' 'NR > 1 { t[$1] = t[$1] " " $6 } END { for (k in t) print "total seconds, " k ":" t[k] }' \
        "$base-lucene.tsv"
    # Ratios to native as the storage figures give them (native seconds / vos seconds, medians over the repeats):
    # cold rows against native's cold row, steady rows against native-steady.
    awk -F'\t' 'NR > 1 { n[$1]++; v[$1, n[$1]] = $6 }
        function median(k,   i, j, a, t, c) {
            c = n[k]; for (i = 1; i <= c; i++) a[i] = v[k, i]
            for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
        }
        END {
            for (k in n) {
                if (k ~ /^native/) continue
                ratio(k, k ~ /-steady$/ ? "native-steady" : "native")
                if (k == "vos-app-on-cpu0") ratio(k, "native-on-cpu0")
            }
        }
        function ratio(k, base) {
            if (base in n) printf "ratio to %s, %s: %.2fx (median %.3f s against %.3f s)\n", base, k, \
                median(base) / median(k), median(k), median(base)
        }' "$base-lucene.tsv"
    echo '```'
    echo
    echo "## Files.copy of a page-cached 256 MiB file within one file system (FileCopyWorkload)"
    echo
    echo "native: the JDK's copy (copy_file_range). vos: within one domain, the domain's copyRange calls (1 MiB each)."
    echo
    echo '```text'
    cat "$base-copy.txt" 2>/dev/null
    echo '```'
    echo
    echo "## AsynchronousFileChannel: 4 KiB random reads, 1, 16 and 64 in flight (AsyncReadWorkload)"
    echo
    echo "Each read's completion handler starts the next. native: the JDK's channel with its default pool of platform"
    echo "threads; native-virtual: the JDK's channel given a virtual thread per task, on both CPUs; vosfs: a vos:// path's"
    echo "channel (a virtual thread per read), the client on CPU 0 with one carrier, the domain's worker on CPU 1."
    echo
    echo '```text'
    cat "$base-async.txt" 2>/dev/null
    awk '{ r[$1, $3] = r[$1, $3] " " $5 } END { for (n = 1; n <= 64; n *= 4) if (("vosfs", n) in r)
        printf "in flight %d: vosfs%s | native-virtual%s | native%s\n", n, r["vosfs", n], r["native-virtual", n],
            r["native", n] }' "$base-async.txt" 2>/dev/null
    echo '```'
    echo
    echo "## The pieces of the domain's pread path (in-process, CPU time, ns per call)"
    echo
    echo '```text'
    cat "$base-costs.txt"
    echo '```'
    echo
    echo "## Run conditions"
    echo
    echo "- The figures ran ${wall} s on $(nproc) CPUs (kernel $(uname -r)); load average before ${load0}, after ${load1}."
    echo "- CPU time meanwhile: these benchmarks ${ours} s; all other processes ${others} s. More than a few seconds"
    echo "  of the latter means other work shared the 2 CPUs and disturbed the figures (a busy-polling domain and"
    echo "  client lose their time slices to it)."
    echo "- Code: ${code}."
} > "$base.md"
rm -f "$base.md.part"
echo "== report: $base.md"
cat "$base.md"
