#!/usr/bin/env bash
# The Xen lab, end to end: fetch Xen 4.17 and a kernel (cached), build vos and its test jars, check the libxl
# bindings' layout against the staged headers, build the boot images, boot Xen in QEMU (software emulation), run
# the xen backend's integration suite in dom0, and report it as JUnit XML in lab/xen/target/surefire-reports.
# Exit status: 0 when every test passed; non-zero on a failure, a missing report, or the time limit.
#
# Host needs: Debian 12 (apt sources), qemu-system-x86, busybox-static, cpio, gcc, JDK 25. Nothing Xen is
# installed on the host. Settings: VOS_XEN_LAB_TIMEOUT (seconds QEMU may run, default 840: within the lab's 15 minutes), VOS_XEN_LAB_CACHE,
# VOS_XEN_LAB_TESTS (the suites to run, fully qualified class names separated by spaces; default all; the summary
# line then says it was a selection).
set -euo pipefail
. "$(dirname "$0")/common.sh"
t_start=$(date +%s)
timeout_s="${VOS_XEN_LAB_TIMEOUT:-840}"
for tool in qemu-system-x86_64 busybox cpio gcc zcat xz python3 mke2fs; do
  command -v "$tool" >/dev/null \
    || die "$tool is missing: apt-get install qemu-system-x86 busybox-static cpio gcc xz-utils python3 e2fsprogs"
done
[ -x "$JDK_DIR/bin/java" ] || die "no JDK 25 at $JDK_DIR (set VOS_XEN_LAB_JDK)"

"$LAB_DIR/fetch.sh"

say "building vos and its test classes"
rm -rf "$BUILD_DIR/jars" "$BUILD_DIR/tools" "$BUILD_DIR/out" "$BUILD_DIR/surefire-reports"
mkdir -p "$BUILD_DIR/surefire-reports" "$BUILD_DIR/out"
cd "$REPO_DIR"
mvn=(./mvnw -q -B -ntp)
"${mvn[@]}" -pl primary-domain/backend-xen,service-domains/storage/domain,service-domains/net/domain,primary-domain/client -am \
  install -DskipTests
"${mvn[@]}" -pl primary-domain/backend-xen dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$BUILD_DIR/jars"
"${mvn[@]}" -pl service-domains/storage/domain dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$BUILD_DIR/jars"
"${mvn[@]}" -pl primary-domain/client dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$BUILD_DIR/jars"
# The guest agent's jars (the ring, its system calls, the storage and net kinds' protocols and calls), for the agent
# image.
rm -rf "$BUILD_DIR/guest-jars" && mkdir -p "$BUILD_DIR/guest-jars"
for m in exceptionless-syscalls/sys exceptionless-syscalls/ring service-domains/storage/protocol service-domains/storage/domain \
    service-domains/net/protocol service-domains/net/domain; do
  cp "$m"/target/vos-*-SNAPSHOT.jar "$BUILD_DIR/guest-jars/"
done
# A snapshot of the classes: dom0 reads them over 9p while the run lasts, and a build in the meantime must not
# change them under it.
cp -r primary-domain/backend-xen/target/classes "$BUILD_DIR/jars/classes"
cp -r primary-domain/backend-xen/target/test-classes "$BUILD_DIR/jars/test-classes"
# The ring's Xen transport suites (XenPiecesIT, XenTransportConformanceIT, XenRingFigureIT) and their helpers.
cp -r exceptionless-syscalls/ring/target/test-classes "$BUILD_DIR/jars/ring-test-classes"
# The guest agent's suite (XenGuestAgentIT): dom0 offers a guest that runs the storage agent a ring.
cp -r service-domains/storage/domain/target/classes "$BUILD_DIR/jars/storage-classes"
cp -r service-domains/storage/domain/target/test-classes "$BUILD_DIR/jars/storage-test-classes"
# The vos:// suite (XenGuestFileSystemIT): the client's provider, unchanged, against a storage domain in a guest.
cp -r primary-domain/client/target/classes "$BUILD_DIR/jars/client-classes"
cp -r primary-domain/client/target/test-classes "$BUILD_DIR/jars/client-test-classes"
# A selection of the lab's suites (VOS_XEN_LAB_TESTS: class names, space-separated), for iterating on one.
printf '%s\n' "${VOS_XEN_LAB_TESTS:-}" > "$BUILD_DIR/jars/selection"
"${mvn[@]}" dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
  -DoutputDirectory="$BUILD_DIR/tools" -Dmdep.stripVersion=true

