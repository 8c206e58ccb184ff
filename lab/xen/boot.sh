#!/usr/bin/env bash
# Boots Xen with the lab's dom0 in QEMU (software emulation) and waits for dom0's result line on the serial
# console. Usage: boot.sh LOGFILE TIMEOUT_SECONDS. Exits 0 when dom0 reports "VOS-LAB-RESULT: exit 0".
set -euo pipefail
. "$(dirname "$0")/common.sh"
log="$1"; timeout_s="$2"
mkdir -p "$BUILD_DIR/out"
xen_args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=2 bootscrub=false loglvl=warning guest_loglvl=warning"
dom0_args="console=hvc0 earlyprintk=xen quiet loglevel=4 rdinit=/init"
say "booting Xen in QEMU (TCG; log: $log; limit ${timeout_s}s)"
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp 2 -m 1536 \
  -nographic -no-reboot -serial mon:stdio -monitor none \
  -kernel "$BUILD_DIR/xen.elf" -append "$xen_args" \
  -initrd "$BUILD_DIR/vmlinuz $dom0_args,$BUILD_DIR/dom0.cpio.gz" \
  -virtfs "local,path=$JDK_DIR,mount_tag=jdk,security_model=none,readonly=on" \
  -virtfs "local,path=$REPO_DIR,mount_tag=vos,security_model=none,readonly=on" \
  -virtfs "local,path=$BUILD_DIR/out,mount_tag=out,security_model=none" \
  < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$log" | grep --line-buffered -E 'vos-lab|VOS-LAB|Panic|panic|BUG|FATAL|Xen version' 
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 124 ] && die "QEMU did not finish within ${timeout_s}s (see $log)"
grep -q 'VOS-LAB-RESULT: exit 0' "$log"
