package dev.vos.storage.domain;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageCalls;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One client session of a storage table, in process: a real ring on a /dev/shm segment, a real server, real
 * system calls. The methods put paths and buffers into the slot's payload and return the raw result.
 */
final class StorageRing implements AutoCloseable {

    private static final AtomicInteger SEGMENTS = new AtomicInteger();

    final RingClient client;
    final RingServer server;

    private StorageRing(RingClient client, RingServer server) {
        this.client = client;
        this.server = server;
    }

    /** The table a storage agent exporting {@code root} would serve. */
    static CallTable table(Path root) {
        CallTable.Builder b = CoreCallHandlers.register(CallTable.builder());
        new StorageCallTableProvider().register(b, Map.of(StorageCallTableProvider.EXPORT_ROOT, root.toString()));
        return b.build();
    }

    /** A new session of {@code table}. */
    static StorageRing open(CallTable table, int workers) throws Exception {
        Path file = SegmentFiles.path("test", "storage-" + SEGMENTS.incrementAndGet());
        Files.deleteIfExists(file);
        RingClient client = RingClient.create(file, RingGeometry.DEFAULT, 1, WaitStrategy.sleeping());
        RingServer server = RingServer.attach(file, table, ServerOptions.DEFAULT.withWorkers(workers));
        client.awaitServer(Duration.ofSeconds(5));
        return new StorageRing(client, server);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    long open(String path, int flags, int mode) throws Exception {
        return open(utf8(path), flags, mode);
    }

    long open(byte[] path, int flags, int mode) throws Exception {
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(path));
            return slot.call(StorageCalls.OPEN, slot.dataOffset(), path.length, flags, mode, 0, 0);
        }
    }

    long close(long fd) throws Exception {
        return client.call(StorageCalls.CLOSE, fd, 0, 0, 0, 0, 0);
    }

    long pwrite(long fd, String text, long offset) throws Exception {
        byte[] bytes = utf8(text);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(bytes));
            return slot.call(StorageCalls.PWRITE, fd, slot.dataOffset(), bytes.length, offset, 0, 0);
        }
    }

    /** The bytes read as text, or "-ERRNO" for a failure. */
    String pread(long fd, int count, long offset) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = slot.call(StorageCalls.PREAD, fd, slot.dataOffset(), count, offset, 0, 0);
            if (n < 0) {
                return dev.vos.sys.Errno.describe(n);
            }
            return new String(slot.data().asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    long fsync(long fd) throws Exception {
        return client.call(StorageCalls.FSYNC, fd, 0, 0, 0, 0, 0);
    }

    long fdatasync(long fd) throws Exception {
        return client.call(StorageCalls.FDATASYNC, fd, 0, 0, 0, 0, 0);
    }

    long ftruncate(long fd, long length) throws Exception {
        return client.call(StorageCalls.FTRUNCATE, fd, length, 0, 0, 0, 0);
    }

    /** The file's figures; fails the test on an error (use {@link #fstatResult} to see it). */
    FileStat fstat(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long r = slot.call(StorageCalls.FSTAT, fd, slot.dataOffset(), FileStat.BYTES, 0, 0, 0);
            if (r != FileStat.BYTES) {
                throw new AssertionError("fstat: " + dev.vos.sys.Errno.describe(r));
            }
            return FileStat.decode(slot.data());
        }
    }

    long fstatResult(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            return slot.call(StorageCalls.FSTAT, fd, slot.dataOffset(), FileStat.BYTES, 0, 0, 0);
        }
    }

    long unlink(String path, int flags) throws Exception {
        return pathCall(StorageCalls.UNLINK, utf8(path), flags);
    }

    long mkdir(String path, int mode) throws Exception {
        return pathCall(StorageCalls.MKDIR, utf8(path), mode);
    }

    long mkdir(byte[] path, int mode) throws Exception {
        return pathCall(StorageCalls.MKDIR, path, mode);
    }

    /** A call whose arguments are a path in the payload, then {@code args}. */
    private long pathCall(int call, byte[] path, long... args) throws Exception {
        long[] a = java.util.Arrays.copyOf(args, 4);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(path));
            return slot.call(call, slot.dataOffset(), path.length, a[0], a[1], a[2], a[3]);
        }
    }

    /** The figures of {@code path}; fails the test on an error (use {@link #statResult} to see it). */
    FileStat stat(String path, int flags) throws Exception {
        byte[] p = utf8(path);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(p));
            long out = slot.dataOffset() + p.length;
            long r = slot.call(StorageCalls.STAT, slot.dataOffset(), p.length, flags, out, FileStat.BYTES, 0);
            if (r != FileStat.BYTES) {
                throw new AssertionError("stat " + path + ": " + dev.vos.sys.Errno.describe(r));
            }
            return FileStat.decode(slot.data().asSlice(p.length));
        }
    }

    long statResult(String path, long flags) throws Exception {
        byte[] p = utf8(path);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(p));
            return slot.call(StorageCalls.STAT, slot.dataOffset(), p.length, flags, slot.dataOffset() + p.length,
                    FileStat.BYTES, 0);
        }
    }

    /** One getdents of at most {@code count} bytes: the records, or a failure as an AssertionError. */
    byte[] getdents(long fd, int count) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = slot.call(StorageCalls.GETDENTS, fd, slot.dataOffset(), count, 0, 0, 0);
            if (n < 0) {
                throw new AssertionError("getdents: " + dev.vos.sys.Errno.describe(n));
            }
            return slot.data().asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    long getdentsResult(long fd, int count) throws Exception {
        try (CallSlot slot = client.acquire()) {
            return slot.call(StorageCalls.GETDENTS, fd, slot.dataOffset(), count, 0, 0, 0);
        }
    }

    long symlink(String target, String link) throws Exception {
        return symlink(utf8(target), link);
    }

    long symlink(byte[] target, String link) throws Exception {
        byte[] l = utf8(link);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(target));
            slot.data().asSlice(target.length).copyFrom(MemorySegment.ofArray(l));
            return slot.call(StorageCalls.SYMLINK, slot.dataOffset(), target.length, slot.dataOffset() + target.length,
                    l.length, 0, 0);
        }
    }

    /** The link's target as text, or "-ERRNO" for a failure. */
    String readlink(String path, int size) throws Exception {
        byte[] p = utf8(path);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(p));
            long n = slot.call(StorageCalls.READLINK, slot.dataOffset(), p.length, slot.dataOffset() + p.length,
                    size, 0, 0);
            if (n < 0) {
                return dev.vos.sys.Errno.describe(n);
            }
            return new String(slot.data().asSlice(p.length, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    long utimens(String path, long atimeNs, long mtimeNs, int flags) throws Exception {
        return pathCall(StorageCalls.UTIMENS, utf8(path), atimeNs, mtimeNs, flags);
    }

    long chmod(String path, long mode) throws Exception {
        return pathCall(StorageCalls.CHMOD, utf8(path), mode);
    }

    long chown(String path, long uid, long gid, int flags) throws Exception {
        return pathCall(StorageCalls.CHOWN, utf8(path), uid, gid, flags);
    }

    long fallocate(long fd, long mode, long offset, long length) throws Exception {
        return client.call(StorageCalls.FALLOCATE, fd, mode, offset, length, 0, 0);
    }

    long lock(long fd, long type, long start, long length) throws Exception {
        return client.call(StorageCalls.LOCK, fd, type, start, length, 0, 0);
    }

    long access(String path, long mode) throws Exception {
        return pathCall(StorageCalls.ACCESS, utf8(path), mode);
    }

    /** STATFS's four longs, or a failure as an AssertionError. */
    long[] statfs() throws Exception {
        try (CallSlot slot = client.acquire()) {
            long r = slot.call(StorageCalls.STATFS, slot.dataOffset(), StorageCalls.STATFS_BYTES, 0, 0, 0, 0);
            if (r != StorageCalls.STATFS_BYTES) {
                throw new AssertionError("statfs: " + dev.vos.sys.Errno.describe(r));
            }
            return slot.data().asSlice(0, StorageCalls.STATFS_BYTES).toArray(java.lang.foreign.ValueLayout.JAVA_LONG);
        }
    }

    long rename(String from, String to, int flags) throws Exception {
        byte[] a = utf8(from);
        byte[] b = utf8(to);
        try (CallSlot slot = client.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(a));
            slot.data().asSlice(a.length).copyFrom(MemorySegment.ofArray(b));
            return slot.call(StorageCalls.RENAME, slot.dataOffset(), a.length, slot.dataOffset() + a.length, b.length,
                    flags, 0);
        }
    }

    long nop() throws Exception {
        return client.call(CoreCalls.NOP);
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.awaitTermination();
    }

    /** How many of this process's descriptors are open on {@code file} (the agent here runs in this process). */
    static long kernelDescriptorsOn(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }
}
