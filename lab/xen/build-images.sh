#!/usr/bin/env bash
# Builds the lab's boot images from the staged packages (fetch.sh):
#   target/xen.elf              the hypervisor, unzipped (QEMU's -kernel takes it: it has a multiboot header)
#   target/vmlinuz              the Debian 6.1 kernel, for dom0 and the guests
#   target/dom0.cpio.gz         busybox, the Xen tool stack with its libraries, the modules dom0 needs
#   target/guest/guest.cpio.gz  busybox and an init whose fate the kernel command line picks
#   target/guest/agent.cpio.gz  the same, plus a jlinked runtime, the agent's jars (target/guest-jars, which run.sh
#                               fills) and the Xen device modules: the guest that runs the vos agent
#   target/guest/vmlinux        the same kernel, uncompressed, for the guests
#   target/guest/export.img     an empty ext4 file system: the disk a guest exports with vos.export-disk=
set -euo pipefail
. "$(dirname "$0")/common.sh"

command -v busybox >/dev/null && busybox --list >/dev/null 2>&1 || die "busybox-static is not installed (apt-get install busybox-static)"
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }
file_is_static "$(command -v busybox)" || die "$(command -v busybox) is dynamically linked; install busybox-static"
kernel_pkg="$(cat "$CACHE_DIR/kernel-package")"
kver="${kernel_pkg#linux-image-}"
EXPORT_DISK_MB=32
mkdir -p "$BUILD_DIR/guest"

say "hypervisor and kernel"
zcat "$STAGE_DIR/boot/xen-4.17-amd64.gz" > "$BUILD_DIR/xen.elf"
cp "$STAGE_DIR/boot/vmlinuz-$kver" "$BUILD_DIR/vmlinuz"

# Copies a binary or library and, through ldd with the staged libraries first, every library it needs.
copy_with_libs() {
  local root="$1"; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$STAGE_DIR$f" "$root$f" 2>/dev/null || cp -L "$f" "$root$f"
    LD_LIBRARY_PATH="$STAGE_DIR/usr/lib/x86_64-linux-gnu" ldd "$root$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' |
      while read -r lib; do
        local dest="${lib#"$STAGE_DIR"}"
        [ -e "$root$dest" ] && continue
        mkdir -p "$root$(dirname "$dest")"
        cp -L "$lib" "$root$dest"
      done
  done
}

base_rootfs() {
  local root="$1"
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,var,usr/bin,usr/sbin}
  cp "$(command -v busybox)" "$root/bin/busybox"
}

say "dom0 initramfs"
root="$BUILD_DIR/dom0-root"
base_rootfs "$root"
xenbin=/usr/lib/xen-4.17/bin
copy_with_libs "$root" $xenbin/xl $xenbin/xenstored $xenbin/xen-init-dom0 $xenbin/xenconsoled \
  /usr/lib/x86_64-linux-gnu/libxenlight.so.4.17 /usr/lib/x86_64-linux-gnu/libxlutil.so.4.17 /usr/bin/xenstore
for tool in read write ls; do ln -sf xenstore "$root/usr/bin/xenstore-$tool"; done
# The JVM and JNA come over 9p; their libraries (libc, libm, libdl, ...) are the host's, Debian 12 like the lab.
copy_with_libs "$root" "$JDK_DIR/bin/java" "$JDK_DIR/lib/server/libjvm.so" "$JDK_DIR/lib/libjava.so" \
  "$JDK_DIR/lib/libnio.so" "$JDK_DIR/lib/libnet.so" "$JDK_DIR/lib/libzip.so"
rm -rf "$root$JDK_DIR"     # mounted over 9p at run time; only its libraries' dependencies stay
# xl loads libgcc_s at run time (pthread_cancel), which ldd does not show.
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
ln -sf libxenlight.so.4.17 "$root/usr/lib/x86_64-linux-gnu/libxenlight.so"
ln -sf libxlutil.so.4.17 "$root/usr/lib/x86_64-linux-gnu/libxlutil.so"
mkdir -p "$root/modules" "$root/etc/xen"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p \
         xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xenfs loop xen-blkback; do
  f="$(find "$STAGE_DIR/lib/modules/$kver" -name "$m.ko" | head -1)"
  [ -n "$f" ] || die "module $m not found in $kernel_pkg"
  cp "$f" "$root/modules/"
done
cp "$LAB_DIR/dom0/init" "$root/init"
chmod +x "$root/init"
# The agent guest's disk: a loop device on a file, which libxl's hotplug script hands blkback.
mkdir -p "$root/etc/xen/scripts"
cp "$LAB_DIR/dom0/vos-block" "$root/etc/xen/scripts/vos-block"
chmod +x "$root/etc/xen/scripts/vos-block"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$BUILD_DIR/dom0.cpio.gz"

say "guest initramfs"
root="$BUILD_DIR/guest-root"
base_rootfs "$root"
cp "$LAB_DIR/guest/init" "$root/init"
cp "$LAB_DIR/guest/poweroff" "$root/sbin/poweroff"
chmod +x "$root/init" "$root/sbin/poweroff"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$BUILD_DIR/guest/guest.cpio.gz"

