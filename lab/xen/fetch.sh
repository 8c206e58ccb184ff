#!/usr/bin/env bash
# Downloads Xen 4.17, its libraries and headers, and a Debian 6.1 kernel with apt-get download (no install), and
# unpacks them with dpkg -x into the staging folder. Idempotent: a package already downloaded is not fetched again.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$DEBS_DIR" "$STAGE_DIR"
kernel_pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)"
[ -n "$kernel_pkg" ] || die "apt-cache knows no linux-image-6.1 kernel: run 'apt-get update' (Debian 12 sources needed)"
echo "$kernel_pkg" > "$CACHE_DIR/kernel-package"
for pkg in "${XEN_PACKAGES[@]}" "$kernel_pkg"; do
  if ls "$DEBS_DIR/${pkg}_"*.deb >/dev/null 2>&1; then
    continue
  fi
  say "downloading $pkg"
  (cd "$DEBS_DIR" && apt-get download -q "$pkg" 2>&1 >/dev/null | grep -v 'unsandboxed as root' >&2 || true; ls "${pkg}_"*.deb >/dev/null 2>&1) || die "apt-get download $pkg (run 'apt-get update'?)"
done
for deb in "$DEBS_DIR"/*.deb; do
  mark="$STAGE_DIR/.unpacked-$(basename "$deb")"
  [ -e "$mark" ] && continue
  say "unpacking $(basename "$deb")"
  dpkg -x "$deb" "$STAGE_DIR"
  touch "$mark"
done
say "staged Xen $(ls "$DEBS_DIR"/xen-hypervisor-4.17-amd64_*.deb | sed 's/.*_\(4[^_]*\)_.*/\1/') and $kernel_pkg in $STAGE_DIR"
