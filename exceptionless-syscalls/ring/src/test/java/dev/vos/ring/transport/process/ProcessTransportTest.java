package dev.vos.ring.transport.process;

import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestDescriptors;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.Side;
import dev.vos.sys.Errno;
import dev.vos.sys.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/** How segments are made: files owner-only, never over a planted name; memfds sealed, checked when handed over. */
class ProcessTransportTest {

    private static final RingGeometry SMALL = new RingGeometry(8, 4096, 1_000_000_000L);

    @TempDir
    Path dir;

    /** The review: segments were created with the umask's 0644, so any local user could read the payloads. */
    @Test
    void aSegmentFile_isOwnerOnly_whateverTheUmask() throws Exception {
        Path file = TestSegments.fresh("mode");
        try (Segment segment = ProcessTransport.file(file).create(SMALL.segmentBytes())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(SMALL.segmentBytes(), Files.size(file));
            assertEquals(file, ProcessTransport.file(segment));
        } finally {
            assertFalse(Files.deleteIfExists(file), "the creator's segment deletes its file when it closes");
        }
    }

    /** A name planted where a segment will be made (here a link to a file of the victim's) is refused, not used. */
    @Test
    void aSegmentFile_isNeverMadeOverAPlantedLinkOrFile() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious");
        Path link = TestSegments.fresh("planted-link");
        Files.createSymbolicLink(link, victim);
        try {
            assertThrows(FileAlreadyExistsException.class,
                    () -> ProcessTransport.file(link).create(SMALL.segmentBytes()));
            assertEquals("precious", Files.readString(victim), "the link's target is untouched");
            assertThrows(IOException.class, () -> ProcessTransport.openFile(link),
                    "a server does not follow one either");
        } finally {
            Files.deleteIfExists(link);
        }
    }

    @Test
    void aSealedSegment_cannotBeResized_andMapsWhereItIsHandedOver() throws Exception {
        Segment shared = ProcessTransport.sealed("test-sealed").create(SMALL.segmentBytes());
        try (RingSegment segment = TestSegments.view(shared)) {
            int fd = ProcessTransport.descriptor(shared);
            assertNull(ProcessTransport.file(shared));
            assertTrue(shared.mappableBy().contains("descriptor"), shared.mappableBy());
            assertEquals("memfd:vos-test-sealed", segment.name());
            assertEquals(SharedMemory.SEALED_SIZE, SharedMemory.seals(fd));
            assertEquals(-Errno.EPERM, SharedMemory.ftruncate(fd, 0));
            assertEquals(-Errno.EPERM, SharedMemory.ftruncate(fd, 2 * SMALL.segmentBytes()));
            RingHeader.format(segment, SMALL, 1);
            Segment handed = ProcessTransport.openSealed(TestDescriptors.dup(fd), "handed over");
            try (RingSegment server = TestSegments.view(handed)) {
                assertEquals(SMALL, RingHeader.validate(server));
                assertEquals(-1, ProcessTransport.descriptor(handed), "the server keeps no descriptor: the mapping"
                        + " is enough");
            }
        }
    }

    @Test
    void openSealed_refusesWhatIsNotASealedMemfd_andClosesIt() throws Exception {
        int unsealed = SharedMemory.memfdCreate("vos-test-unsealed", SharedMemory.MFD_CLOEXEC
                | SharedMemory.MFD_ALLOW_SEALING);
        assertEquals(0, SharedMemory.ftruncate(unsealed, SMALL.segmentBytes()));
        IOException e = assertThrows(ProcessTransport.SegmentRefusedException.class,
                () -> ProcessTransport.openSealed(unsealed, "unsealed"));
        assertTrue(e.getMessage().contains("must be sealed with F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL"),
                e.getMessage());
        assertEquals(-Errno.EBADF, SharedMemory.seals(unsealed), "taken and closed");

        int growOnly = SharedMemory.memfdCreate("vos-test-grow", SharedMemory.MFD_CLOEXEC
                | SharedMemory.MFD_ALLOW_SEALING);
        SharedMemory.ftruncate(growOnly, SMALL.segmentBytes());
        SharedMemory.addSeals(growOnly, SharedMemory.F_SEAL_GROW | SharedMemory.F_SEAL_SEAL);
        assertThrows(ProcessTransport.SegmentRefusedException.class,
                () -> ProcessTransport.openSealed(growOnly, "grow"),
                "still shrinkable");

        Path file = dir.resolve("file");
        Files.write(file, new byte[(int) SMALL.segmentBytes()]);
        int fd = TestDescriptors.open(file);
        assertThrows(ProcessTransport.SegmentRefusedException.class, () -> ProcessTransport.openSealed(fd, "file"));

        int tiny = SharedMemory.memfdCreate("vos-test-tiny", SharedMemory.MFD_CLOEXEC
                | SharedMemory.MFD_ALLOW_SEALING);
        SharedMemory.ftruncate(tiny, 100);
        SharedMemory.addSeals(tiny, SharedMemory.SEALED_SIZE);
        e = assertThrows(ProcessTransport.SegmentRefusedException.class,
                () -> ProcessTransport.openSealed(tiny, "tiny"));
        assertTrue(e.getMessage().contains("100 bytes"), e.getMessage());
    }

    /**
     * The doorbell's contract: a ring after the peer armed is never lost (its await returns at once, rung); an await
     * nobody rings returns after its timeout, not rung; each side rings the other's word, not its own.
     */
    @Test
    void theFutexDoorbell_keepsARingThatCameAfterArming_andRingsTheOtherSide() throws Exception {
        Path file = TestSegments.fresh("doorbell");
        try (RingSegment ring = TestSegments.create(file, SMALL)) {
            Doorbell client = ProcessTransport.INSTANCE.doorbell(ring, Side.CLIENT);
            Doorbell server = ProcessTransport.INSTANCE.doorbell(ring, Side.SERVER);
            int armed = server.arm();
            client.ringPeer();
            assertTrue(server.await(armed, 10_000_000_000L), "rung after arming: returns at once");
            int clientArmed = client.arm();
            assertFalse(client.await(clientArmed, 1_000_000L), "the server's word was rung, not the client's");
            server.ringPeer();
            assertTrue(client.await(clientArmed, 10_000_000_000L));
            int again = server.arm();
            server.wakeHere(1);
            assertTrue(server.await(again, 10_000_000_000L), "wakeHere rings this side's own word");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
