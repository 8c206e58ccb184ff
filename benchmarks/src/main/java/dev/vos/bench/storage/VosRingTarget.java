package dev.vos.bench.storage;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A file of the storage domain read through the raw ring calls, as a client library would: {@code OPEN} once, then
 * for each read a {@code PREAD} into the call slot's payload chunk and a copy from there into the caller's buffer.
 * A read larger than a chunk ({@code dataBytesPerSlot}, 64 KiB by default) is a run of chunk-sized PREADs on one
 * slot, in order, each copied out before the next is sent; or, with {@code chunkThreads > 1}, the chunks are
 * dealt round-robin to that many virtual threads (the caller and {@code chunkThreads - 1} started for the read),
 * each on a slot of its own, so that the domain reads one chunk while the client copies out another.
 */
public final class VosRingTarget implements ReadTarget {

    private final CallSource ring;
    private final long fd;
    private final int chunkThreads;
    private final long chunkBytes;

    private VosRingTarget(CallSource ring, long fd, int chunkThreads, long chunkBytes) {
        this.ring = ring;
        this.fd = fd;
        this.chunkThreads = chunkThreads;
        this.chunkBytes = chunkBytes;
    }

    /** Opens {@code path} (relative to the domain's export root) read-only through {@code ring}; serial chunks. */
    public static VosRingTarget open(CallSource ring, String path) throws IOException {
        return open(ring, path, 1);
    }

    /** Opens {@code path} read-only through {@code ring}; large reads use {@code chunkThreads} threads. */
    public static VosRingTarget open(CallSource ring, String path, int chunkThreads) throws IOException {
        if (chunkThreads < 1) {
            throw new IllegalArgumentException("chunkThreads=" + chunkThreads + ": at least 1");
        }
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        long fd;
        long chunkBytes;
        try (CallSlot slot = ring.acquire()) {
            chunkBytes = slot.data().byteSize();
            slot.data().copyFrom(MemorySegment.ofArray(bytes));
            fd = Open.call(slot, slot.dataOffset(), bytes.length, StorageFlags.O_RDONLY, 0);
        }
        if (fd < 0) {
            throw new IOException("OPEN " + path + ": " + Errno.describe(fd));
        }
        return new VosRingTarget(ring, fd, chunkThreads, chunkBytes);
    }

    @Override
    public String name() {
        return "vos ring";
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        int wanted = dst.remaining();
        if (wanted == 0) {
            return 0;
        }
        MemorySegment out = MemorySegment.ofBuffer(dst);
        int done;
        if (chunkThreads > 1 && wanted > chunkBytes) {
            done = readChunksInParallel(out, position, wanted, chunkBytes);
        } else {
            done = readChunks(out, position, 0, wanted, 1, Long.MAX_VALUE);
        }
        dst.position(dst.position() + done);
        return done == 0 ? -1 : done;
    }

    /**
     * Reads into {@code out[from, to)} the chunks {@code from, from + stride * chunk, ...}, each at most a payload
     * chunk and at most {@code chunkBytes}, on one slot; returns the bytes read before the first short read.
     */
    private int readChunks(MemorySegment out, long position, int from, int to, int stride, long chunkBytes)
            throws IOException {
        int done = 0;
        try (CallSlot slot = ring.acquire()) {
            MemorySegment chunk = slot.data();
            long step = Math.min(chunk.byteSize(), chunkBytes);
            for (long at = from; at < to; at += step * stride) {
                long count = Math.min(to - at, step);
                long n = Pread.call(slot, fd, slot.dataOffset(), count, position + at);
                if (n < 0) {
                    throw new IOException("PREAD: " + Errno.describe(n));
                }
                MemorySegment.copy(chunk, 0, out, at, n);
                done += (int) n;
                if (n < count) {
                    break;
                }
            }
        }
        return done;
    }

    /** The benchmark's reads never reach the end of the file: a short read here would leave a gap. */
    private int readChunksInParallel(MemorySegment out, long position, int wanted, long chunkBytes)
            throws IOException {
        Thread[] helpers = new Thread[chunkThreads - 1];
        int[] done = new int[chunkThreads];
        IOException[] failed = new IOException[chunkThreads];
        for (int t = 1; t < chunkThreads; t++) {
            int lane = t;
            helpers[t - 1] = Thread.ofVirtual().start(() -> {
                try {
                    done[lane] = readChunks(out, position, (int) (lane * chunkBytes), wanted, chunkThreads, chunkBytes);
                } catch (IOException e) {
                    failed[lane] = e;
                }
            });
        }
        done[0] = readChunks(out, position, 0, wanted, chunkThreads, chunkBytes);
        for (Thread helper : helpers) {
            try {
                helper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading", e);
            }
        }
        int sum = 0;
        for (int t = 0; t < chunkThreads; t++) {
            if (failed[t] != null) {
                throw failed[t];
            }
            sum += done[t];
        }
        return sum;
    }

    @Override
    public void close() throws IOException {
        long r = Close.call(ring, fd);
        if (r < 0) {
            throw new IOException("CLOSE: " + Errno.describe(r));
        }
    }
}