say "agent guest initramfs (jlinked runtime)"
# The runtime holds only the modules the agent's jars need (jdeps), a CDS archive of the JDK's default classes
# (so that a JVM under emulation starts from mapped classes, not parsed ones), no debug symbols, and only the
# archive for compressed oops (the agent's heap is small).
[ -n "$(ls "$BUILD_DIR/guest-jars"/*.jar 2>/dev/null)" ] || die "no agent jars in $BUILD_DIR/guest-jars (run.sh copies them)"
modules="$("$JDK_DIR/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$BUILD_DIR/guest-jars"/*.jar)"
[ -n "$modules" ] || die "jdeps found no modules for the agent's jars"
rm -rf "$BUILD_DIR/agent-root"
cp -a "$root" "$BUILD_DIR/agent-root"
root="$BUILD_DIR/agent-root"
mkdir -p "$root/opt/vos"
"$JDK_DIR/bin/jlink" --add-modules "$modules" --output "$root/opt/vos/jre" --strip-debug --no-header-files \
  --no-man-pages --compress zip-6 --generate-cds-archive 2>&1 | grep -v '\[cds\]' || true
[ -x "$root/opt/vos/jre/bin/java" ] || die "jlink made no runtime"
rm -f "$root/opt/vos/jre/lib/server/classes_nocoops.jsa"
find "$root/opt/vos/jre" -name '*.so' -exec strip --strip-unneeded {} + 2>/dev/null || true
cp -r "$BUILD_DIR/guest-jars" "$root/opt/vos/jars"
for f in "$root/opt/vos/jre/bin/java" "$root"/opt/vos/jre/lib/*.so "$root/opt/vos/jre/lib/server/libjvm.so"; do
  ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib64/{print $1}'
done | sort -u | grep -v "^$root" | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
mkdir -p "$root/modules"
# The Xen device modules, and the export disk's: blkfront, then ext4 with what it needs (crc32c for its checksums,
# loaded by name through the crypto API, which no modprobe in the guest would load).
for m in xen-privcmd xen-evtchn xen-gntdev xen-gntalloc xenfs xen-blkfront crc32c_generic crc16 mbcache jbd2 ext4; do
  f="$(find "$STAGE_DIR/lib/modules/$kver" -name "$m.ko" | head -1)"
  [ -n "$f" ] || die "module $m not found in $kernel_pkg"
  cp "$f" "$root/modules/"
done
echo "$modules" > "$root/opt/vos/modules"
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$BUILD_DIR/guest/agent.cpio.gz"
say "agent guest: runtime modules $modules; runtime $(du -sh "$root/opt/vos/jre" | cut -f1), jars $(du -sh "$root/opt/vos/jars" | cut -f1), whole root $(du -sh "$root" | cut -f1), initramfs $(du -h "$BUILD_DIR/guest/agent.cpio.gz" | cut -f1)"
# The agent guest's export disk (vos.export-disk=): an empty ext4 file system with a journal, which dom0 attaches
# to a loop device for blkback (dom0/vos-block). Sparse on the host; dom0 copies it into its memory at boot.
rm -f "$BUILD_DIR/guest/export.img"
mke2fs -q -F -t ext4 -L vos-export -E root_owner=0:0 "$BUILD_DIR/guest/export.img" "${EXPORT_DISK_MB}M" >/dev/null \
  || die "mke2fs could not make the export disk"
say "export disk: ext4, ${EXPORT_DISK_MB} MiB, $(du -h "$BUILD_DIR/guest/export.img" | cut -f1) on disk"
# The guests boot the same kernel, uncompressed: libxl would otherwise xz-decompress 66 MB for every guest it
# creates, in an emulated dom0 (15 to 50 s each here). The ELF inside the bzImage starts at the xz stream.
python3 - "$BUILD_DIR/vmlinuz" "$BUILD_DIR/guest/vmlinux.xz" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\xfd7zXZ\x00')
if start < 0:
    sys.exit("no xz stream in " + sys.argv[1] + " (CONFIG_KERNEL_XZ expected)")
open(sys.argv[2], 'wb').write(data[start:])
PY
xz -dc "$BUILD_DIR/guest/vmlinux.xz" > "$BUILD_DIR/guest/vmlinux" 2>/dev/null || [ -s "$BUILD_DIR/guest/vmlinux" ] \
  || die "could not unpack the kernel for the guests"
rm -f "$BUILD_DIR/guest/vmlinux.xz"
head -c 4 "$BUILD_DIR/guest/vmlinux" | grep -q ELF || die "the guests' kernel is not an ELF file"
say "images: $(du -h "$BUILD_DIR/xen.elf" "$BUILD_DIR/vmlinuz" "$BUILD_DIR/dom0.cpio.gz" "$BUILD_DIR/guest/vmlinux" "$BUILD_DIR/guest/guest.cpio.gz" "$BUILD_DIR/guest/agent.cpio.gz" "$BUILD_DIR/guest/export.img" | awk '{printf "%s %s  ", $2, $1}' | sed "s#$BUILD_DIR/##g")"
