package dev.vos.storage.domain;

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
import dev.vos.storage.protocol.FileSystemStat;
import dev.vos.storage.protocol.StorageCalls.Access;
import dev.vos.storage.protocol.StorageCalls.Append;
import dev.vos.storage.protocol.StorageCalls.Chmod;
import dev.vos.storage.protocol.StorageCalls.Chown;
import dev.vos.storage.protocol.StorageCalls.Fstat;
import dev.vos.storage.protocol.StorageCalls.Getdents;
import dev.vos.storage.protocol.StorageCalls.Mkdir;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.storage.protocol.StorageCalls.Readlink;
import dev.vos.storage.protocol.StorageCalls.Rename;
import dev.vos.storage.protocol.StorageCalls.Stat;
import dev.vos.storage.protocol.StorageCalls.Statfs;
import dev.vos.storage.protocol.StorageCalls.Symlink;
import dev.vos.storage.protocol.StorageCalls.Unlink;
import dev.vos.storage.protocol.StorageCalls.Utimens;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One client session of a storage table, in process: a real ring on a /dev/shm segment, a real server, real
 * system calls. Calls go out through the protocol's encoders; what this adds is putting paths into the slot's
 * payload ({@link #onPaths}) and turning answers into text or records for assertions.
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
        return table(root, Map.of());
    }

    /** The table a storage agent exporting {@code root} with the agent options {@code options} would serve. */
    static CallTable table(Path root, Map<String, String> options) {
        CallTable.Builder b = CoreCallHandlers.register(CallTable.builder());
        Map<String, String> all = new HashMap<>(options);
        all.put(StorageCallTableProvider.EXPORT_ROOT, root.toString());
        new StorageCallTableProvider().register(b, all);
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

    /**
     * Where {@link #onPaths} put the paths in {@code slot}'s payload: path {@code i} at {@code offset(i)},
     * {@code length(i)} bytes long, and {@link #end} the first payload offset after the last.
     */
    record Paths(CallSlot slot, long[] offsets, long[] lengths, long end) {
        long offset(int i) {
            return offsets[i];
        }

        long length(int i) {
            return lengths[i];
        }
    }

    /** What runs on the slot once its paths are in place. */
    @FunctionalInterface
    interface OnPaths<T> {
        T run(Paths paths) throws Exception;
    }

    /** Puts {@code paths} back to back at the start of a slot's payload and runs {@code body} on that slot. */
    <T> T onPaths(OnPaths<T> body, byte[]... paths) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long[] offsets = new long[paths.length];
            long[] lengths = new long[paths.length];
            long at = 0;
            for (int i = 0; i < paths.length; i++) {
                slot.data().asSlice(at).copyFrom(MemorySegment.ofArray(paths[i]));
                offsets[i] = slot.dataOffset() + at;
                lengths[i] = paths[i].length;
                at += paths[i].length;
            }
            return body.run(new Paths(slot, offsets, lengths, slot.dataOffset() + at));
        }
    }

    long open(String path, int flags, int mode) throws Exception {
        return open(utf8(path), flags, mode);
    }

    long open(byte[] path, int flags, int mode) throws Exception {
        return onPaths(p -> Open.call(p.slot(), p.offset(0), p.length(0), flags, mode), path);
    }

    long pwrite(long fd, String text, long offset) throws Exception {
        return onPaths(p -> Pwrite.call(p.slot(), fd, p.offset(0), p.length(0), offset), utf8(text));
    }

    long append(long fd, String text) throws Exception {
        return onPaths(p -> Append.call(p.slot(), fd, p.offset(0), p.length(0)), utf8(text));
    }

    /** A descriptor's index in its session's table: the low half, below the session's nonce. */
    static long index(long fd) {
        return fd & 0xFFFF_FFFFL;
    }

    /** The bytes read as text, or "-ERRNO" for a failure. */
    String pread(long fd, int count, long offset) throws Exception {
        try (CallSlot slot = client.acquire()) {
            return text(slot, 0, Pread.call(slot, fd, slot.dataOffset(), count, offset));
        }
    }

    /** The file's figures; fails the test on an error (use {@link #fstatResult} to see it). */
    FileStat fstat(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            expect(FileStat.BYTES, Fstat.call(slot, fd, slot.dataOffset(), FileStat.BYTES), "fstat");
            return FileStat.decode(slot.data());
        }
    }

    long fstatResult(long fd) throws Exception {
        try (CallSlot slot = client.acquire()) {
            return Fstat.call(slot, fd, slot.dataOffset(), FileStat.BYTES);
        }
    }

    long unlink(String path, int flags) throws Exception {
        return onPaths(p -> Unlink.call(p.slot(), p.offset(0), p.length(0), flags), utf8(path));
    }

    long mkdir(String path, int mode) throws Exception {
        return mkdir(utf8(path), mode);
    }

    long mkdir(byte[] path, int mode) throws Exception {
        return onPaths(p -> Mkdir.call(p.slot(), p.offset(0), p.length(0), mode), path);
    }

    /** The figures of {@code path}; fails the test on an error (use {@link #statResult} to see it). */
    FileStat stat(String path, int flags) throws Exception {
        return onPaths(p -> {
            expect(FileStat.BYTES, Stat.call(p.slot(), p.offset(0), p.length(0), flags, p.end(), FileStat.BYTES),
                    "stat " + path);
            return FileStat.decode(p.slot().data().asSlice(p.end() - p.slot().dataOffset()));
        }, utf8(path));
    }

    long statResult(String path, long flags) throws Exception {
        return onPaths(p -> Stat.call(p.slot(), p.offset(0), p.length(0), flags, p.end(), FileStat.BYTES), utf8(path));
    }

    /** One getdents of at most {@code count} bytes: the records, or a failure as an AssertionError. */
    byte[] getdents(long fd, int count) throws Exception {
        try (CallSlot slot = client.acquire()) {
            long n = Getdents.call(slot, fd, slot.dataOffset(), count);
            if (n < 0) {
                throw new AssertionError("getdents: " + Errno.describe(n));
            }
            return slot.data().asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    long getdentsResult(long fd, int count) throws Exception {
        try (CallSlot slot = client.acquire()) {
            return Getdents.call(slot, fd, slot.dataOffset(), count);
        }
    }

    long symlink(String target, String link) throws Exception {
        return symlink(utf8(target), link);
    }

    long symlink(byte[] target, String link) throws Exception {
        return onPaths(p -> Symlink.call(p.slot(), p.offset(0), p.length(0), p.offset(1), p.length(1)),
                target, utf8(link));
    }

    /** The link's target as text, or "-ERRNO" for a failure. */
    String readlink(String path, int size) throws Exception {
        return onPaths(p -> text(p.slot(), p.end() - p.slot().dataOffset(),
                Readlink.call(p.slot(), p.offset(0), p.length(0), p.end(), size)), utf8(path));
    }

    long utimens(String path, long atimeNs, long mtimeNs, int flags) throws Exception {
        return onPaths(p -> Utimens.call(p.slot(), p.offset(0), p.length(0), atimeNs, mtimeNs, flags), utf8(path));
    }

    long chmod(String path, long mode) throws Exception {
        return onPaths(p -> Chmod.call(p.slot(), p.offset(0), p.length(0), mode), utf8(path));
    }

    long chown(String path, long uid, long gid, int flags) throws Exception {
        return onPaths(p -> Chown.call(p.slot(), p.offset(0), p.length(0), uid, gid, flags), utf8(path));
    }

    long access(String path, long mode) throws Exception {
        return onPaths(p -> Access.call(p.slot(), p.offset(0), p.length(0), mode), utf8(path));
    }

    /** STATFS's answer, or a failure as an AssertionError. */
    FileSystemStat statfs() throws Exception {
        try (CallSlot slot = client.acquire()) {
            expect(FileSystemStat.BYTES, Statfs.call(slot, slot.dataOffset(), FileSystemStat.BYTES), "statfs");
            return FileSystemStat.decode(slot.data());
        }
    }

    long rename(String from, String to, int flags) throws Exception {
        return onPaths(p -> Rename.call(p.slot(), p.offset(0), p.length(0), p.offset(1), p.length(1), flags),
                utf8(from), utf8(to));
    }

    /** {@code n} bytes of {@code slot}'s payload from {@code at} as text, or "-ERRNO" when {@code n} is one. */
    private static String text(CallSlot slot, long at, long n) {
        if (n < 0) {
            return Errno.describe(n);
        }
        return new String(slot.data().asSlice(at, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static void expect(long wanted, long result, String what) {
        if (result != wanted) {
            throw new AssertionError(what + ": " + Errno.describe(result));
        }
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