say "checking the libxl bindings' layout against the staged Xen headers"
"${mvn[@]}" -pl primary-domain/backend-xen surefire:test -Dtest=LibxlLayoutTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dvos.xen.include="$STAGE_DIR/usr/include" -Dvos.xen.requireHeaders=true
cp primary-domain/backend-xen/target/surefire-reports/TEST-*LibxlLayoutTest.xml "$BUILD_DIR/surefire-reports/"

"$LAB_DIR/build-images.sh"

t_boot=$(date +%s)
set +e
"$LAB_DIR/boot.sh" "$BUILD_DIR/boot.log" "$timeout_s"
boot_rc=$?
set -e
t_end=$(date +%s)

report="$BUILD_DIR/out/reports/TEST-junit-jupiter.xml"
[ -s "$report" ] || report=""
if [ -z "$report" ]; then
  say "xen-lab: FAILED: no test report from dom0 (QEMU exit $boot_rc after $((t_end - t_boot)) s); see $BUILD_DIR/boot.log"
  exit 1
fi
cp "$report" "$BUILD_DIR/surefire-reports/TEST-dev.vos.backend.xen.XenLabIT.xml"
counts() { # tests failures errors skipped, summed over the report's testsuite elements
  python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    for suite in ([root] if root.tag == 'testsuite' else root.iter('testsuite')):
        t += int(suite.get('tests', 0)); f += int(suite.get('failures', 0))
        e += int(suite.get('errors', 0)); s += int(suite.get('skipped', 0))
print(t, f, e, s)
PY
}
read -r tests failures errors skipped < <(counts "$BUILD_DIR"/surefire-reports/TEST-*.xml)

figures="$BUILD_DIR/out/figures.txt"
ring_figures="$BUILD_DIR/out/ring-figures.txt"
stamp="$(date -u +%Y%m%d-%H%M%S)"
out="$REPO_DIR/benchmarks/results/xen-lab-$stamp.md"
guest_figures="$BUILD_DIR/out/guest-figures.txt"
vosfs_figures="$BUILD_DIR/out/vosfs-figures.txt"
supervised_figures="$BUILD_DIR/out/supervised-figures.txt"
durability_figures="$BUILD_DIR/out/durability-figures.txt"
net_figures="$BUILD_DIR/out/net-figures.txt"
if [ -s "$figures" ] || [ -s "$ring_figures" ] || [ -s "$guest_figures" ] || [ -s "$vosfs_figures" ] \
    || [ -s "$supervised_figures" ] || [ -s "$durability_figures" ] || [ -s "$net_figures" ]; then
  {
    echo "# Xen lab figures, $stamp UTC"
    echo
    echo "Xen $(ls "$DEBS_DIR"/xen-hypervisor-4.17-amd64_*.deb | sed 's/.*_\(4[^_]*\)_.*/\1/') in QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}') (TCG, -smp 2, qemu64), dom0 512 MiB, PV guests of 96 MiB; host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)."
  } > "$out"
fi
if [ -s "$figures" ]; then
  {
    echo "t0 is when the test injected the fault from dom0 (\`xl destroy\`, or \`libxl_send_sysrq(domid, 'c')\` once the guest's"
    echo "kernel was up); the other times are the supervisor's journal entries (DOMAIN_EXITED, then DOMAIN_RUNNING of the next generation)."
    echo
    echo "| fault | exit seen by the supervisor (ms after t0) | next generation running (ms after t0) |"
    echo "|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$figures"
  } >> "$out"
  awk -F'\t' '{printf "  %-16s exit seen after %6s ms, next generation running after %6s ms\n", $1, $2, $3}' "$figures"
fi
if [ -s "$ring_figures" ]; then
  {
    echo
    echo "## The ring's null call in dom0: Xen transport against process transport"
    echo
    echo "GETPID round trip, client in the test JVM, server in a child JVM, one worker, both in dom0 (2 vCPUs, under QEMU TCG"
    echo "emulation: absolute times are the emulator's, only the ratio of the same run means anything). Xen transport: dom0"
    echo "grants the pages to itself (gntalloc, mapped by the child on gntdev) and the doorbell is an interdomain event channel"
    echo "of dom0 with itself. Hot: median of 5 batch means of 2,000 back-to-back calls (busy-polling client; the worker"
    echo "never sleeps). Woken: median of 200 calls 2 ms apart (the worker sleeps, each call rings it)."
    echo
    echo "| mode | process transport (us) | Xen transport (us) | Xen / process |"
    echo "|---|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$ring_figures"
  } >> "$out"
  awk -F'\t' '{printf "  ring null call, %-40s process %8s us, xen %8s us, ratio %s\n", $1, $2, $3, $4}' "$ring_figures"
