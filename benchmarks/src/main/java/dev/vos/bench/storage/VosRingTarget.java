package dev.vos.bench.storage;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;
import dev.vos.storage.StorageCalls;
import dev.vos.storage.StorageSyscalls;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A file of the storage domain read through the raw ring calls, as a client library would: {@code OPEN} once, then
 * for each read a {@code PREAD} into the call slot's payload chunk and a copy from there into the caller's buffer.
 * A read larger than a chunk ({@code dataBytesPerSlot}, 64 KiB by default) is a run of chunk-sized PREADs on one
 * slot, in order, each copied out before the next is sent.
 */
public final class VosRingTarget implements ReadTarget {

    private final CallSource ring;
    private final long fd;

    private VosRingTarget(CallSource ring, long fd) {
        this.ring = ring;
        this.fd = fd;
    }

    /** Opens {@code path} (relative to the domain's export root) read-only through {@code ring}. */
    public static VosRingTarget open(CallSource ring, String path) throws IOException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        long fd;
        try (CallSlot slot = ring.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(bytes));
            fd = slot.call(StorageCalls.OPEN, slot.dataOffset(), bytes.length, StorageSyscalls.O_RDONLY, 0, 0, 0);
        }
        if (fd < 0) {
            throw new IOException("OPEN " + path + ": " + Errno.describe(fd));
        }
        return new VosRingTarget(ring, fd);
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
        int done = 0;
        try (CallSlot slot = ring.acquire()) {
            MemorySegment chunk = slot.data();
            MemorySegment out = MemorySegment.ofBuffer(dst);
            while (done < wanted) {
                long count = Math.min(wanted - done, chunk.byteSize());
                long n = slot.call(StorageCalls.PREAD, fd, slot.dataOffset(), count, position + done, 0, 0);
                if (n < 0) {
                    throw new IOException("PREAD: " + Errno.describe(n));
                }
                if (n == 0) {
                    break;
                }
                MemorySegment.copy(chunk, 0, out, done, n);
                done += (int) n;
                if (n < count) {
                    break;
                }
            }
        }
        dst.position(dst.position() + done);
        return done == 0 ? -1 : done;
    }

    @Override
    public void close() throws IOException {
        long r = ring.call(StorageCalls.CLOSE, fd, 0, 0, 0, 0, 0);
        if (r < 0) {
            throw new IOException("CLOSE: " + Errno.describe(r));
        }
    }
}
