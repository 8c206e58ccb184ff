package dev.vos.ring.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state directory's record that a domain is a Xen guest ({@code domains/NAME/xen-guest}), read before anything
 * is asked of xenstore: the file is written by whoever runs the guest, so a bad one is refused with its path and
 * what is wrong, and never becomes a xenstore path. The attach itself runs in the Xen lab
 * ({@code XenGuestFileSystemIT}).
 */
class XenGuestSessionTest {

    @TempDir
    Path stateDir;

    private void record(String text) throws IOException {
        Path file = StateDirectory.xenGuest(stateDir, "storage-x");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void recorded_noRecord_isAProcessDomain() throws IOException {
        assertEquals(Optional.empty(), XenGuestSession.recorded(stateDir, "storage-x"));
    }

    @Test
    void recorded_theXenNameOfTheGuest() throws IOException {
        record("# written by the control plane\nxen-domain = vos-fs \n");
        assertEquals(Optional.of("vos-fs"), XenGuestSession.recorded(stateDir, "storage-x"));
        assertEquals(stateDir.resolve("domains/storage-x/xen-guest"), StateDirectory.xenGuest(stateDir,
                "storage-x"));
    }

    @Test
    void recorded_withoutTheEntry_refusedWithThePath() throws IOException {
        record("domid=3\n");
        IOException e = assertThrows(IOException.class, () -> XenGuestSession.recorded(stateDir, "storage-x"));
        assertEquals(StateDirectory.xenGuest(stateDir, "storage-x") + ": no xen-domain=NAME line", e.getMessage());
    }

    @Test
    void recorded_aNameThatIsNotOne_refused() throws IOException {
        for (String hostile : new String[] {"../../0/data", "vos fs", "a/b", "", "x".repeat(65)}) {
            record("xen-domain=" + hostile + "\n");
            IOException e = assertThrows(IOException.class, () -> XenGuestSession.recorded(stateDir, "storage-x"),
                    hostile);
            assertTrue(e.getMessage().contains("not a Xen domain name"), e.getMessage());
        }
    }

    @Test
    void recorded_aHugeFile_refusedUnread() throws IOException {
        record("xen-domain=vos-fs\n" + "#".repeat(XenGuestSession.MAX_RECORD_BYTES));
        IOException e = assertThrows(IOException.class, () -> XenGuestSession.recorded(stateDir, "storage-x"));
        assertTrue(e.getMessage().contains("not a xen-guest record"), e.getMessage());
    }
}