fi
if [ -s "$guest_figures" ]; then
  {
    echo
    echo "## The vos agent in a guest: dom0 to a PV guest over the Xen transport"
    echo
    echo "XenGuestAgentIT: one PV guest of 384 MiB and 1 vCPU (jlinked runtime, the storage agent), one worker per ring,"
    echo "under QEMU TCG emulation (absolute times are the emulator's; only the ratio of the same run means anything). The"
    echo "process transport's figure is a client and a server in dom0's test JVM, measured in the same test just before."
    echo "Hot: median of 5 batch means of 1,000 back-to-back GETPIDs (busy-polling client); woken: median of 200 calls 2 ms"
    echo "apart. The fault times include the peer watch's \`xl list\` of the guest (how the ring learns it is paused or gone)."
    echo
    echo "| figure | value | note |"
    echo "|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$guest_figures"
  } >> "$out"
  awk -F'\t' '{printf "  guest: %s: %s %s\n", $1, $2, $3}' "$guest_figures"
fi
# The vos:// suites' figure lines, of whichever ran (a selection may run one).
vos_fs_figures() {
  local f
  for f in "$vosfs_figures" "$supervised_figures" "$durability_figures"; do
    if [ -s "$f" ]; then cat "$f"; fi
  done
}
if [ -s "$vosfs_figures" ] || [ -s "$supervised_figures" ] || [ -s "$durability_figures" ]; then
  {
    echo
    echo "## vos:// against a storage domain in a guest"
    echo
    echo "XenGuestFileSystemIT (a guest the test creates with xl, named in the state directory), XenSupervisedGuestIT"
    echo "(a backend: xen domain under the control plane) and XenGuestDurabilityIT (a guest exporting an ext4 disk, its"
    echo "kernel crashed with sysrq c and the guest re-created on the same disk): dom0's vos:// file system, unchanged, on"
    echo "the guest's agent; under QEMU TCG emulation (absolute times are the emulator's)."
    echo
    echo "| figure | value | note |"
    echo "|---|---|---|"
    vos_fs_figures | awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}'
  } >> "$out"
  vos_fs_figures | awk -F'\t' '{printf "  vos://: %s: %s %s\n", $1, $2, $3}'
fi
if [ -s "$net_figures" ]; then
  {
    echo
    echo "## The net domain in a guest"
    echo
    echo "XenGuestNetIT: a PV guest of 384 MiB and 1 vCPU running the net agent (vos.agent=net, its loopback only), named in"
    echo "the state directory; dom0's JDK channels through VosSelectorProvider, the socket calls executed in the guest;"
    echo "under QEMU TCG emulation (absolute times are the emulator's; the ratio to dom0's own loopback is of the same run)."
    echo
    echo "| figure | value | note |"
    echo "|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$net_figures"
  } >> "$out"
  awk -F'\t' '{printf "  net: %s: %s %s\n", $1, $2, $3}' "$net_figures"
fi
[ -s "$out" ] && say "figures: $out"

verdict=PASS
if [ "$boot_rc" != 0 ] || [ "$failures" != 0 ] || [ "$errors" != 0 ] || [ "$tests" = 0 ]; then
  verdict=FAILED
fi
# CI keeps the log of a failed run, not the lab's reports: say here what failed and where it was thrown.
if [ "$failures" != 0 ] || [ "$errors" != 0 ]; then
  python3 - "$BUILD_DIR"/surefire-reports/TEST-*.xml <<'PY'
import sys, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    for case in ET.parse(path).getroot().iter('testcase'):
        for bad in list(case.findall('failure')) + list(case.findall('error')):
            print(f"  {bad.tag}: {case.get('classname')}.{case.get('name')}: {bad.get('type')}: {bad.get('message')}")
            for line in (bad.text or '').strip().splitlines()[:25]:
                print('    ' + line)
            for stream in ('system-out', 'system-err'):
                text = (case.findtext(stream) or '').strip().splitlines()
                if text:
                    print(f'    {stream}, last lines:')
                    for line in text[-15:]:
                        print('      ' + line)
PY
fi
say "xen-lab: $verdict: $tests tests, $failures failures, $errors errors, $skipped skipped; boot-and-test $((t_end - t_boot)) s, whole lab $((t_end - t_start)) s${VOS_XEN_LAB_TESTS:+ (a selection: $VOS_XEN_LAB_TESTS)} (reports: lab/xen/target/surefire-reports)"
[ "$verdict" = PASS ]
