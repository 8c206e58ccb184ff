package dev.vos.cli;

import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.metrics.MetricsServer;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * User {@code nobody} floods the metrics port with 400 silent connections, as the review did (8 restarts then
 * failed with "Too many open files"): the control plane holds a bounded number of them, and a restart works.
 */
@Timeout(180)
class MetricsFloodTest {

    @Test
    void fourHundredSilentConnectionsFromNobody_costABoundedNumberOfDescriptors_andARestartWorks() throws Exception {
        assumeTrue(AsNobody.available(), AsNobody.SKIP_REASON);
        Path base = AsNobody.openDirectory();
        try {
            Files.createDirectories(base.resolve("export"));
            Files.writeString(base.resolve("host.yaml"), """
                    version: 1
                    controlPlane: {stateDir: ./state, metricsPort: 0}
                    domains:
                      - {name: storage0, kind: storage, resources: {memoryMb: 48}, storage: {exportRoot: ./export}}
                    """);
            try (ControlPlane plane = ControlPlane.start(SpecParser.parse(base.resolve("host.yaml")),
                    new PrintStream(OutputStream.nullOutputStream()))) {
                int port = plane.metricsPort();
                Thread flood = Thread.ofVirtual().start(() -> {
                    try {
                        AsNobody.java(base, SlowClients.class.getName(), Integer.toString(port), "400", "20");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (acceptedConnections(port) < MetricsServer.Limits.DEFAULTS.maxConnections()) {
                    assertTrue(System.nanoTime() < deadline, "the flood never filled the endpoint's slots");
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                int accepted = acceptedConnections(port);
                assertTrue(accepted <= MetricsServer.Limits.DEFAULTS.maxConnections(), accepted + " accepted");

                plane.handle(new Command.Restart("storage0"));
                assertEquals(DomainState.RUNNING, plane.ps().getFirst().state(), plane.ps().toString());
                assertEquals(2, plane.ps().getFirst().generation());
                flood.join();
            }
        } finally {
            AsNobody.deleteDirectory(base);
        }
    }

    /** Established sockets of this JVM whose local port is {@code port} and that have a descriptor. */
    private static int acceptedConnections(int port) throws IOException {
        String localPort = String.format(Locale.ROOT, ":%04X", port);
        int count = 0;
        for (String table : List.of("tcp", "tcp6")) {
            for (String line : Files.readAllLines(Path.of("/proc/self/net", table))) {
                String[] f = line.strip().split("\\s+");
                if (f.length > 9 && f[1].endsWith(localPort) && f[3].equals("01") && !f[9].equals("0")) {
                    count++;
                }
            }
        }
        return count;
    }
}
