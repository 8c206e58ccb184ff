package dev.vos.ring.server;

import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestSegments;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A segment file cut short under its server (a sealed memfd cannot be; a file still can, by its creator): the server
 * faults ({@code SIGBUS}, which the JVM raises as {@code InternalError}), and only that ring stops, releasing
 * everything. The review saw the fault skip the cleanup: the session state (a storage session's descriptors), the
 * threads and the mapping were never released (3,000 descriptors after 1,000 rounds).
 */
@Timeout(120)
class TruncatedSegmentTest {

    /** The cut-short rings: a 10 ms heartbeat period, so that the server meets the fault soon. */
    private static final RingGeometry GEOMETRY = new RingGeometry(8, 4096, 100_000_000L);
    /** The bystander's: what it shows is being served, not liveness, so a loaded machine must not fail it. */
    private static final RingGeometry BYSTANDER = new RingGeometry(8, 4096, 10_000_000_000L);
    private static final int ROUNDS = 200;
    private static final int DESCRIPTORS_PER_SESSION = 5;

    /** A session's state holding descriptors, as a storage session's table does. */
    private static final class Held implements AutoCloseable {
        private final List<FileChannel> channels = new ArrayList<>();
        private final AtomicInteger closed;

        Held(AtomicInteger closed) {
            this.closed = closed;
            try {
                for (int i = 0; i < DESCRIPTORS_PER_SESSION; i++) {
                    channels.add(FileChannel.open(Path.of("/dev/null")));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            for (FileChannel c : channels) {
                c.close();
            }
            closed.incrementAndGet();
        }
    }

    @Test
    void twoHundredSegmentsCutShort_eachStopsItsOwnServer_andEverythingIsReleased() throws Exception {
        AtomicInteger made = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        CallTable table = CoreCallHandlers.register(CallTable.builder()).sessionState(() -> {
            made.incrementAndGet();
            return new Held(closed);
        }).build();
        Path bystanderFile = TestSegments.fresh("truncate-bystander");
        try (RingClient bystander = RingClient.create(bystanderFile, BYSTANDER, 1, WaitStrategy.sleeping());
             RingServer bystanderServer = RingServer.attach(bystanderFile, table, ServerOptions.DEFAULT)) {
            bystander.awaitServer(java.time.Duration.ofSeconds(5));
            round(table); // the first round loads what a fault's path needs
            long descriptors = descriptors();
            for (int i = 1; i < ROUNDS; i++) {
                round(table);
                assertEquals(0, bystander.call(dev.vos.ring.CoreCalls.NOP), "round " + i);
            }
            assertEquals(ROUNDS + 1, made.get());
            assertEquals(ROUNDS, closed.get(), "every cut-short session's state was closed");
            assertEquals(descriptors, descriptors(), "this process's descriptors after " + ROUNDS + " rounds");
            assertEquals(0, mappings("-cut-"), "no mapping of a cut-short segment is left");
            assertTrue(bystanderServer.stats().callsServed() >= ROUNDS - 1);
        }
    }

    /** One round: a segment served, then cut to nothing by its creator; its server must stop on its own. */
    private static void round(CallTable table) throws Exception {
        Path file = TestSegments.fresh("cut");
        RingServer server;
        try (RingSegment mine = TestSegments.create(file, GEOMETRY)) {
            RingHeader.format(mine, GEOMETRY, 1);
            server = RingServer.attach(file, table, ServerOptions.DEFAULT);
        } // unmapped here: this process no longer touches it, only the server does
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        try {
            server.whenStopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(server.hasFaulted(), "stopped, but not by the fault");
            assertTrue(server.stats().callsServed() >= 0, "its figures stay readable");
        } finally {
            server.close(); // idempotent
            Files.deleteIfExists(file);
        }
    }

    private static long descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long mappings(String tag) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(tag)).count();
    }
}
