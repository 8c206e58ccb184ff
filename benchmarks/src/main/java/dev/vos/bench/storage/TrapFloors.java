package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;
import dev.vos.sys.IoUring;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a trap costs on this machine, from Java through the same FFM bindings the storage domain uses, beside which
 * every storage figure is read: {@code getpid}, a 4 KiB {@code pread} of a page-cached file, and a 4 KiB read
 * through io_uring in batches of 1, 8 and 32 (one {@code io_uring_enter} per batch), in ns per call. The batched
 * figure is the domain's ceiling: one core executing reads at that cost serves at most 1e9 / cost reads/s.
 * One thread pinned to CPU 1; 7 rounds, the median reported with the min and max.
 *
 * <pre>usage: TrapFloors</pre>
 */
public final class TrapFloors {

    private static final int ROUNDS = 7;
    private static final int READS = 100_000;
    static final long SPAN = 16L << 20;
    private static final long SYS_PREAD64 = 17;
    private static final long SYS_OPENAT = 257;

    private TrapFloors() {
    }

    public static void main(String[] args) throws Exception {
        Pinning.pinCurrentThread(1);
        Path file = Files.createTempFile("vos-trap-floors", ".dat");
        try (Arena arena = Arena.ofConfined()) {
            fill(file);
            MemorySegment name = arena.allocateFrom(file.toString());
            int fd = (int) Linux.syscallErrno(SYS_OPENAT, -100, name.address(), 0, 0, 0, 0);
            if (fd < 0) {
                throw new IOException("open " + file + ": " + fd);
            }
            MemorySegment buffers = arena.allocate(32 * 4096L, 4096);
            try (IoUring ring = IoUring.create(32)) {
                report("getpid", round(() -> {
                    for (int i = 0; i < READS; i++) {
                        Linux.getpid();
                    }
                }));
                report("pread 4 KiB", round(() -> {
                    long x = 7;
                    for (int i = 0; i < READS; i++) {
                        x = next(x);
                        Linux.syscallErrno(SYS_PREAD64, fd, buffers.address(), 4096, offset(x), 0, 0);
                    }
                }));
                for (int batch : new int[] {1, 8, 32}) {
                    report("io_uring 4 KiB reads, batch of " + batch, round(() -> {
                        long x = 11;
                        for (int i = 0; i < READS; i += batch) {
                            for (int j = 0; j < batch; j++) {
                                x = next(x);
                                ring.prepareRead(fd, buffers.address() + j * 4096L, 4096, offset(x), j);
                            }
                            ring.submitAndWait(batch);
                            ring.reap((u, r) -> { });
                        }
                    }));
                }
                System.out.println("io_uring setup flags: 0x" + Integer.toHexString(ring.setupFlags()));
            } finally {
                Linux.close(fd);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void fill(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < SPAN; at += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block, at + block.position());
                }
            }
        }
    }

    /** xorshift64: the next of a cheap sequence of random offsets (also {@code HandoffFloor}'s). */
    static long next(long x) {
        long y = x;
        y ^= y << 13;
        y ^= y >>> 7;
        y ^= y << 17;
        return y;
    }

    /** A page-aligned offset in the first {@link #SPAN} bytes, from {@link #next}'s value (HandoffFloor's too). */
    static long offset(long x) {
        return ((x >>> 1) % (SPAN / 4096)) * 4096;
    }

    /** ns per call of each of {@link #ROUNDS} rounds, after one round of warm-up. */
    private static double[] round(final Runnable body) {
        body.run();
        double[] ns = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            body.run();
            ns[r] = (System.nanoTime() - t0) / (double) READS;
        }
        Arrays.sort(ns);
        return ns;
    }

    private static void report(String what, double[] ns) {
        System.out.println(String.format(Locale.ROOT, "%-36s %8.0f ns per call (min %.0f, max %.0f)", what,
                ns[ns.length / 2], ns[0], ns[ns.length - 1]));
    }
}
