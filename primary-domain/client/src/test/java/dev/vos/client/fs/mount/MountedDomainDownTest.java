package dev.vos.client.fs.mount;

import dev.vos.client.DomainUnavailableException;
import dev.vos.client.fs.StorageDomain;
import dev.vos.controlplane.control.Command;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A domain that is down: a mounted path fails as a {@code vos://} path does, with the same exception. */
class MountedDomainDownTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    @Test
    void aStoppedDomain_failsAMountedPath_asItFailsAVosPath() throws Exception {
        String prefix = dir.resolve("srv/data").toString();
        MountedFileSystemProvider provider = new MountedFileSystemProvider(FileSystems.getDefault().provider(),
                MountTable.parse("test", prefix + " storage0:/ stateDir=" + domain.plane().stateDir(), false));
        Path mounted = provider.getFileSystem(URI.create("file:///")).getPath(prefix, "a.txt");
        Files.writeString(mounted, "up");
        Files.writeString(domain.fs().getPath("/b.txt"), "up");

        domain.plane().handle(new Command.Stop(StorageDomain.NAME));
        IOException viaVos = assertThrows(IOException.class, () -> Files.readString(domain.fs().getPath("/b.txt")));
        IOException viaMount = assertThrows(IOException.class, () -> Files.readString(mounted));
        assertInstanceOf(DomainUnavailableException.class, viaMount, viaMount.toString());
        assertEquals(viaVos.getClass(), viaMount.getClass());
        // Two clients (the mount's and the vos:// file system's) each saw the domain go, and name what they saw.
        for (IOException e : new IOException[] {viaVos, viaMount}) {
            assertTrue(e.getMessage().startsWith("domain storage0 is not serving (generation 1 failed: "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("('vos ps' shows its state)"), e.getMessage());
        }
        IOException size = assertThrows(IOException.class, () -> Files.size(mounted));
        assertEquals(viaVos.getClass(), size.getClass());
    }
}
