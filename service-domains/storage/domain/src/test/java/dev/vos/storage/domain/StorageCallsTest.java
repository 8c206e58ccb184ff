package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/** The storage calls on real files, through a real ring: round trips and the kernel's errno answers. */
@Timeout(60)
class StorageCallsTest {

    @TempDir
    Path root;
    StorageRing ring;

    @BeforeEach
    void start() throws Exception {
        ring = StorageRing.open(StorageRing.table(root), 1);
    }

    @AfterEach
    void stop() throws Exception {
        ring.close();
    }

    @Test
    void writeReadSyncStatTruncate_roundTrip() throws Exception {
        long fd = ring.open("f.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
        assertEquals(DescriptorTable.FIRST, StorageRing.index(fd));
        assertEquals(11, ring.pwrite(fd, "hello world", 0));
        assertEquals(5, ring.pwrite(fd, "WORLD", 6));
        assertEquals("hello WORLD", ring.pread(fd, 100, 0));
        assertEquals("WORLD", ring.pread(fd, 100, 6));
        assertEquals("", ring.pread(fd, 100, 11), "end of file reads 0 bytes");
        assertEquals(0, Fsync.call(ring.client, fd));
        assertEquals(0, Fdatasync.call(ring.client, fd));

        FileStat stat = ring.fstat(fd);
        assertEquals(11, stat.size());
        assertTrue(stat.isRegularFile());
        assertEquals(0644, stat.mode() & 0777);
        assertEquals(1, stat.nlink());
        assertEquals(Files.getAttribute(root.resolve("f.txt"), "unix:ino"), stat.ino());

        assertEquals(0, Ftruncate.call(ring.client, fd, 5));
        assertEquals(5, ring.fstat(fd).size());
        assertEquals("hello", ring.pread(fd, 100, 0));
        assertEquals("hello", Files.readString(root.resolve("f.txt")), "the real file changed");
        assertEquals(0, Close.call(ring.client, fd));
    }

    @Test
    void mkdirRenameUnlink_roundTrip() throws Exception {
        assertEquals(0, ring.mkdir("d", 0755));
        assertTrue(Files.isDirectory(root.resolve("d")));
        assertEquals(0, ring.mkdir("d/e", 0700));
        long fd = ring.open("d/e/a", O_WRONLY | O_CREAT, 0600);
        assertEquals(3, ring.pwrite(fd, "abc", 0));
        assertEquals(0, Close.call(ring.client, fd));

        assertEquals(0, ring.rename("d/e/a", "d/b", 0));
        assertEquals("abc", Files.readString(root.resolve("d/b")));
        assertFalse(Files.exists(root.resolve("d/e/a")));

        Files.writeString(root.resolve("c"), "c");
        assertEquals(-Errno.EEXIST, ring.rename("c", "d/b", RENAME_NOREPLACE));
        assertEquals(0, ring.rename("c", "d/b", RENAME_EXCHANGE));
        assertEquals("c", Files.readString(root.resolve("d/b")));
        assertEquals("abc", Files.readString(root.resolve("c")));

        long dir = ring.open("d", O_RDONLY | O_DIRECTORY, 0);
        assertTrue(ring.fstat(dir).isDirectory());
        assertEquals(0, Close.call(ring.client, dir));

        assertEquals(0, ring.unlink("d/b", 0));
        assertEquals(-Errno.EISDIR, ring.unlink("d/e", 0));
        assertEquals(0, ring.unlink("d/e", AT_REMOVEDIR));
        assertEquals(0, ring.unlink("d", AT_REMOVEDIR));
        assertFalse(Files.exists(root.resolve("d")));
    }

    @Test
    void symlinkInsideTheRoot_isFollowed() throws Exception {
        Files.createDirectory(root.resolve("a"));
        Files.writeString(root.resolve("a/target"), "inside");
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/target"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("../a/target"));
        long fd = ring.open("link", O_RDONLY, 0);
        assertEquals("inside", ring.pread(fd, 100, 0));
        long fd2 = ring.open("a/up", O_RDONLY, 0);
        assertEquals("inside", ring.pread(fd2, 100, 0));
        assertEquals(-Errno.ELOOP, ring.open("link", O_RDONLY | O_NOFOLLOW, 0));
    }

    @Test
    void errnos_areTheKernels() throws Exception {
        Files.writeString(root.resolve("file"), "x");
        Files.createDirectory(root.resolve("dir"));
        assertEquals(-Errno.ENOENT, ring.open("missing", O_RDONLY, 0));
        assertEquals(-Errno.ENOENT, ring.open("", O_RDONLY, 0));
        assertEquals(-Errno.EEXIST, ring.open("file", O_WRONLY | O_CREAT | O_EXCL, 0600));
        assertEquals(-Errno.EISDIR, ring.open("dir", O_WRONLY, 0));
        assertEquals(-Errno.ENOTDIR, ring.open("file/x", O_RDONLY, 0));
        assertEquals(-Errno.ENOTDIR, ring.open("file", O_RDONLY | O_DIRECTORY, 0));
        assertEquals(-Errno.EEXIST, ring.mkdir("dir", 0755));
        assertEquals(-Errno.ENOENT, ring.mkdir("missing/dir", 0755));
        assertEquals(-Errno.ENOENT, ring.unlink("missing", 0));
        assertEquals(-Errno.ENOTDIR, ring.unlink("file", AT_REMOVEDIR));
        assertEquals(-Errno.ENOENT, ring.rename("missing", "x", 0));

        long fd = ring.open("file", O_RDONLY, 0);
        assertEquals("-EBADF", ring.pread(fd + 1, 10, 0), "never opened");
        assertEquals(-Errno.EBADF, ring.pwrite(fd, "y", 0), "opened read-only: the kernel's EBADF");
        assertEquals(-Errno.EINVAL, Ftruncate.call(ring.client, fd, 0), "read-only descriptor: the kernel's EINVAL");
        assertEquals(-Errno.EINVAL, ring.pwrite(ring.open("file", O_RDWR, 0), "y", -1), "negative offset");
        assertEquals(0, Close.call(ring.client, fd));
        assertEquals(-Errno.EBADF, Close.call(ring.client, fd), "closed twice");
        assertEquals("-EBADF", ring.pread(fd, 10, 0), "closed");
        assertEquals(-Errno.EBADF, Fsync.call(ring.client, fd));
        assertEquals(-Errno.EBADF, ring.fstatResult(fd));
        assertEquals(-Errno.EBADF, Close.call(ring.client, -1));
        assertEquals(-Errno.EBADF, Close.call(ring.client, Long.MAX_VALUE));
    }

    @Test
    void flagsAndModesOutsideTheContract_areEinval() throws Exception {
        assertEquals(-Errno.EINVAL, ring.open("x", O_RDONLY | O_PATH, 0), "O_PATH");
        assertEquals(-Errno.EINVAL, ring.open("x", O_WRONLY | O_CREAT, 04755), "set-uid");
        assertEquals(-Errno.EINVAL, ring.open("x", O_ACCMODE, 0));
        assertEquals(-Errno.EINVAL, ring.mkdir("x", 01777), "sticky");
        assertEquals(-Errno.EINVAL, ring.unlink("x", 1));
        assertEquals(-Errno.EINVAL, ring.rename("x", "y", 4), "RENAME_WHITEOUT");
        assertFalse(Files.exists(root.resolve("x")));
    }

    @Test
    void numbersCountFromThree_andAClosedOneIsNotReused() throws Exception {
        Files.writeString(root.resolve("f"), "f");
        long a = ring.open("f", O_RDONLY, 0);
        long b = ring.open("f", O_RDONLY, 0);
        long c = ring.open("f", O_RDONLY, 0);
        assertArrayEquals(new long[] {3, 4, 5},
                new long[] {StorageRing.index(a), StorageRing.index(b), StorageRing.index(c)});
        assertEquals(0, Close.call(ring.client, b));
        long d = ring.open("f", O_RDONLY, 0);
        assertEquals(b >>> 32, d >>> 32, "the session's nonce");
        assertEquals(6, StorageRing.index(d), "a new serial, not the closed 4: see SessionNumbers");
    }

    @Test
    void payloadOutsideTheDataArea_isEfault() throws Exception {
        assertEquals(-Errno.EFAULT, StorageCalls.Open.call(ring.client, Long.MAX_VALUE - 2, 10, O_RDONLY, 0));
        assertEquals(-Errno.EFAULT, StorageCalls.Pread.call(ring.client, 3, -1, 10, 0));
        assertEquals(-Errno.EFAULT, StorageCalls.Fstat.call(ring.client, 3, 0, FileStat.BYTES - 1));
    }

    @Test
    void theTable_hasEveryCallNamed() {
        CallTable table = StorageRing.table(root);
        assertEquals("open", table.name(StorageCalls.OPEN));
        assertEquals("rename", table.name(StorageCalls.RENAME));
        String[] next = {"stat", "getdents", "symlink", "readlink", "utimens", "chmod", "chown", "fallocate", "access",
                "statfs"};
        for (int i = 0; i < next.length; i++) {
            assertEquals(next[i], table.name(StorageCalls.STAT + i), "call " + (StorageCalls.STAT + i));
            assertNotNull(table.handler(StorageCalls.STAT + i));
        }
        assertEquals(84, StorageCalls.STATFS, "the numbers the table's javadoc gives");
        assertNotNull(table.handler(StorageCalls.FSTAT));
    }
}
