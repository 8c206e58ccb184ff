package dev.vos.cli;

import dev.vos.client.DomainClient;
import dev.vos.client.net.VosSelectorProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two users through one net0, with a real control plane: root's server and nobody's client, admitted by the
 * domain's {@code attachGroup}. Each end's SO_PEERCRED names the other's user. The kernel alone would name net0's
 * process (root) as the peer of both, so the server would take nobody for root. The domain starts with the attach
 * group at all only because the control plane makes its JVM a member (it has no CAP_CHOWN to give its socket away).
 */
@Timeout(180)
class PeerCredentialsAsNobodyTest {

    private Path base;
    private ControlPlane plane;

    @BeforeEach
    void up() throws Exception {
        assumeTrue(AsNobody.available(), AsNobody.SKIP_REASON);
        base = AsNobody.openDirectory();
        Path spec = base.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor: {hangTimeoutMs: 1000, backoff: {initialMs: 20, maxMs: 200}}
                domains:
                  - name: net0
                    kind: net
                    attachGroup: %d
                    resources: {memoryMb: 64}
                    net: {bind: [127.0.0.1], unix: [%s]}
                """.formatted(AsNobody.UID, base.resolve("unix")));
        plane = ControlPlane.start(SpecParser.parse(spec), new PrintStream(OutputStream.nullOutputStream()));
        // The operator's part (docs/storage.md): let the group reach the agent's socket through the state directory.
        Files.setPosixFilePermissions(plane.stateDir(), PosixFilePermissions.fromString("rwx--x--x"));
    }

    @AfterEach
    void down() throws Exception {
        if (plane != null) {
            plane.close();
        }
        AsNobody.deleteDirectory(base);
    }

    @Test
    void rootsServerAndNobodysClient_seeEachOther_notNet0() throws Exception {
        DomainStatus net0 = running();
        assertTrue(Files.readString(Path.of("/proc", Long.toString(net0.pid()), "status"))
                .contains("\nCapEff:\t0000000000000000\n"), "net0 has no capabilities");
        Path path = base.resolve("unix/peer.sock");
        try (DomainClient client = DomainClient.forDomain(plane.stateDir(), "net0", DomainClient.Options.DEFAULT);
             ServerSocketChannel server = new VosSelectorProvider(client)
                     .openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            // Each side reads the option while the other is still connected: net0 cannot name a peer that closed
            // (docs/network.md). The client sends a byte once it has read and leaves once the server has closed; the
            // server reads its side, then waits for that byte before it closes.
            CompletableFuture<UnixDomainPrincipal> seen = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel accepted = server.accept()) {
                    UnixDomainPrincipal principal = accepted.getOption(ExtendedSocketOptions.SO_PEERCRED);
                    accepted.read(ByteBuffer.allocate(1));
                    return principal;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AsNobody.Result r = AsNobody.java(base, PeerClientMain.class.getName(), plane.stateDir().toString(),
                    path.toString());
            assertEquals(0, r.status(), r.toString());
            assertEquals("peer 0 0\n", r.stdout(), "nobody's client sees root's server: " + r);
            UnixDomainPrincipal peer = seen.get(30, TimeUnit.SECONDS);
            assertEquals(AsNobody.UID, peer.user().hashCode(), "root's server sees nobody, not net0's root: " + peer);
            assertEquals(AsNobody.UID, peer.group().hashCode(), peer.toString());
        }
    }

    private DomainStatus running() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            DomainStatus s = plane.ps().getFirst();
            if (s.state() == DomainState.RUNNING) {
                return s;
            }
            assertNotEquals(DomainState.FAILED, s.state(), s.toString());
            assertTrue(System.nanoTime() < deadline, "net0 not RUNNING: " + s);
            Thread.sleep(10);
        }
    }
}
