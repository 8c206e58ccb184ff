package dev.vos.client.fs;

import dev.vos.client.fs.mount.MountTable;
import dev.vos.client.fs.mount.MountedFileSystemProvider;
import dev.vos.ring.DomainFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AsynchronousFileChannel} through the storage domain. One script runs on a folder of the default file system
 * and on the domain, and every step must give the same outcome (value, or exception type and message); then what only
 * the domain can show: many operations in flight at once, a lock that waits for another client, a channel closed
 * under a waiting lock, and operations on a domain that dies.
 */
class AsynchronousFileChannelTest {

    private static final Set<OpenOption> RW = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    /** A second client of the same domain: its own session, whose locks exclude the first's. */
    private static FileSystem other;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir.resolve("vos"));
        other = new VosFileSystemProvider().newFileSystem(URI.create("vos://storage0/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, domain.plane().stateDir()));
    }

    @AfterAll
    static void down() throws Exception {
        other.close();
        domain.close();
    }

    @Test
    void theSameScript_givesTheSameOutcomes_onTheDefaultFileSystemAndThroughTheDomain() throws Exception {
        Files.createDirectories(dir.resolve("local"));
        List<String> local = script(dir.resolve("local"));
        List<String> vos = script(domain.fs().getPath("/"));
        assertTrue(local.size() > 30, "the script ran: " + local);
        assertEquals(String.join("\n", local), String.join("\n", vos), "the default file system, then the domain");
    }

    /** The same script through plain paths of a mount, which a program opens without knowing of vos. */
    @Test
    void theSameScript_givesTheSameOutcomes_throughPlainPathsOfAMount() throws Exception {
        Files.createDirectories(dir.resolve("local-mounted"));
        Files.createDirectories(domain.fs().getPath("/mounted"));
        String prefix = dir.resolve("srv/data").toString();
        MountedFileSystemProvider provider = new MountedFileSystemProvider(FileSystems.getDefault().provider(),
                MountTable.parse("test", prefix + " storage0:/mounted stateDir=" + domain.plane().stateDir(), false));
        FileSystem plainPaths = provider.getFileSystem(URI.create("file:///"));
        Path plain = plainPaths.getPath(prefix);
        List<String> local = script(dir.resolve("local-mounted"));
        List<String> mounted = script(plain);
        assertEquals(String.join("\n", local), String.join("\n", mounted), "the default file system, then a mount");
        assertTrue(Files.exists(domain.exportRoot().resolve("mounted/script")), "the script ran in the domain");
        assertFalse(Files.exists(dir.resolve("srv/data")), "nothing reached the host beneath the mount");
    }

    /** Each step's outcome, as text; paths left out of messages (they differ between the two file systems). */
    private static List<String> script(Path base) throws Exception {
        List<String> seen = new ArrayList<>();
        Path file = base.resolve("script");
        ExecutorService named = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("given-", 0).factory());
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, RW, named)) {
            seen.add("write " + ch.write(ByteBuffer.wrap(bytes(1, 300)), 0).get());
            seen.add("write at 1000 " + ch.write(ByteBuffer.wrap(bytes(2, 40)), 1000).get());
            seen.add("size " + ch.size());
            ByteBuffer dst = ByteBuffer.allocate(64);
            seen.add("read " + ch.read(dst, 280).get() + " " + hex(dst));
            seen.add("read in the hole " + ch.read(ByteBuffer.allocate(8), 500).get());
            seen.add("read at the end " + ch.read(ByteBuffer.allocate(8), 1040).get());
            seen.add("read beyond " + ch.read(ByteBuffer.allocate(8), 5000).get());
            seen.add("read of nothing " + ch.read(ByteBuffer.allocate(0), 0).get());
            seen.add("write of nothing " + ch.write(ByteBuffer.allocate(0), 0).get());
            ByteBuffer direct = ByteBuffer.allocateDirect(20_000);
            seen.add("direct read " + ch.read(direct, 0).get() + " position " + direct.position());
            CompletableFuture<String> handled = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(10), 995, "attached", handler(handled));
            seen.add("handler " + handled.get(10, TimeUnit.SECONDS));
            seen.add(outcome(() -> ch.read(ByteBuffer.allocate(4), -1)));
            seen.add(outcome(() -> ch.write(ByteBuffer.allocate(4), -1)));
            seen.add(outcome(() -> ch.read(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0)));
            seen.add(outcome(() -> {
                ch.read(ByteBuffer.allocate(4), 0, null, null);
                return "no refusal";
            }));
            seen.add(outcome(() -> ch.truncate(-1)));
            seen.add("truncate " + (ch.truncate(2000) == ch) + " size " + ch.size());
            ch.truncate(600);
            seen.add("truncated to " + ch.size());
            ch.force(true);
            ch.force(false);
            FileLock lock = ch.tryLock(0, 100, false);
            seen.add("tryLock " + describe(lock, ch));
            seen.add(outcome(() -> ch.tryLock(50, 10, true)));
            seen.add(outcome(() -> ch.lock(90, 20, false)));
            seen.add(outcome(() -> ch.tryLock(-1, 10, false)));
            seen.add(outcome(() -> ch.tryLock(0, -1, false)));
            seen.add(outcome(() -> ch.tryLock(Long.MAX_VALUE, 10, false)));
            lock.release();
            seen.add("released " + lock.isValid());
            FileLock whole = ch.lock(0, 0, true).get(10, TimeUnit.SECONDS);
            seen.add("lock " + describe(whole, ch));
            whole.close();
            CompletableFuture<String> locked = new CompletableFuture<>();
            ch.lock(10, 20, false, "attached", new CompletionHandler<>() {
                @Override
                public void completed(FileLock result, String attachment) {
                    locked.complete(describe(result, ch) + " " + attachment + " " + Thread.currentThread().getName()
                            .startsWith("given-"));
                }

                @Override
                public void failed(Throwable exc, String attachment) {
                    locked.complete("failed " + exc);
                }
            });
            seen.add("lock by handler " + locked.get(10, TimeUnit.SECONDS));
            FileLock kept = ch.tryLock(300, 10, true);
            ch.close();
            seen.add("open " + ch.isOpen() + ", a lock of it valid " + kept.isValid());
            seen.add("after close: " + futureOutcome(ch.read(ByteBuffer.allocate(4), 0)));
            seen.add("after close: " + futureOutcome(ch.write(ByteBuffer.allocate(4), 0)));
            seen.add("after close, nothing to read: " + futureOutcome(ch.read(ByteBuffer.allocate(0), 0)));
            seen.add("after close: " + futureOutcome(ch.lock(0, 10, false)));
            CompletableFuture<String> afterClose = new CompletableFuture<>();
            ch.read(ByteBuffer.allocate(4), 0, "attached", handler(afterClose));
            seen.add("after close, handler " + afterClose.get(10, TimeUnit.SECONDS));
            seen.add("after close: " + outcome(ch::size));
            seen.add("after close: " + outcome(() -> ch.tryLock(0, 10, false)));
            seen.add("after close: " + outcome(() -> {
                ch.force(false);
                return "forced";
            }));
        } finally {
            named.close();
        }
        try (AsynchronousFileChannel read = AsynchronousFileChannel.open(file)) {
            seen.add("read-only: " + outcome(() -> read.write(ByteBuffer.allocate(4), 0)));
            seen.add("read-only: " + outcome(() -> read.tryLock(0, 10, false)));
            seen.add("read-only: " + outcome(() -> read.truncate(0)));
            ByteBuffer dst = ByteBuffer.allocate(1000);
            seen.add("read-only read " + read.read(dst, 0).get() + " " + Arrays.hashCode(dst.array()));
        }
        try (AsynchronousFileChannel write = AsynchronousFileChannel.open(file, StandardOpenOption.WRITE)) {
            seen.add("write-only: " + outcome(() -> write.read(ByteBuffer.allocate(4), 0)));
            seen.add("write-only: " + outcome(() -> write.tryLock(0, 10, true)));
        }
        seen.add(outcome(() -> AsynchronousFileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)));
        seen.add(outcome(() -> AsynchronousFileChannel.open(base.resolve("absent"), StandardOpenOption.READ))
                .replace(base.resolve("absent").toString(), "PATH"));
        try (AsynchronousFileChannel created = AsynchronousFileChannel.open(base.resolve("created"),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            seen.add("created, size " + created.size());
        }
        seen.add("on disk " + Files.size(file) + " " + Arrays.hashCode(Files.readAllBytes(file)));
        return seen;
    }

    private static CompletionHandler<Integer, String> handler(CompletableFuture<String> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(Integer result, String attachment) {
                into.complete("completed " + result + " " + attachment);
            }

            @Override
            public void failed(Throwable exc, String attachment) {
                into.complete("failed " + exc + " " + attachment);
            }
        };
    }

    private static String describe(FileLock lock, AsynchronousFileChannel ch) {
        return lock.position() + "+" + lock.size() + " shared " + lock.isShared() + " valid " + lock.isValid()
                + " ours " + (lock.acquiredBy() == ch) + " channel " + lock.channel();
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static String outcome(Step step) {
        try {
            Object result = step.run();
            return result instanceof Future<?> f ? futureOutcome(f) : "returned " + result;
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static String futureOutcome(Future<?> future) {
        try {
            return "completed " + future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "failed " + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
        } catch (InterruptedException | TimeoutException e) {
            return "no outcome: " + e;
        }
    }

    private static byte[] bytes(int seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    private static String hex(ByteBuffer b) {
        return HexFormat.of().formatHex(b.array(), 0, b.position());
    }

    /**
     * 512 reads in flight at once on the default executor (a virtual thread each), each of its own 4 KiB block
     * of a 2 MiB file, and 64 writes of 64 KiB (two payload chunks and more each): every one gets its own bytes.
     */
    @Test
    void manyOperationsInFlight_eachGetsItsOwnBytes() throws Exception {
        Path file = domain.fs().getPath("/many");
        byte[] content = bytes(5, 2 << 20);
        Files.write(file, content);
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            List<Future<Integer>> reads = new ArrayList<>();
            List<ByteBuffer> into = new ArrayList<>();
            for (int i = 0; i < 512; i++) {
                ByteBuffer dst = ByteBuffer.allocate(4096);
                into.add(dst);
                reads.add(ch.read(dst, i * 4096L));
            }
            for (int i = 0; i < 512; i++) {
                assertEquals(4096, reads.get(i).get(30, TimeUnit.SECONDS), "read " + i);
                assertArrayEquals(Arrays.copyOfRange(content, i * 4096, (i + 1) * 4096), into.get(i).array(),
                        "block " + i);
            }
            List<Future<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                writes.add(ch.write(ByteBuffer.wrap(bytes(100 + i, 65_536)), 3L * (1 << 20) + i * 65_536L));
            }
            for (Future<Integer> w : writes) {
                assertEquals(65_536, w.get(30, TimeUnit.SECONDS));
            }
            ch.force(true);
        }
        byte[] onDisk = Files.readAllBytes(domain.exportRoot().resolve("many"));
        for (int i = 0; i < 64; i++) {
            int at = 3 * (1 << 20) + i * 65_536;
            assertArrayEquals(bytes(100 + i, 65_536), Arrays.copyOfRange(onDisk, at, at + 65_536), "write " + i);
        }
    }

    /**
     * A lock that another client holds: the future waits (the domain never does), completes once the other
     * releases, and a close of the channel under a waiting lock fails it with AsynchronousCloseException.
     */
    @Test
    void aLockHeldByAnotherClient_isWaitedFor_andACloseEndsTheWait() throws Exception {
        Path file = Files.write(domain.fs().getPath("/contended"), bytes(3, 100));
        try (FileChannel theirs = FileChannel.open(other.getPath("/contended"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock held = theirs.lock();
            AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            assertEquals(null, ch.tryLock(), "the other client holds it");
            Future<FileLock> waiting = ch.lock();
            assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
            held.release();
            FileLock mine = waiting.get(10, TimeUnit.SECONDS);
            assertTrue(mine.isValid() && mine.acquiredBy() == ch);
            assertEquals(null, theirs.tryLock(), "now the other client is excluded");
            mine.release();

            held = theirs.lock();
            Future<FileLock> closedUnder = ch.lock(0, 10, true);
            assertThrows(TimeoutException.class, () -> closedUnder.get(200, TimeUnit.MILLISECONDS));
            ch.close();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> closedUnder.get(10, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            held.release();
        }
        try (AsynchronousFileChannel again = AsynchronousFileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = again.tryLock();
            assertTrue(lock != null && lock.isValid(), "the closed channel's waiting lock left nothing behind");
        }
    }

    /** cancel(true) of a waiting operation closes the channel, as the JDK's does. */
    @Test
    void cancellingAWaitingLock_closesTheChannel() throws Exception {
        Path file = Files.write(domain.fs().getPath("/cancelled"), bytes(4, 10));
        try (FileChannel theirs = FileChannel.open(other.getPath("/cancelled"), StandardOpenOption.WRITE);
             AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock held = theirs.lock();
            Future<FileLock> waiting = ch.lock();
            assertTrue(waiting.cancel(true));
            assertFalse(ch.isOpen(), "a forceful cancel closes the channel");
            assertThrows(java.util.concurrent.CancellationException.class, waiting::get);
            held.release();
        }
    }

    /**
     * The domain stopped (SIGSTOP) with reads in flight, then killed: every future fails with an IOException of
     * the dead generation within the ring's bound, none hangs, and a new channel on the next generation works.
     */
    @Test
    void operationsInFlight_failWhenTheDomainDies_andANewChannelWorks() throws Exception {
        Path file = Files.write(domain.fs().getPath("/dies"), bytes(6, 64 * 1024));
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(4096, ch.read(ByteBuffer.allocate(4096), 0).get(10, TimeUnit.SECONDS));
            domain.stopAndAwaitStopped(); // SIGSTOP: the calls below wait in the ring
            List<Future<Integer>> inFlight = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                inFlight.add(ch.read(ByteBuffer.allocate(4096), i * 4096L));
            }
            assertThrows(TimeoutException.class, () -> inFlight.get(0).get(100, TimeUnit.MILLISECONDS));
            domain.killAndAwaitRestart();
            for (Future<Integer> f : inFlight) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertInstanceOf(IOException.class, e.getCause());
                assertTrue(e.getCause() instanceof DomainFailedException
                        || e.getCause().getMessage().contains("restarted"), e.getCause().toString());
            }
        }
        try (AsynchronousFileChannel again = AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer dst = ByteBuffer.allocate(100);
            assertEquals(100, again.read(dst, 0).get(10, TimeUnit.SECONDS));
            assertArrayEquals(Arrays.copyOf(bytes(6, 64 * 1024), 100), dst.array());
        }
    }
}
