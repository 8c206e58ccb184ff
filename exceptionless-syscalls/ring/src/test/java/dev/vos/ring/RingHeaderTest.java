package dev.vos.ring;

import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static dev.vos.ring.layout.HeaderLayout.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A server refuses a segment that is not a valid ring with a message naming the field, and changes nothing in it;
 * it keeps its own copy of the geometry, so a header rewritten after attaching changes nothing either.
 */
@Timeout(60)
class RingHeaderTest {

    private static final ServerOptions OPTIONS = ServerOptions.DEFAULT;

    @Test
    void badMagic_isRefusedByName() throws Exception {
        assertRefused(s -> s.setLongPlain(MAGIC_OFFSET, 42), "MAGIC is 0x000000000000002a");
    }

    @Test
    void otherVersion_isRefusedNamingBothVersions() throws Exception {
        assertRefused(s -> s.setIntPlain(VERSION_OFFSET, 7), "VERSION is 7, this build reads version " + VERSION);
    }

    @Test
    void slotCountNotAPowerOfTwo_isRefused() throws Exception {
        assertRefused(s -> s.setIntPlain(SLOT_COUNT_OFFSET, 63), "slotCount=63");
    }

    @Test
    void hugeDataChunks_areRefused() throws Exception {
        assertRefused(s -> s.setIntPlain(DATA_BYTES_PER_SLOT_OFFSET, 1 << 30), "dataBytesPerSlot=1073741824");
    }

    @Test
    void declaredSizeLargerThanTheFile_isRefused() throws Exception {
        assertRefused(s -> s.setLongPlain(SEGMENT_BYTES_OFFSET, 1L << 40), "SEGMENT_BYTES is 1099511627776");
    }

    @Test
    void truncatedFile_isRefused() throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("trunc"), RingGeometry.DEFAULT, 1,
                WaitStrategy.busyPoll())) {
            try (RandomAccessFile f = new RandomAccessFile(client.file().toFile(), "rw")) {
                f.setLength(RingGeometry.DEFAULT.segmentBytes() - 4096);
            }
            IOException e = assertThrows(IOException.class,
                    () -> RingServer.attach(client.file(), CoreCallHandlers.table(), OPTIONS));
            assertTrue(e.getMessage().contains("the file is " + (RingGeometry.DEFAULT.segmentBytes() - 4096)),
                    e.getMessage());
        }
    }

    @Test
    void tinyFile_isRefused() throws Exception {
        Path file = TestSegments.fresh("tiny");
        Files.write(file, new byte[100]);
        try {
            IOException e = assertThrows(IOException.class,
                    () -> RingServer.attach(file, CoreCallHandlers.table(), OPTIONS));
            assertTrue(e.getMessage().contains("smaller than the 512-byte header"), e.getMessage());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aSegmentIsServedOnce_aSecondServerIsRefused() throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("twice"), RingGeometry.DEFAULT, 1,
                WaitStrategy.busyPoll());
             RingServer first = RingServer.attach(client.file(), CoreCallHandlers.table(), OPTIONS)) {
            IOException e = assertThrows(IOException.class,
                    () -> RingServer.attach(client.file(), CoreCallHandlers.table(), OPTIONS));
            assertTrue(e.getMessage().contains("already served"), e.getMessage());
            client.awaitServer(Duration.ofSeconds(5));
            assertEquals(0, client.call(CoreCalls.NOP), "the first server is unaffected");
        }
    }

    @Test
    void geometryRewrittenAfterAttach_changesNothingOnTheServer() throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("rewrite"), RingGeometry.DEFAULT, 1,
                WaitStrategy.busyPoll());
             RingServer server = RingServer.attach(client.file(), CoreCallHandlers.table(), OPTIONS);
             RingSegment raw = TestSegments.open(client.file())) {
            client.awaitServer(Duration.ofSeconds(5));
            raw.setIntPlain(SLOT_COUNT_OFFSET, 4096);
            raw.setIntPlain(DATA_BYTES_PER_SLOT_OFFSET, 16 << 20);
            long dataBytes = RingGeometry.DEFAULT.dataBytes();
            assertEquals(-dev.vos.sys.Errno.EFAULT, client.call(CoreCalls.CHECKSUM, dataBytes, 1, 0, 0, 0, 0));
            assertEquals(RingGeometry.DEFAULT, server.geometry());
        }
    }

    @Test
    void serverMain_refusesAGarbageFileWithExitStatus3() throws Exception {
        Path file = TestSegments.fresh("garbage");
        Files.write(file, new byte[8192]);
        try {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "dev.vos.ring.server.RingServerMain", "--segment",
                    file.toString())).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertEquals(3, p.waitFor());
            assertTrue(output.contains("refused segment") && output.contains("not a vos ring segment"), output);
            assertArrayEquals(new byte[8192], Files.readAllBytes(file), "a refused file must be left as it was");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void serverMain_badArguments_sayWhatIsWrongWithExitStatus2() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.vos.ring.server.RingServerMain", "--workers", "0",
                "--segment", "/dev/shm/none")).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor());
        assertTrue(output.contains("workers=0: must be in [1, 256]") && output.contains("usage:"), output);
    }

    /**
     * Creates a valid segment, breaks it with {@code damage}, and checks that attaching is refused with
     * {@code message}.
     */
    private static void assertRefused(Consumer<RingSegment> damage, String message) throws Exception {
        try (RingClient client = RingClient.create(TestSegments.fresh("bad"), RingGeometry.DEFAULT, 1,
                WaitStrategy.busyPoll());
             RingSegment raw = TestSegments.open(client.file())) {
            damage.accept(raw);
            RingHeader.RingFormatException e = assertThrows(RingHeader.RingFormatException.class,
                    () -> RingServer.attach(client.file(), CoreCallHandlers.table(), OPTIONS));
            assertTrue(e.getMessage().contains(message), e.getMessage());
            assertTrue(e.getMessage().startsWith(client.file().toString()), "the message names the file");
            assertEquals(SERVER_NEW, raw.getIntVolatile(SERVER_STATE_OFFSET), "a refused segment is left unclaimed");
        }
    }
}
