#!/bin/sh
# Runs in the lab's dom0 (from dom0/init): the xen backend's integration suite and the ring's Xen transport suites,
# with JUnit's console launcher, writing one XML report to /out/reports (the host's lab/xen/target/out). Exit
# status: the launcher's. The launcher runs from the class path (not -jar), so that java.class.path names the test
# classes: the ring tests start servers in child JVMs with it.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export VOS_XEN_LAB_GUEST=/run/vos-guest VOS_XEN_LAB_OUT=/out
export PATH="$JAVA_HOME/bin:$PATH"
jars=/vos/lab/xen/target/jars
cp="$jars/classes:$jars/test-classes:$jars/ring-test-classes:$jars/storage-classes:$jars/storage-test-classes"
cp="$cp:$jars/client-classes:$jars/client-test-classes"
for j in "$jars"/*.jar; do cp="$cp:$j"; done
# Every suite, or the selection run.sh was given (VOS_XEN_LAB_TESTS).
suites="$(cat "$jars/selection" 2>/dev/null)"
[ -n "$suites" ] || suites="dev.vos.ring.transport.xen.XenPiecesIT dev.vos.ring.transport.xen.XenTransportConformanceIT
  dev.vos.ring.transport.xen.XenRingFigureIT dev.vos.storage.domain.XenGuestAgentIT
  dev.vos.client.fs.XenGuestFileSystemIT dev.vos.client.fs.XenGuestDurabilityIT dev.vos.client.fs.XenSupervisedGuestIT
  dev.vos.client.net.XenGuestNetIT dev.vos.backend.xen.XenLabIT"
selection=""
for s in $suites; do selection="$selection --select-class $s"; done
mkdir -p /out/reports
cd /tmp
java -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
  -Djna.tmpdir=/tmp -Djava.util.logging.config.file=/vos/lab/xen/dom0/logging.properties \
  -cp "$cp:/vos/lab/xen/target/tools/junit-platform-console-standalone.jar" \
  org.junit.platform.console.ConsoleLauncher execute \
  $selection \
  --reports-dir /out/reports --details=tree --disable-banner --disable-ansi-colors 2>&1
