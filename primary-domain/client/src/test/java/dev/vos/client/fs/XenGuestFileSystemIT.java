package dev.vos.client.fs;

import dev.vos.client.DomainClient;
import dev.vos.client.DomainUnavailableException;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.agent.XenGuestSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import static dev.vos.client.fs.XlCommand.xl;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code vos://} file system, unchanged, against a storage domain that is a Xen guest, in the Xen lab's dom0:
 * a guest boots the agent image ({@code vos.agent=storage}); the state directory records that the domain
 * {@value #DOMAIN} is the Xen guest {@value #XEN_NAME} ({@code domains/storage-x/xen-guest}); and from then on the
 * test uses only {@code Path.of(URI.create("vos://storage-x/..."))} and the JDK's {@code Files} and channels. Proves
 * that the files are the guest's (its export root is a directory dom0 does not have, and the calls answer the
 * agent's pid in the guest), that the storage {@link DifferentialTest}'s random sequences give the same results in
 * the guest as on dom0's own {@code /tmp}, that {@code xl destroy} makes a call in flight fail within the ring's
 * liveness bound (never a hang), and that the same paths work again once the guest is re-created: the client
 * attaches to generation 2 of its own accord, with no configuration read again. Named {@code *IT}: never run by
 * {@code ./mvnw verify}; skipped where there is no Xen or no agent image.
 */
@EnabledIf("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class XenGuestFileSystemIT {

    private static final String DOMAIN = "storage-x";
    private static final String XEN_NAME = "vos-fs";
    /** The agent guest's memory: as {@code XenGuestAgentIT}'s (the initramfs does not unpack in 256 MiB). */
    private static final int MEMORY_MB = 384;
    private static final Path EXPORT_IN_GUEST = Path.of("/srv/vos-export");
    /**
     * Half of DifferentialTest's 40 (each sequence covers every operation): under emulation each step is a few round
     * trips to the guest; 6 took 11.7 s in a whole lab run on a quiet host, so 20 take about 40 s of its 15 minutes
     * (on a host loaded by other work, 12 took 184 s).
     */
    private static final int SEQUENCES = 20;
    /**
     * A destroyed guest's call fails once the heartbeat is stale (the ring's liveness timeout) and xenstore no
     * longer has the guest; the bound adds a wide margin for a loaded, emulated machine.
     */
    private static final long FAIL_BOUND_MS = XenGuestSession.GEOMETRY.livenessTimeoutNs() / 1_000_000 + 15_000;

    /** The read figure: batches, interleaved with dom0's, and 4 KiB reads in each. */
    private static final int READ_BATCHES = 5;
    private static final int READS_PER_BATCH = 200;

    private static Path stateDir;
    private static Path cfg;
    private static long agentPid;
    private static final List<String> FIGURES = new ArrayList<>();

    static boolean lab() {
        return XlCommand.lab();
    }

    @BeforeAll
    static void bootTheGuestAndRecordIt() throws Exception {
        cfg = XlCommand.agentGuest(XEN_NAME, MEMORY_MB, "vos.agent=storage");
        long ms = createAndAwaitTheAgent();
        FIGURES.add("vos:// guest: boot to serving (xl create to the agent's announcement)\t" + ms + " ms");
        // What a control plane running the guest records, and all a program needs: vos.stateDir names it.
        stateDir = Files.createDirectories(Path.of("/tmp/vos-state-xen"));
        XlCommand.recordGuest(stateDir, DOMAIN, XEN_NAME);
        System.setProperty("vos.stateDir", stateDir.toString());
    }

    @AfterAll
    static void destroyTheGuest() throws Exception {
        xlQuietly("destroy", XEN_NAME);
        String out = System.getenv("VOS_XEN_LAB_OUT");
        if (out != null && !FIGURES.isEmpty()) {
            Files.write(Path.of(out, "vosfs-figures.txt"), FIGURES);
        }
    }

    private static Path vos(String path) {
        return Path.of(URI.create("vos://" + DOMAIN + path));
    }

    /** writeString, readString, walk, a byte channel forced to disk: the JDK's API on the guest's files. */
    @Test
    @Order(1)
    void filesApi_writeReadWalkAndForce_inTheGuest() throws Exception {
        assertFalse(Files.exists(EXPORT_IN_GUEST), "dom0 has " + EXPORT_IN_GUEST + ": the proof would not hold");
        Path dir = Files.createDirectories(vos("/fs/a/b"));
        Path hello = Files.writeString(vos("/fs/hello.txt"), "hello from dom0 to " + XEN_NAME);
        assertEquals("hello from dom0 to " + XEN_NAME, Files.readString(hello));
        Files.writeString(dir.resolve("deep.txt"), "deep");

        byte[] block = new byte[100_000]; // several of the guest ring's 16 KiB payload chunks
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31);
        }
        Path forced = vos("/fs/a/forced.bin");
        try (SeekableByteChannel ch = Files.newByteChannel(forced, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            assertEquals(block.length, ch.write(ByteBuffer.wrap(block)));
            ((FileChannel) ch).force(true);
        }
        assertArrayEquals(block, Files.readAllBytes(forced));

        try (Stream<Path> walk = Files.walk(vos("/fs"))) {
            List<String> names = walk.map(Path::toString).sorted().toList();
            assertEquals(List.of("/fs", "/fs/a", "/fs/a/b", "/fs/a/b/deep.txt", "/fs/a/forced.bin",
                    "/fs/hello.txt"), names);
        }
        // The calls are the guest's: the same client answers the pid its agent announced in xenstore.
        try (DomainClient client = DomainClient.forDomain(stateDir, DOMAIN, DomainClient.Options.DEFAULT)) {
            assertEquals(agentPid, client.call(CoreCalls.GETPID));
        }
    }

    /** The storage DifferentialTest's random sequences: in the guest and on dom0's /tmp, the same results. */
    @Test
    @Order(2)
    void differential_theGuestAndDom0sOwnFileSystemAgree() throws Exception {
        Path local = Files.createDirectories(Path.of("/tmp/vos-differential-local"));
        Files.createDirectories(vos("/differential"));
        long t0 = System.nanoTime();
        DifferentialTest.compare(local, seq -> vos("/differential/s" + seq), SEQUENCES);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("vos-fs: " + SEQUENCES + " differential sequences agreed in " + ms + " ms");
        FIGURES.add("vos:// guest: " + SEQUENCES + " differential sequences (both sides)\t" + ms + " ms");
    }

    /**
     * The figure of 4 KiB random reads of a page-cached file: through {@code vos://} (a {@code FileChannel} of the
     * provider: a PREAD on the Xen ring, executed by the guest's kernel) against dom0's own {@code FileChannel}
     * pread of a file with the same bytes, interleaved in batches in the same run (under emulation only the ratio
     * means anything). Every read's bytes are checked against dom0's copy.
     */
    @Test
    @Order(3)
    void figure_4KiBReadsThroughTheGuestAgainstDom0sOwnPread() throws Exception {
        int size = 4 << 20;
        byte[] bytes = new byte[size];
        new Random(14).nextBytes(bytes);
        Path local = Path.of("/tmp/vos-reads-local.bin");
        Files.write(local, bytes);
        Path remote = Files.write(vos("/reads.bin"), bytes);
        Random offsets = new Random(4);
        long[] vosNs = new long[READ_BATCHES];
        long[] dom0Ns = new long[READ_BATCHES];
        try (FileChannel guest = FileChannel.open(remote, StandardOpenOption.READ);
             FileChannel dom0 = FileChannel.open(local, StandardOpenOption.READ)) {
            ByteBuffer a = ByteBuffer.allocateDirect(4096);
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            readBatch(guest, a, dom0, b, offsets, size); // warm: page cache, the JIT, the ring
            readBatch(dom0, b, dom0, b, offsets, size);
            for (int i = 0; i < READ_BATCHES; i++) {
                vosNs[i] = readBatch(guest, a, dom0, b, offsets, size);
                dom0Ns[i] = readBatch(dom0, b, dom0, b, offsets, size);
            }
        }
        Arrays.sort(vosNs);
        Arrays.sort(dom0Ns);
        double vosUs = vosNs[READ_BATCHES / 2] / 1e3 / READS_PER_BATCH;
        double dom0Us = dom0Ns[READ_BATCHES / 2] / 1e3 / READS_PER_BATCH;
        String ratio = String.format(Locale.ROOT, "%.1f", vosUs / dom0Us);
        System.out.printf(Locale.ROOT, "vos-fs: 4 KiB random reads: through the guest %.1f us, dom0's pread %.1f us"
                + " (%sx)%n", vosUs, dom0Us, ratio);
        FIGURES.add(String.format(Locale.ROOT, "vos:// guest: 4 KiB random read, through the guest / dom0's own"
                + " pread (median of %d batches of %d)\t%.1f us / %.1f us\tratio %s", READ_BATCHES,
                READS_PER_BATCH, vosUs, dom0Us, ratio));
    }

    /**
     * {@value #READS_PER_BATCH} reads of 4 KiB at random page-aligned offsets through {@code ch}, each checked
     * against the same range of {@code reference}; the nanoseconds of the reads alone.
     */
    private static long readBatch(FileChannel ch, ByteBuffer buf, FileChannel reference, ByteBuffer check,
                                  Random offsets, int size) throws IOException {
        long[] positions = new long[READS_PER_BATCH];
        byte[][] got = new byte[READS_PER_BATCH][4096];
        long elapsed = 0;
        for (int i = 0; i < READS_PER_BATCH; i++) {
            positions[i] = (long) offsets.nextInt(size / 4096) * 4096;
            buf.clear();
            long t0 = System.nanoTime();
            int n = ch.read(buf, positions[i]);
            elapsed += System.nanoTime() - t0;
            assertEquals(4096, n, "a short read at " + positions[i]);
            buf.flip().get(got[i]);
        }
        for (int i = 0; i < READS_PER_BATCH; i++) {
            check.clear();
            reference.read(check, positions[i]);
            byte[] want = new byte[4096];
            check.flip().get(want);
            assertArrayEquals(want, got[i], "the bytes at " + positions[i]);
        }
        return elapsed;
    }

    /**
     * {@code xl destroy} while a program uses the guest's files: its next call fails within the bound (the ring's
     * {@code DomainFailedException}, a death), calls while the guest is gone fail at once, and after {@code xl
     * create} the same paths work again on generation 2, the client attaching of its own accord.
     */
    @Test
    @Order(4)
    void destroyedGuest_callsFailWithinTheBound_andTheRecreatedGuestServesTheSamePaths() throws Exception {
        Path file = vos("/fs/before-destroy.txt");
        Files.writeString(file, "before");
        long t0 = System.nanoTime();
        xl("destroy", XEN_NAME);
        long destroyMs = (System.nanoTime() - t0) / 1_000_000;
        IOException e = assertThrows(IOException.class, () -> Files.readString(file));
        long failMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(failMs < FAIL_BOUND_MS, "the call failed " + failMs + " ms after xl destroy, bound "
                + FAIL_BOUND_MS + " ms");
        assertFalse(e instanceof DomainUnavailableException, "the call was never sent: " + e);
        DomainFailedException failed = assertInstanceOf(DomainFailedException.class, e, e.toString());
        RingFailure failure = failed.failure().orElseThrow(() -> new AssertionError("no failure in " + e));
        assertInstanceOf(RingFailure.Died.class, failure, failure.describe());
        System.out.println("vos-fs: xl destroy to the failed call " + failMs + " ms (xl's own " + destroyMs
                + " ms): " + e.getMessage());
        FIGURES.add("vos:// guest: xl destroy to Files.readString failed (died)\t" + failMs + " ms\txl destroy itself "
                + destroyMs + " ms");

        Thread.sleep(100); // past the client's retry interval: the next call tries to attach, and finds no guest
        long t1 = System.nanoTime();
        DomainUnavailableException down = assertThrows(DomainUnavailableException.class,
                () -> Files.readString(file));
        assertTrue(down.getMessage().contains("no Xen domain named " + XEN_NAME), down.getMessage());
        assertTrue((System.nanoTime() - t1) / 1_000_000 < 10_000, "a call while the guest is gone took long");

        long ms = createAndAwaitTheAgent();
        // The guest's root is its initramfs: the file died with generation 1. Same paths, a new file system.
        assertFalse(Files.exists(file), "generation 2 has generation 1's file");
        assertFalse(Files.exists(vos("/fs")), "generation 2 has generation 1's directory");
        Files.createDirectory(vos("/fs"));
        Path again = Files.writeString(vos("/fs/after-recreate.txt"), "generation 2");
        assertEquals("generation 2", Files.readString(again));
        try (Stream<Path> walk = Files.walk(vos("/fs"))) {
            assertEquals(List.of("/fs", "/fs/after-recreate.txt"), walk.map(Path::toString).sorted().toList());
        }
        FIGURES.add("vos:// guest: re-created, boot to serving\t" + ms + " ms");
    }

    /** {@code xl create}s the guest and waits for its agent to announce itself serving; the time it took. */
    private static long createAndAwaitTheAgent() throws Exception {
        XlCommand.Serving serving = XlCommand.createAndAwaitTheAgent(cfg, XEN_NAME);
        agentPid = serving.agentPid();
        return serving.ms();
    }

    private static void xlQuietly(String... args) {
        XlCommand.xlQuietly("vos-fs", args);
    }
}
