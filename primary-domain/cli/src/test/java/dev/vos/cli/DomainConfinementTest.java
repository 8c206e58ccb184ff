package dev.vos.cli;

import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.ring.DomainFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a storage domain can reach, with a real control plane and a real domain process: only its export root as it
 * was when the control plane started, and there only what the control plane's user may read without privileges.
 * The review ran the domain as root with every capability, swapped a link for the export root, restarted the
 * domain, and read /etc/shadow through vos.
 */
@Timeout(180)
class DomainConfinementTest {

    @TempDir
    Path dir;
    private ControlPlane plane;
    private FileSystem vos;

    @BeforeEach
    void up() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        Files.writeString(dir.resolve("export/hello.txt"), "the export root of the start");
        Path spec = dir.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane: {stateDir: ./state, metricsPort: 0}
                supervisor: {hangTimeoutMs: 1000, backoff: {initialMs: 20, maxMs: 200}}
                domains:
                  - name: storage0
                    kind: storage
                    resources: {memoryMb: 64}
                    storage: {exportRoot: ./export}
                """);
        plane = ControlPlane.start(SpecParser.parse(spec), new PrintStream(OutputStream.nullOutputStream()));
        vos = FileSystems.newFileSystem(URI.create("vos://storage0/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, plane.stateDir()));
    }

    @AfterEach
    void down() throws Exception {
        if (vos != null) {
            vos.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    @Test
    void theDomainHasNoCapabilities_soAFileOfAnotherUserItMayNotRead_isAccessDenied() throws Exception {
        assumeTrue(AsNobody.available(), "needs root to own the control plane and to give a file to nobody");
        DomainStatus storage = running(1);
        String status = Files.readString(Path.of("/proc", Long.toString(storage.pid()), "status"));
        assertTrue(status.contains("\nCapEff:\t0000000000000000\n"), status);
        assertTrue(status.contains("\nNoNewPrivs:\t1\n"), status);

        // A 0600 file of nobody's inside the export root: the domain is uid 0 without CAP_DAC_OVERRIDE.
        Path secret = Files.writeString(dir.resolve("export/nobodys.txt"), "nobody's own");
        UserPrincipal nobody = secret.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName("nobody");
        Files.setOwner(secret, nobody);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        AccessDeniedException denied = assertThrows(AccessDeniedException.class,
                () -> Files.readString(vos.getPath("/nobodys.txt")));
        assertEquals("/nobodys.txt", denied.getFile());
        assertThrows(AccessDeniedException.class, () -> Files.writeString(vos.getPath("/nobodys.txt"), "x"));
        assertEquals("nobody's own", Files.readString(secret), "unchanged");

        // The control plane's own files it reaches as their owner, as any process of that user would.
        assertEquals("the export root of the start", Files.readString(vos.getPath("/hello.txt")));
    }

    @Test
    void aLinkSwappedForTheExportRootAfterStart_doesNotRedirectARestartedDomain() throws Exception {
        running(1);
        Path export = dir.resolve("export");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere")); // a stand-in for /etc
        Files.writeString(elsewhere.resolve("hello.txt"), "the link's target");
        Files.move(export, dir.resolve("export.moved"));
        Files.createSymbolicLink(export, elsewhere);

        plane.handle(new Command.Restart("storage0"));
        running(2);
        assertEquals("the export root of the start", readOnceServing(vos.getPath("/hello.txt")));
        Files.writeString(vos.getPath("/written-after.txt"), "where?");
        assertTrue(Files.exists(dir.resolve("export.moved/written-after.txt")), "written into the held root");
        assertFalse(Files.exists(elsewhere.resolve("written-after.txt")), "never into the link's target");
    }

    private DomainStatus running(long generation) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            DomainStatus s = plane.ps().getFirst();
            if (s.state() == DomainState.RUNNING && s.generation() == generation) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, "storage0 not RUNNING in generation " + generation + ": " + s);
            Thread.sleep(10);
        }
    }

    private static String readOnceServing(Path path) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return Files.readString(path);
            } catch (DomainFailedException e) {
                assertTrue(System.nanoTime() < deadline, e.getMessage());
                Thread.sleep(10);
            }
        }
    }
}
