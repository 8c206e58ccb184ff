package dev.vos.storage.domain;

import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.FileSystemStat;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageCalls.Access;
import dev.vos.storage.protocol.StorageCalls.Chmod;
import dev.vos.storage.protocol.StorageCalls.Chown;
import dev.vos.storage.protocol.StorageCalls.Fallocate;
import dev.vos.storage.protocol.StorageCalls.Stat;
import dev.vos.storage.protocol.StorageCalls.Statfs;
import dev.vos.storage.protocol.StorageCalls.Utimens;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * stat, utimens, chmod, chown, access, fallocate and statfs on real files through a real ring, checked against
 * what NIO reads from the same files.
 */
@Timeout(60)
class MetadataCallsTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final long UNCHANGED = StorageCalls.UTIME_UNCHANGED;

    @TempDir
    Path root;
    Path file;
    StorageRing ring;

    @BeforeEach
    void start() throws Exception {
        file = Files.writeString(root.resolve("file"), "twelve bytes");
        Files.createDirectory(root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        ring = StorageRing.open(StorageRing.table(root), 1);
    }

    @AfterEach
    void stop() throws Exception {
        ring.close();
    }

    private static FileTime nanos(long sinceEpoch) {
        return FileTime.from(Instant.ofEpochSecond(Math.floorDiv(sinceEpoch, 1_000_000_000L),
                Math.floorMod(sinceEpoch, 1_000_000_000L)));
    }

    @Test
    void stat_isWhatNioSees() throws Exception {
        Files.setLastModifiedTime(file, nanos(1_600_000_000_123_456_789L));
        FileStat s = ring.stat("file", 0);
        assertTrue(s.isRegularFile());
        assertEquals(12, s.size());
        assertEquals(Files.getAttribute(file, "unix:ino"), s.ino());
        assertEquals(Files.getAttribute(file, "unix:mode"), s.mode());
        assertEquals(1_600_000_000L, s.mtimeSeconds());
        assertEquals(123_456_789, s.mtimeNanos());
        BasicFileAttributes nio = Files.readAttributes(file, BasicFileAttributes.class);
        assertEquals(nio.lastAccessTime().to(TimeUnit.NANOSECONDS),
                s.atimeSeconds() * 1_000_000_000L + s.atimeNanos());
        FileTime ctime = (FileTime) Files.getAttribute(file, "unix:ctime");
        assertEquals(ctime.to(TimeUnit.NANOSECONDS), s.ctimeSeconds() * 1_000_000_000L + s.ctimeNanos());
        assertNotEquals(FileStat.NO_BTIME, s.btimeSeconds(), "ext4 and tmpfs record a birth time");
        assertEquals(nio.creationTime().to(TimeUnit.SECONDS), s.btimeSeconds());
        // unix:dev is the glibc st_dev encoding of the same major and minor
        long major = s.dev() >>> 32;
        long minor = s.dev() & 0xFFFF_FFFFL;
        long glibcDev = (major & 0xFFFF_F000L) << 32 | (major & 0xFFF) << 8 | (minor & 0xFFFF_FF00L) << 12
                | minor & 0xFF;
        assertEquals(Files.getAttribute(file, "unix:dev"), glibcDev);

        long fd = ring.open("file", O_RDONLY, 0);
        assertEquals(ring.fstat(fd), s, "fstat and stat agree");
    }

    @Test
    void stat_followsOrNotTheFinalSymlink() throws Exception {
        FileStat followed = ring.stat("link", 0);
        assertTrue(followed.isRegularFile());
        assertEquals(Files.getAttribute(file, "unix:ino"), followed.ino());
        FileStat link = ring.stat("link", AT_SYMLINK_NOFOLLOW);
        assertTrue(link.isSymbolicLink());
        assertEquals(4, link.size(), "a link's size is its target's length");
        assertEquals(Files.getAttribute(root.resolve("link"), "unix:ino", NOFOLLOW), link.ino());
        assertTrue(ring.stat("dir", AT_SYMLINK_NOFOLLOW).isDirectory(), "NOFOLLOW on a non-link is plain stat");
    }

    @Test
    void stat_ofDot_isTheRoot() throws Exception {
        FileStat s = ring.stat(".", 0);
        assertTrue(s.isDirectory());
        assertEquals(Files.getAttribute(root, "unix:ino"), s.ino());
        assertEquals(s, ring.stat("dir/..", 0), "'..' that stays beneath the root is fine");
        assertEquals(-Errno.ENOENT, ring.statResult("", 0), "as open(\"\") and the kernel's stat(\"\")");
    }

    @Test
    void stat_errors() throws Exception {
        assertEquals(-Errno.ENOENT, ring.statResult("missing", 0));
        assertEquals(-Errno.ENOENT, ring.statResult("missing", AT_SYMLINK_NOFOLLOW));
        assertEquals(-Errno.ENOTDIR, ring.statResult("file/x", 0));
        assertEquals(-Errno.EINVAL, ring.statResult("file", AT_EMPTY_PATH), "only AT_SYMLINK_NOFOLLOW");
        assertEquals(-Errno.EINVAL, ring.statResult("file", 1));
        assertEquals(-Errno.EINVAL, ring.statResult("file", AT_SYMLINK_NOFOLLOW | (1L << 32)));
        // out range: too short, or outside the data area
        assertEquals(-Errno.EFAULT, Stat.call(ring.client, 0, 4, 0, 0, FileStat.BYTES - 1));
        assertEquals(-Errno.EFAULT, Stat.call(ring.client, 0, 4, 0, -8, FileStat.BYTES));
        assertEquals(-Errno.EFAULT, Stat.call(ring.client, Long.MAX_VALUE, 4, 0, 0, FileStat.BYTES));
    }

    @Test
    void stat_ofAFifo_doesNotOpenIt() throws Exception {
        Path fifo = root.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // O_PATH names the FIFO without opening it: a real open for reading would wait for a writer forever
        assertEquals(0010000, ring.stat("fifo", 0).type(), "S_IFIFO");
        assertEquals(0, ring.chmod("fifo", 0600));
        assertEquals(0, ring.access("fifo", R_OK));
        assertEquals(0, ring.utimens("fifo", UNCHANGED, 1_000_000_000L, 0));
        assertEquals(FileTime.fromMillis(1000), Files.getLastModifiedTime(fifo));
    }

    @Test
    void utimens_setsBothTimesToTheNanosecond() throws Exception {
        assertEquals(0, ring.utimens("file", 1_500_000_000_111_222_333L, 1_600_000_000_444_555_666L, 0));
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW);
        assertEquals(nanos(1_500_000_000_111_222_333L), a.lastAccessTime());
        assertEquals(nanos(1_600_000_000_444_555_666L), a.lastModifiedTime());
        FileStat s = ring.stat("file", 0);
        assertEquals(1_500_000_000L, s.atimeSeconds());
        assertEquals(111_222_333, s.atimeNanos());
    }

    @Test
    void utimens_unchangedLeavesThatTime() throws Exception {
        assertEquals(0, ring.utimens("file", 1_000_000_000_000_000_000L, 1_100_000_000_000_000_000L, 0));
        assertEquals(0, ring.utimens("file", UNCHANGED, 1_200_000_000_000_000_000L, 0));
        FileStat s = ring.stat("file", 0);
        assertEquals(1_000_000_000L, s.atimeSeconds(), "atime kept");
        assertEquals(1_200_000_000L, s.mtimeSeconds());
        assertEquals(0, ring.utimens("file", 1_300_000_000_000_000_000L, UNCHANGED, 0));
        s = ring.stat("file", 0);
        assertEquals(1_300_000_000L, s.atimeSeconds());
        assertEquals(1_200_000_000L, s.mtimeSeconds(), "mtime kept");
        assertEquals(0, ring.utimens("file", UNCHANGED, UNCHANGED, 0));
        assertEquals(s, ring.stat("file", 0), "both unchanged: nothing changes");
    }

    @Test
    void utimens_beforeTheEpoch_isFloored() throws Exception {
        assertEquals(0, ring.utimens("file", UNCHANGED, -1_500_000_000L, 0));
        FileStat s = ring.stat("file", 0);
        assertEquals(-2, s.mtimeSeconds(), "-1.5 s is 2 s before the epoch plus half a second");
        assertEquals(500_000_000, s.mtimeNanos());
        assertEquals(nanos(-1_500_000_000L), Files.getLastModifiedTime(file));
    }

    @Test
    void utimens_followsTheLinkOrSetsTheLinksOwnTimes() throws Exception {
        Path link = root.resolve("link");
        FileTime linkTime = Files.getLastModifiedTime(link, NOFOLLOW);
        assertEquals(0, ring.utimens("link", UNCHANGED, 1_000_000_000_000_000_000L, 0));
        assertEquals(nanos(1_000_000_000_000_000_000L), Files.getLastModifiedTime(file), "the target's time");
        assertEquals(linkTime, Files.getLastModifiedTime(link, NOFOLLOW), "not the link's");

        assertEquals(0, ring.utimens("link", UNCHANGED, 1_100_000_000_000_000_000L, AT_SYMLINK_NOFOLLOW));
        assertEquals(nanos(1_100_000_000_000_000_000L), Files.getLastModifiedTime(link, NOFOLLOW), "the link's");
        assertEquals(nanos(1_000_000_000_000_000_000L), Files.getLastModifiedTime(file), "not the target's");
    }

    @Test
    void utimens_errors() throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        assertEquals(-Errno.ENOENT, ring.utimens("missing", 0, 0, 0));
        assertEquals(-Errno.ENOTDIR, ring.utimens("file/x", 0, 0, 0));
        assertEquals(-Errno.EINVAL, ring.utimens("file", 0, 0, AT_EMPTY_PATH));
        assertEquals(-Errno.EINVAL, ring.utimens("file", 0, 0, AT_SYMLINK_NOFOLLOW | 1));
        assertEquals(before, Files.getLastModifiedTime(file), "refused calls changed nothing");
    }

    @Test
    void chmod_setsPermissionsAndSticky_followingLinks() throws Exception {
        assertEquals(0, ring.chmod("file", 0600));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(0, ring.chmod("link", 0640), "through the link");
        assertEquals(0100640, ring.stat("file", 0).mode());
        assertEquals(0, ring.chmod("dir", 01777));
        assertEquals(0041777, ring.stat("dir", 0).mode(), "sticky directory");
    }

    /**
     * The fallback of a kernel without fchmodat2 (the Xen lab's 6.1 guests), called directly here (this host has
     * it): an O_PATH descriptor's file and directory chmodded through /proc/self/fd, the inode the descriptor
     * holds even after its name is moved away and another file takes it.
     */
    @Test
    void chmodThroughProc_changesTheInodeTheDescriptorHolds() throws Exception {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            int fd = (int) openat2(AT_FDCWD, arena.allocateFrom(file.toString()), O_PATH | O_CLOEXEC, 0, 0);
            int dir = (int) openat2(AT_FDCWD, arena.allocateFrom(root.resolve("dir").toString()),
                    O_PATH | O_CLOEXEC, 0, 0);
            assertTrue(fd >= 0 && dir >= 0, fd + " " + dir);
            try {
                Files.move(file, root.resolve("moved"));
                Files.writeString(file, "another file took the name");
                String newcomer = PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
                assertEquals(0, fchmodThroughProc(fd, 0640));
                assertEquals(0, fchmodThroughProc(dir, 0750));
                assertEquals("rw-r-----", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(root.resolve("moved"))));
                assertEquals(newcomer, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                assertEquals("rwxr-x---", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(root.resolve("dir"))));
            } finally {
                close(fd);
                close(dir);
            }
        }
    }

    @Test
    void chmod_setIdBitsAndStrayBits_areEinval() throws Exception {
        int mode = ring.stat("file", 0).mode();
        assertEquals(-Errno.EINVAL, ring.chmod("file", 04755), "set-uid");
        assertEquals(-Errno.EINVAL, ring.chmod("file", 02755), "set-gid");
        assertEquals(-Errno.EINVAL, ring.chmod("file", 0100644), "file type bits");
        assertEquals(-Errno.EINVAL, ring.chmod("file", -1));
        assertEquals(-Errno.EINVAL, ring.chmod("file", 1L << 32 | 0644), "bits the kernel's mode_t would cut");
        assertEquals(mode, ring.stat("file", 0).mode(), "unchanged");
        assertEquals(-Errno.ENOENT, ring.chmod("missing", 0644));
        assertEquals(-Errno.ENOTDIR, ring.chmod("file/x", 0644));
    }

    @Test
    void chown_changesOwnerAndGroup_minusOneLeavesThem() throws Exception {
        assumeTrue(ring.stat(".", 0).uid() == 0 && "root".equals(System.getProperty("user.name")),
                "giving files away needs root");
        assertEquals(0, ring.chown("file", 1234, 5678, 0));
        assertEquals(1234, Files.getAttribute(file, "unix:uid"));
        assertEquals(5678, Files.getAttribute(file, "unix:gid"));
        assertEquals(0, ring.chown("file", -1, 42, 0));
        assertEquals(1234, Files.getAttribute(file, "unix:uid"), "-1: unchanged");
        assertEquals(42, Files.getAttribute(file, "unix:gid"));
        assertEquals(0, ring.chown("file", 7, -1, 0));
        assertEquals(7, Files.getAttribute(file, "unix:uid"));
        assertEquals(42, Files.getAttribute(file, "unix:gid"), "-1: unchanged");
        assertEquals(0, ring.chown("file", 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0), "(uid_t) -1 as well");
        assertEquals(7, Files.getAttribute(file, "unix:uid"));

        Path link = root.resolve("link");
        assertEquals(0, ring.chown("link", 99, 98, AT_SYMLINK_NOFOLLOW));
        assertEquals(99, Files.getAttribute(link, "unix:uid", NOFOLLOW), "the link itself");
        assertEquals(7, Files.getAttribute(file, "unix:uid"), "not its target");
        assertEquals(0, ring.chown("link", 55, 54, 0));
        assertEquals(55, Files.getAttribute(file, "unix:uid"), "the target");
        assertEquals(99, Files.getAttribute(link, "unix:uid", NOFOLLOW), "not the link");
    }

    @Test
    void chown_errors() throws Exception {
        int uid = ring.stat("file", 0).uid();
        assertEquals(-Errno.EINVAL, ring.chown("file", 1L << 32, -1, 0), "would be cut to uid 0");
        assertEquals(-Errno.EINVAL, ring.chown("file", -1, (1L << 32) | 5, 0));
        assertEquals(-Errno.EINVAL, ring.chown("file", -2, -1, 0));
        assertEquals(-Errno.EINVAL, ring.chown("file", -1, -1, AT_EMPTY_PATH));
        assertEquals(uid, ring.stat("file", 0).uid());
        assertEquals(-Errno.ENOENT, ring.chown("missing", -1, -1, 0));
        assertEquals(-Errno.ENOENT, ring.chown("missing", -1, -1, AT_SYMLINK_NOFOLLOW));
        assertEquals(-Errno.ENOTDIR, ring.chown("file/x", -1, -1, 0));
    }

    @Test
    void access_checksTheModeOnTheFile() throws Exception {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, ring.access("file", F_OK));
        assertEquals(0, ring.access("file", R_OK | W_OK));
        assertEquals(-Errno.EACCES, ring.access("file", X_OK), "no x bit: refused even to root");
        assertEquals(0, ring.access("link", R_OK), "through the link");
        assertEquals(0, ring.access("dir", X_OK));
        assertEquals(0, ring.access(".", R_OK | X_OK), "the root itself");
        assertEquals(-Errno.ENOENT, ring.access("missing", F_OK));
        assertEquals(-Errno.ENOTDIR, ring.access("file/x", F_OK));
        assertEquals(-Errno.EINVAL, ring.access("file", 8));
        assertEquals(-Errno.EINVAL, ring.access("file", -1));
    }

    @Test
    void fallocate_allocatesWithOrWithoutGrowing() throws Exception {
        long fd = ring.open("file", O_RDWR, 0);
        assertEquals(0, Fallocate.call(ring.client, fd, 0, 0, 100_000));
        assertEquals(100_000, Files.size(file));
        assertEquals("twelve bytes", ring.pread(fd, 12, 0), "the data stays");
        long blocks = ring.fstat(fd).blocks();
        assertTrue(blocks * 512 >= 100_000, "allocated: " + blocks + " blocks");

        assertEquals(0, Fallocate.call(ring.client, fd, FALLOC_FL_KEEP_SIZE, 100_000, 1 << 20));
        assertEquals(100_000, Files.size(file), "KEEP_SIZE");
        assertTrue(ring.fstat(fd).blocks() * 512 >= (1 << 20) + 100_000, "allocated beyond the end");
    }

    @Test
    void fallocate_errors() throws Exception {
        long fd = ring.open("file", O_RDWR, 0);
        assertEquals(-Errno.EINVAL, Fallocate.call(ring.client, fd, 2, 0, 4096), "FALLOC_FL_PUNCH_HOLE");
        assertEquals(-Errno.EINVAL, Fallocate.call(ring.client, fd, 3, 0, 4096), "PUNCH_HOLE | KEEP_SIZE");
        assertEquals(-Errno.EINVAL, Fallocate.call(ring.client, fd, 1L << 32, 0, 4096),
                "bits the kernel's int would cut");
        assertEquals(-Errno.EINVAL, Fallocate.call(ring.client, fd, 0, 0, 0), "the kernel's EINVAL for length 0");
        assertEquals(-Errno.EINVAL, Fallocate.call(ring.client, fd, 0, -1, 10), "negative offset");
        assertEquals(12, Files.size(file), "nothing allocated");
        long ro = ring.open("file", O_RDONLY, 0);
        assertEquals(-Errno.EBADF, Fallocate.call(ring.client, ro, 0, 0, 4096), "read-only: the kernel's EBADF");
        assertEquals(-Errno.EBADF, Fallocate.call(ring.client, 99, 0, 0, 4096), "never opened");
        try (StorageRing other = StorageRing.open(StorageRing.table(root), 1)) {
            assertEquals(-Errno.EBADF, Fallocate.call(other.client, fd, 0, 0, 4096), "another session's descriptor");
        }
        assertEquals(12, Files.size(file));
    }

    @Test
    void statfs_isTheRootsFileSystem() throws Exception {
        FileSystemStat s = ring.statfs();
        FileStore store = Files.getFileStore(root);
        assertEquals(store.getTotalSpace(), s.totalBytes(), "total");
        assertTrue(s.freeBytes() <= s.totalBytes() && s.availableBytes() <= s.freeBytes(),
                "available <= free <= total");
        long slack = 1L << 30; // other processes write meanwhile
        assertEquals(store.getUnallocatedSpace(), s.freeBytes(), slack, "free");
        assertEquals(store.getUsableSpace(), s.availableBytes(), slack, "available");
        assertTrue(s.blockSize() >= 512 && Long.bitCount(s.blockSize()) == 1, "block size " + s.blockSize());
    }

    @Test
    void statfs_shortOrOutsideBuffer_isEfault() throws Exception {
        assertEquals(-Errno.EFAULT, Statfs.call(ring.client, 0, FileSystemStat.BYTES - 1));
        assertEquals(-Errno.EFAULT, Statfs.call(ring.client, -1, FileSystemStat.BYTES));
        assertEquals(-Errno.EFAULT, Statfs.call(ring.client, Long.MAX_VALUE, FileSystemStat.BYTES));
    }

    @Test
    void pathOutsideTheDataArea_isEfault() throws Exception {
        Map<String, PathOnly> calls = Map.of(
                "utimens", (offset, length) -> Utimens.call(ring.client, offset, length, 0, 0, 0),
                "chmod", (offset, length) -> Chmod.call(ring.client, offset, length, 0),
                "chown", (offset, length) -> Chown.call(ring.client, offset, length, 0, 0, 0),
                "access", (offset, length) -> Access.call(ring.client, offset, length, 0));
        for (Map.Entry<String, PathOnly> call : calls.entrySet()) {
            assertEquals(-Errno.EFAULT, call.getValue().call(Long.MAX_VALUE - 2, 10), call.getKey());
            assertEquals(-Errno.EFAULT, call.getValue().call(-1, 4), call.getKey());
        }
    }

    /** A call given only its path's payload range, every other argument 0. */
    @FunctionalInterface
    private interface PathOnly {
        long call(long pathOffset, long pathLength) throws Exception;
    }
}
