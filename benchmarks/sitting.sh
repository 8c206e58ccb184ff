# Sourced by the run-*-benchmarks.sh scripts: what they need to know about the machine they share.
# The sourcing script sets `sitting_name` (for its messages) and `sitting_wait_default` (seconds) first.

# CPU ticks (USER_HZ): the whole machine busy, the whole machine in all, this script's finished children.
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8; exit}' /proc/stat; }
all_ticks() { awk '/^cpu /{s=0; for (i=2;i<=9;i++) s+=$i; print s; exit}' /proc/stat; }
our_ticks() { awk '{print $16+$17}' "/proc/$$/stat"; }

# Other work on the machine (a build, tests) disturbs every figure on 2 cores: wait up to VOS_WAIT_QUIET seconds
# (default: sitting_wait_default) for VOS_QUIET_SECONDS (default 5) in a row with less than 5% of the machine
# busy, then go on regardless, with a warning.
wait_quiet() {
    local deadline=$(( $(date +%s) + ${VOS_WAIT_QUIET:-$sitting_wait_default} )) window=${VOS_QUIET_SECONDS:-5} b0 t0 pct
    while :; do
        b0=$(busy_ticks); t0=$(all_ticks)
        sleep "$window"
        pct=$(( 100 * ($(busy_ticks) - b0) / ($(all_ticks) - t0 + 1) ))
        if [ "$pct" -lt 5 ]; then
            echo "== machine quiet ($pct% busy over $window s)"
            return
        elif [ "$(date +%s)" -ge "$deadline" ]; then
            echo "$sitting_name: WARNING: machine still $pct% busy; running anyway, figures will be disturbed" >&2
            return
        fi
        echo "== machine $pct% busy; waiting for it to quiet down (VOS_WAIT_QUIET=0 to skip)"
    done
}

# Whether benchmarks.jar ($1) is missing or older than anything it is built from: any module's main sources or pom.
jar_stale() {
    [ ! -f "$1" ] || [ -n "$(find "$repo" -name target -prune -o \( -path '*/src/main/*' -o -name pom.xml \) \
        -type f -newer "$1" -print 2>/dev/null | head -n 1)" ]
}

# Uncommitted changes to what the jar is built from, for the report ("none" when the tree is clean).
dirty_sources() {
    local d
    d=$(git status --porcelain -- ':(glob)**/src/main/**' ':(glob)**/pom.xml' 2>/dev/null | awk '{print $2}' | xargs)
    echo "${d:-none}"
}
