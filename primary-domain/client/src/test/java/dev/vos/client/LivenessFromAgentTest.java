package dev.vos.client;

import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.ring.CoreCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The review: a client gave up on a domain after its own 1 s liveness timeout while the control plane's hang timeout
 * was another, so the two disagreed about whether the domain was hung (and the client re-attached to a domain that
 * had never been restarted). Now there is one setting: the spec's {@code hangTimeoutMs}, which the agent announces.
 */
@Timeout(120)
class LivenessFromAgentTest {

    @TempDir
    Path dir;

    @Test
    void aClientsRing_usesTheDomainsHangTimeout_unlessATestSetsItsOwn() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        Path spec = Files.writeString(dir.resolve("host.yaml"), """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor: {hangTimeoutMs: 1700}
                domains:
                  - name: storage0
                    kind: storage
                    resources: {memoryMb: 96}
                    storage: {exportRoot: ./export}
                """);
        try (ControlPlane plane = ControlPlane.start(SpecParser.parse(spec),
                new PrintStream(OutputStream.nullOutputStream()));
             DomainClient client = DomainClient.forDomain(plane.stateDir(), "storage0", DomainClient.Options.DEFAULT);
             DomainClient own = DomainClient.forDomain(plane.stateDir(), "storage0",
                     DomainClient.Options.DEFAULT.withLivenessTimeout(Duration.ofMillis(300)))) {
            assertEquals(0, client.call(CoreCalls.NOP));
            assertEquals(1_700_000_000L, client.ring().geometry().livenessTimeoutNs(), "the spec's hang timeout");
            assertEquals(0, own.call(CoreCalls.NOP));
            assertEquals(300_000_000L, own.ring().geometry().livenessTimeoutNs(), "a test's own");
        }
    }
}
