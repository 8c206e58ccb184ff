package dev.vos.client.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FileChannel locks through the storage domain: two clients (two sessions of the same domain) exclude each
 * other, a process on the host using the default file system is excluded too, and a lock goes with its channel,
 * its release, or the domain's death.
 */
class FileLockTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    private static FileSystem a;
    private static FileSystem b;
    /** Rounds of the close-and-lock race; each closes 0-16 us after the lock began, in 250 ns steps. */
    private static final int ROUNDS = 2000;

    @BeforeAll
    static void up() throws Exception {
        domain = StorageDomain.start(dir);
        a = domain.fs();
        // A second client of the same domain: its own provider instance, its own session and descriptor table.
        b = new VosFileSystemProvider().newFileSystem(URI.create("vos://storage0/"),
                Map.of(VosFileSystemProvider.ENV_STATE_DIR, domain.plane().stateDir()));
    }

    @AfterAll
    static void down() throws Exception {
        b.close();
        domain.close();
    }

    private static FileChannel rw(FileSystem fs, String name) throws Exception {
        return FileChannel.open(fs.getPath(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @Test
    void anExclusiveLock_excludesTheOtherClient_andTheHost_untilReleased() throws Exception {
        try (FileChannel ca = rw(a, "/x.lock"); FileChannel cb = rw(b, "/x.lock");
             FileChannel host = FileChannel.open(domain.exportRoot().resolve("x.lock"), StandardOpenOption.WRITE)) {
            FileLock held = ca.lock();
            assertTrue(held.isValid());
            assertNull(cb.tryLock(), "the other client must not get the lock");
            assertNull(host.tryLock(), "a host process using the default file system must not get the lock");
            held.release();
            assertFalse(held.isValid());
            FileLock now = cb.tryLock();
            assertNotNull(now, "released: the other client gets it");
            now.release();
        }
    }

    @Test
    void sharedLocks_coexist_andExcludeAnExclusiveOne() throws Exception {
        try (FileChannel ca = rw(a, "/s.lock"); FileChannel cb = rw(b, "/s.lock");
             FileChannel host = FileChannel.open(domain.exportRoot().resolve("s.lock"), StandardOpenOption.WRITE)) {
            FileLock ra = ca.lock(0, 100, true);
            FileLock rb = cb.tryLock(0, 100, true);
            assertNotNull(rb);
            assertNull(host.tryLock(50, 10, false), "an exclusive lock within the shared ones is refused");
            FileLock free = cb.tryLock(200, 10, false);
            assertNotNull(free, "a range nobody holds is free");
            free.release();
            ra.release();
            rb.release();
        }
    }

    @Test
    void anOverlappingLockInTheSameJvm_isRefused_asTheJdkRefusesIt() throws Exception {
        try (FileChannel c1 = rw(a, "/o.lock"); FileChannel c2 = rw(a, "/o.lock")) {
            FileLock l = c1.lock(0, 10, false);
            assertThrows(OverlappingFileLockException.class, () -> c2.tryLock(5, 10, false));
            assertThrows(OverlappingFileLockException.class, () -> c1.lock(0, 1, false));
            l.release();
            c2.tryLock(5, 10, false).release();
        }
        try (FileChannel ro = FileChannel.open(a.getPath("/o.lock"))) {
            assertThrows(NonWritableChannelException.class, () -> ro.tryLock());
        }
    }

    @Test
    void lock_waitsForTheHolder_andClosingAChannel_dropsItsLocks() throws Exception {
        try (FileChannel ca = rw(a, "/w.lock"); FileChannel cb = rw(b, "/w.lock")) {
            ca.lock();
            CompletableFuture<FileLock> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return cb.lock();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Thread.sleep(200);
            assertFalse(waiting.isDone(), "lock() must wait while the other client holds it");
            ca.close(); // the descriptor, and its lock, go
            assertTrue(waiting.get(10, TimeUnit.SECONDS).isValid());
        }
    }

    @Test
    void aCloseRacingALock_leavesNoLockInThisJvmsTable() throws Exception {
        // Whatever the order of a close and a channel's first lock, the lock is refused, or granted and then gone
        // with the close; no entry stays in this JVM's table and no lock in the domain.
        for (int round = 0; round < ROUNDS; round++) {
            FileChannel racing = rw(a, "/race.lock");
            CountDownLatch locking = new CountDownLatch(1);
            Thread locker = Thread.ofPlatform().start(() -> {
                try {
                    locking.countDown();
                    racing.lock();
                } catch (Exception e) {
                    // refused because of the close: the outcome the JDK allows too
                }
            });
            locking.await();
            long closeAt = System.nanoTime() + (round % 64) * 250L; // 0-16 us after the lock began: its first call
            while (System.nanoTime() < closeAt) {
                Thread.onSpinWait();
            }
            racing.close();
            locker.join(10_000);
            try (FileChannel next = rw(a, "/race.lock")) {
                FileLock lock = next.tryLock(); // OverlappingFileLockException if the racing lock stayed behind
                assertNotNull(lock, "round " + round + ": the closed channel's lock must be gone from the domain");
                lock.release();
            }
        }
    }

    @Test
    void theDomainsDeath_dropsItsClientsLocks() throws Exception {
        Files.writeString(domain.exportRoot().resolve("d.lock"), "");
        try (FileChannel ca = rw(a, "/d.lock");
             FileChannel host = FileChannel.open(domain.exportRoot().resolve("d.lock"), StandardOpenOption.WRITE)) {
            ca.lock();
            assertNull(host.tryLock());
            domain.killAndAwaitRestart();
            FileLock hostLock = host.tryLock();
            assertNotNull(hostLock, "the dead domain's locks went with it");
            hostLock.release();
        }
    }
}
