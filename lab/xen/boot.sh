#!/usr/bin/env bash
# Boots Xen with the lab's dom0 in QEMU (software emulation) and waits for dom0's result line on the serial
# console. Usage: boot.sh LOGFILE TIMEOUT_SECONDS. Exits 0 when dom0 reports "VOS-LAB-RESULT: exit 0".
#
# A boot that stalls before dom0's init speaks is tried once more. Seen once in CI (2026-12-05): the dom0 kernel
# printed "Poking KASLR using RDTSC..." and nothing else for the lab's whole 840 s, where dom0's init prints its
# first "vos-lab-dom0:" line about 30 s after QEMU starts. VOS_XEN_LAB_BOOT_STALL (default 180 s) is how long a
# boot may go without that line; the second boot gets what is left of TIMEOUT_SECONDS.
set -euo pipefail
. "$(dirname "$0")/common.sh"
log="$1"; timeout_s="$2"
stall_s="${VOS_XEN_LAB_BOOT_STALL:-180}"
mkdir -p "$BUILD_DIR/out"
xen_args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=2 bootscrub=false loglvl=warning guest_loglvl=warning"
dom0_args="console=hvc0 earlyprintk=xen quiet loglevel=4 rdinit=/init"
pidfile="$BUILD_DIR/qemu.pid"
stalled="$BUILD_DIR/boot-stalled"
start=$(date +%s)

# One boot with at most $1 seconds; a watchdog kills QEMU (and leaves $stalled) if dom0's init is silent for
# $stall_s. Returns QEMU's status (124: out of time).
boot_once() {
  local limit="$1" rc watchdog
  rm -f "$pidfile" "$stalled"
  say "booting Xen in QEMU (TCG; log: $log; limit ${limit}s)"
  ( sleep "$stall_s"
    if ! grep -q 'vos-lab-dom0' "$log" 2>/dev/null && [ -s "$pidfile" ]; then
      touch "$stalled"
      kill "$(cat "$pidfile")" 2>/dev/null
    fi ) >/dev/null 2>&1 &
  watchdog=$!
  set +e
  timeout --foreground -k 10 "$limit" qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp 2 -m 1536 \
    -nographic -no-reboot -serial mon:stdio -monitor none -pidfile "$pidfile" \
    -kernel "$BUILD_DIR/xen.elf" -append "$xen_args" \
    -initrd "$BUILD_DIR/vmlinuz $dom0_args,$BUILD_DIR/dom0.cpio.gz" \
    -virtfs "local,path=$JDK_DIR,mount_tag=jdk,security_model=none,readonly=on" \
    -virtfs "local,path=$REPO_DIR,mount_tag=vos,security_model=none,readonly=on" \
    -virtfs "local,path=$BUILD_DIR/out,mount_tag=out,security_model=none" \
    < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$log" | grep --line-buffered -E 'vos-lab|VOS-LAB|Panic|panic|BUG|FATAL|Xen version'
  rc=${PIPESTATUS[0]}
  set -e
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  return "$rc"
}

rc=0
boot_once "$timeout_s" || rc=$?
if [ -e "$stalled" ]; then
  left=$(( timeout_s - ($(date +%s) - start) ))
  say "dom0 said nothing for ${stall_s}s (the log's last lines: $(tail -n 2 "$log" | tr '\n' ' ')); booting again"
  mv "$log" "$log.stalled"
  rc=0
  boot_once "$left" || rc=$?
  [ -e "$stalled" ] && die "dom0 stalled in two boots (see $log.stalled and $log)"
fi
[ "$rc" = 124 ] && die "QEMU did not finish within ${timeout_s}s (see $log)"
grep -q 'VOS-LAB-RESULT: exit 0' "$log"
