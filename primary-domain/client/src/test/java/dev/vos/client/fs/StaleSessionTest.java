package dev.vos.client.fs;

import dev.vos.client.DescriptorLostException;
import dev.vos.client.DomainClient;
import dev.vos.ring.client.RingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The review's data-loss scenario, exactly: the client's ring fails while the domain lives on (SIGSTOP for longer
 * than the client's liveness timeout, shorter than the supervisor's hang timeout, then SIGCONT), the client
 * re-attaches a new session of the same generation, whose table gives the next file the number the old session
 * gave the first. Every call of a channel or directory stream of the old session must fail with
 * {@link DescriptorLostException} and never reach the new session's file.
 */
@Timeout(120)
class StaleSessionTest {

    /**
     * The client declares the domain hung after this much silence (the default ring's, as in the review; shorter
     * would let a loaded machine fail the ring before the test stops the domain)...
     */
    private static final Duration CLIENT_LIVENESS = Duration.ofSeconds(1);
    /** ...while its supervisor waits this long, so the domain lives on, the same generation, after SIGCONT. */
    private static final Duration SUPERVISOR_HANG_TIMEOUT = Duration.ofSeconds(30);
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;

    @TempDir
    static Path dir;
    private static StorageDomain domain;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir, SUPERVISOR_HANG_TIMEOUT);
    }

    @AfterAll
    static void down() throws Exception {
        domain.close();
    }

    /** A file system of its own whose client has the short liveness timeout. */
    private static VosFileSystem shortLivenessFileSystem(DomainClient client) {
        return new VosFileSystem((VosFileSystemProvider) domain.fs().provider(), StorageDomain.NAME, client);
    }

    private static DomainClient shortLivenessClient() {
        return DomainClient.forDomain(domain.plane().stateDir(), StorageDomain.NAME,
                DomainClient.Options.DEFAULT.withLivenessTimeout(CLIENT_LIVENESS));
    }

    /** Stops the domain until {@code client}'s ring has failed, then lets it go on; the generation stays. */
    private static void stallPastTheClientsTimeout(DomainClient client) throws Exception {
        long generation = domain.status().generation();
        RingClient ring = client.ring();
        domain.signal(SIGSTOP);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!ring.hasFailed() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(ring.hasFailed(), "the client's ring did not fail while the domain was stopped");
            Thread.sleep(CLIENT_LIVENESS.toMillis() / 2); // as the review (1.5 s): well past the client's timeout
        } finally {
            domain.signal(SIGCONT);
        }
        assertEquals(generation, domain.status().generation(), "the domain must live on: " + domain.status());
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** A call on a stale channel, and what became of it. */
    @FunctionalInterface
    private interface StaleCall {
        Object run() throws IOException;
    }

    /** "name: DescriptorLostException" when the call failed so, else what it did instead. */
    private static String outcome(String name, StaleCall call, List<String> messages) {
        try {
            return name + ": returned " + call.run();
        } catch (DescriptorLostException e) {
            messages.add(e.getMessage());
            return name + ": DescriptorLostException";
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof DescriptorLostException lost) {
                messages.add(lost.getMessage());
                return name + ": DescriptorLostException";
            }
            return name + ": " + e.getCause();
        } catch (IOException | RuntimeException e) {
            return name + ": " + e;
        }
    }

    @Test
    void channelsOfAReattachedSession_failEveryCall_andNeverTouchTheNewSessionsFiles() throws Exception {
        Files.createDirectories(domain.exportRoot().resolve("old-dir"));
        Files.writeString(domain.exportRoot().resolve("old-dir/old-entry"), "");
        Files.createDirectories(domain.exportRoot().resolve("new-dir"));
        Files.writeString(domain.exportRoot().resolve("new-dir/new-entry"), "");
        DomainClient client = shortLivenessClient();
        try (VosFileSystem fs = shortLivenessFileSystem(client)) {
            FileChannel old = FileChannel.open(fs.getPath("/first"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            old.write(ascii("first file\n"));
            old.force(true);
            FileChannel oldAppend = FileChannel.open(fs.getPath("/first-log"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            oldAppend.write(ascii("log line 1\n"));
            DirectoryStream<Path> oldListing = Files.newDirectoryStream(fs.getPath("/old-dir"));

            stallPastTheClientsTimeout(client);

            // The new session numbers from the start again: today these get the old channels' numbers.
            FileChannel fresh = FileChannel.open(fs.getPath("/second"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            fresh.write(ascii("second file\n"));
            FileChannel freshToo = FileChannel.open(fs.getPath("/third"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            freshToo.write(ascii("third file\n"));
            DirectoryStream<Path> freshListing = Files.newDirectoryStream(fs.getPath("/new-dir"));

            List<String> messages = new ArrayList<>();
            List<String> outcomes = List.of(
                    outcome("write", () -> old.write(ascii("STALE WRITE\n")), messages),
                    outcome("force", () -> {
                        old.force(true);
                        return "normally";
                    }, messages),
                    outcome("read", () -> old.read(ByteBuffer.allocate(64), 0), messages),
                    outcome("size", old::size, messages),
                    outcome("truncate", () -> old.truncate(2), messages),
                    outcome("append", () -> oldAppend.write(ascii("STALE APPEND\n")), messages),
                    outcome("list", () -> oldListing.iterator().hasNext(), messages));
            assertEquals(List.of("write: DescriptorLostException", "force: DescriptorLostException",
                    "read: DescriptorLostException", "size: DescriptorLostException",
                    "truncate: DescriptorLostException", "append: DescriptorLostException",
                    "list: DescriptorLostException"), outcomes);
            for (String m : messages) {
                assertTrue(m.contains("re-attached") && m.contains("generation") && m.contains("storage0"), m);
                assertFalse(m.contains("restarted"), "the domain did not restart: " + m);
            }
            // Closing a stale channel sends nothing: the new session's descriptors stay open.
            old.close();
            oldAppend.close();
            oldListing.close();

            fresh.write(ascii("still mine\n"));
            fresh.force(true);
            ByteBuffer back = ByteBuffer.allocate(64);
            fresh.read(back, 0);
            assertEquals("second file\nstill mine\n", new String(back.array(), 0, back.position(),
                    StandardCharsets.US_ASCII), "the second channel works: its descriptor was not closed");
            freshToo.write(ascii("mine too\n"));
            Iterator<Path> entries = freshListing.iterator();
            assertEquals("new-entry", entries.next().getFileName().toString());
            assertFalse(entries.hasNext());
            fresh.close();
            freshToo.close();
            freshListing.close();
        }
        Path root = domain.exportRoot();
        assertEquals("first file\n", Files.readString(root.resolve("first")), "the stale channel changed nothing");
        assertEquals("log line 1\n", Files.readString(root.resolve("first-log")));
        assertEquals("second file\nstill mine\n", Files.readString(root.resolve("second")),
                "no byte of the stale channels reached the new session's file");
        assertEquals("third file\nmine too\n", Files.readString(root.resolve("third")));
    }
}
