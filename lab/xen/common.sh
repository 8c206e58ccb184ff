# Shared settings of the Xen lab scripts; sourced, not run.
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$LAB_DIR/../.." && pwd)"
CACHE_DIR="${VOS_XEN_LAB_CACHE:-$LAB_DIR/.cache}"   # downloads and staging: outside git, kept between runs
DEBS_DIR="$CACHE_DIR/debs"
STAGE_DIR="$CACHE_DIR/stage"                         # every package dpkg -x'ed here, never installed on the host
BUILD_DIR="$LAB_DIR/target"                          # what one run builds and reports; rebuilt each run
XEN_PACKAGES=(xen-hypervisor-4.17-amd64 xen-utils-4.17 libxenmisc4.17 libxencall1 libxendevicemodel1
  libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1 libxentoollog1
  libxen-dev libyajl2 libyajl-dev xenstore-utils)
JDK_DIR="${VOS_XEN_LAB_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"

say() { printf '[xen-lab %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { say "FAILED: $*" >&2; exit 1; }
