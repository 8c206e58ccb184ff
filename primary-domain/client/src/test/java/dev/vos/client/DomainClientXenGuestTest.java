package dev.vos.client;

import dev.vos.client.fs.VosFileSystemProvider;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.agent.XenGuestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How a client learns that a domain is a Xen guest: the state directory's {@code domains/NAME/xen-guest}, read
 * once when the client is made. Outside the Xen lab there is no xenstore, so an attach to a recorded guest fails as
 * a domain that is not serving, saying why, and nothing falls back to the agent socket beside the record (a process
 * agent listening there must not answer for the guest). The attach itself: {@code XenGuestFileSystemIT}, in the lab.
 */
@Timeout(30)
class DomainClientXenGuestTest {

    @TempDir
    Path stateDir;

    private void record(String text) throws IOException {
        Path file = StateDirectory.xenGuest(stateDir, "storage-x");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void aRecordedGuest_isAttachedOverXenstore_notTheAgentSocket() throws Exception {
        record(XenGuestSession.XEN_DOMAIN + "=vos-fs\n");
        try (DomainClient client = DomainClient.forDomain(stateDir, "storage-x", DomainClient.Options.DEFAULT)) {
            assertEquals(XenGuestSession.GEOMETRY.dataBytesPerSlot(), client.chunkBytes(),
                    "the guest's ring, not the process default, sizes the file system's chunks");
            DomainUnavailableException e = assertThrows(DomainUnavailableException.class,
                    () -> client.call(CoreCalls.GETPID));
            assertTrue(e.getMessage().contains("domain storage-x is not serving"), e.getMessage());
            if (!Files.exists(Path.of("/dev/xen/xenbus")) && !Files.exists(Path.of("/proc/xen/xenbus"))) {
                assertTrue(e.getMessage().contains("no xenstore device"), e.getMessage());
            }
            assertFalse(e.getMessage().contains("agent.sock"), e.getMessage());
            assertEquals(0, client.generation());
        }
    }

    @Test
    void aMalformedRecord_failsTheClientAtOnce_withThePath() throws Exception {
        record("xen-domain=../0\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> DomainClient.forDomain(stateDir, "storage-x", DomainClient.Options.DEFAULT));
        assertTrue(e.getMessage().startsWith("domain storage-x: " + StateDirectory.xenGuest(stateDir, "storage-x")),
                e.getMessage());
    }

    @Test
    void theVosProvider_unchanged_findsTheGuestThroughTheStateDirectory() throws Exception {
        record(XenGuestSession.XEN_DOMAIN + "=vos-fs\n");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("vos://storage-x/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, stateDir))) {
            IOException e = assertThrows(IOException.class, () -> Files.readString(fs.getPath("/hello.txt")));
            assertInstanceOf(DomainUnavailableException.class, e, e.toString());
        }
    }
}
