package dev.vos.bench.storage;

import dev.vos.bench.support.Children;
import dev.vos.bench.support.Pinning;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingSegment;
import dev.vos.ring.client.Caller;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.CoreCallHandlers;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.process.ProcessTransport;
import dev.vos.storage.domain.StorageCallTableProvider;
import dev.vos.storage.domain.StorageSyscalls;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongUnaryOperator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Where the time of one 4 KiB read through the storage domain goes, piece by piece, in this process, on one thread
 * pinned to CPU 0: the system-call binding with and without errno capture, the PREAD handler as the domain's worker
 * runs it ({@link HandlerProbe}: payload range check, descriptor table, system call), and the client's copy out of
 * the payload. Each piece runs in rounds of {@code ops} calls; a round's cost is measured both as wall time and as
 * the thread's CPU time ({@code CLOCK_THREAD_CPUTIME_ID}). On a machine shared with other work the CPU time is the
 * steadier figure: a round during which the thread was preempted costs more wall time, not more CPU time.
 * <pre>usage: HotPathCosts [--rounds 15] [--ops 200000] [--only TEXT]</pre>
 * Prints one line per piece: min and median ns per call over the rounds, CPU and wall.
 */
public final class HotPathCosts {

    /** preadv(2) on x86_64. */
    private static final long SYS_PREADV = 295;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private HotPathCosts() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 15;
        int ops = 200_000;
        String only = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Pinning.pinCurrentThread(0);
        RingGeometry geometry = StorageDomain.GEOMETRY;
        Path segmentFile = Children.scratchFile("");
        try (DataFile data = DataFile.create();
             Segment shared = ProcessTransport.file(segmentFile).create(geometry.segmentBytes());
             RingSegment segment = RingSegment.view(shared.name(), shared.memory(), shared);
             Arena arena = Arena.ofConfined();
             Arena mapArena = Arena.ofShared()) {
            CallTable.Builder b = CoreCallHandlers.register(CallTable.builder());
            new StorageCallTableProvider().register(b, Map.of(StorageCallTableProvider.EXPORT_ROOT,
                    data.exportRoot().toString()));
            HandlerProbe probe = new HandlerProbe(segment, geometry, b.build());
            Caller handler = handlerOf(probe);
            // OPEN through the handler: the path in slot 0's payload chunk, as a client puts it there.
            MemorySegment payload = segment.memory().asSlice(geometry.dataOffset(), geometry.dataBytesPerSlot());
            byte[] name = DataFile.NAME.getBytes(StandardCharsets.UTF_8);
            payload.copyFrom(MemorySegment.ofArray(name));
            long fd = Open.call(handler, 0, name.length, StorageFlags.O_RDONLY, 0);
            if (fd < 0) {
                throw new IllegalStateException("OPEN through the handler: " + fd);
            }
            // The same file, opened here for the bare system calls.
            byte[] path = data.file().toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment cpath = arena.allocate(path.length + 1L);
            cpath.copyFrom(MemorySegment.ofArray(path));
            int kfd = (int) StorageSyscalls.openat2(StorageSyscalls.AT_FDCWD, cpath, StorageFlags.O_RDONLY, 0, 0);
            MemorySegment buf = arena.allocate(4096, 4096);
            ByteBuffer direct = ByteBuffer.allocateDirect(64 << 10);
            byte[] heap = new byte[64 << 10];
            long pages = DataFile.RANDOM_SPAN / 4096;

            Map<String, LongUnaryOperator> pieces = new LinkedHashMap<>();
            pieces.put("getpid, Linux.syscall (no errno)", x -> Linux.syscall(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0));
            pieces.put("getpid, Linux.syscallErrno", x -> Linux.syscallErrno(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0));
            pieces.put("Arena.ofConfined + allocate(capture) + close", x -> {
                try (Arena a = Arena.ofConfined()) {
                    return a.allocate(16).address();
                }
            });
            // 0 bytes: the kernel answers at once, so the binding's and the handler's own costs stand out.
            pieces.put("pread 0 B, Linux.syscall (no errno)",
                    x -> Linux.syscall(StorageSyscalls.SYS_PREAD64, kfd, buf.address(), 0, (x % pages) * 4096, 0, 0));
            pieces.put("pread 0 B, StorageSyscalls.pread (errno)",
                    x -> StorageSyscalls.pread(kfd, buf.asSlice(0, 0), (x % pages) * 4096));
            pieces.put("PREAD 0 B handler (range check, descriptors, pread)",
                    x -> pread(handler, fd, 0, (x % pages) * 4096));
            pieces.put("pread 4 KiB, Linux.syscall (no errno)",
                    x -> Linux.syscall(StorageSyscalls.SYS_PREAD64, kfd, buf.address(), 4096, (x % pages) * 4096,
                            0, 0));
            pieces.put("pread 4 KiB, StorageSyscalls.pread (errno)",
                    x -> StorageSyscalls.pread(kfd, buf, (x % pages) * 4096));
            pieces.put("PREAD 4 KiB handler (range check, descriptors, mapped copy)",
                    x -> pread(handler, fd, 4096, (x % pages) * 4096));
            mappedReads(pieces, kfd, buf, pages, arena, mapArena);
            pieces.put("client copy 4 KiB payload -> direct ByteBuffer", x -> {
                direct.clear().limit(4096);
                MemorySegment.copy(payload, 0, MemorySegment.ofBuffer(direct), 0, 4096);
                return direct.get(0);
            });
            pieces.put("client copy 4 KiB payload -> heap byte[]", x -> {
                MemorySegment.copy(payload, 0, MemorySegment.ofArray(heap), 0, 4096);
                return heap[0];
            });
            pieces.put("client copy 64 KiB payload -> direct ByteBuffer", x -> {
                direct.clear();
                MemorySegment.copy(payload, 0, MemorySegment.ofBuffer(direct), 0, 64 << 10);
                return direct.get(0);
            });
            pieces.put("PREAD 64 KiB handler", x -> pread(handler, fd, 64 << 10,
                    (x % (DataFile.RANDOM_SPAN >> 16)) << 16));
            largeReads(pieces, handler, fd, kfd, arena);
            System.out.printf(Locale.ROOT, "%-56s %10s %10s %10s %10s%n",
                    "piece (ns per call; " + rounds + " rounds of " + ops + ", 1 MiB: / 256)", "cpu min",
                    "cpu median", "wall min", "wall med");
            for (Map.Entry<String, LongUnaryOperator> piece : pieces.entrySet()) {
                if (!piece.getKey().contains(only)) {
                    continue;
                }
                // A 1 MiB piece moves 256 times a 4 KiB one's bytes: fewer calls keep its rounds as long.
                measure(piece.getKey(), piece.getValue(), rounds,
                        piece.getKey().contains("1 MiB") ? Math.max(ops / 256, 100) : ops);
            }
            StorageSyscalls.close(kfd);
            probe.close();
        } finally {
            Children.delete(segmentFile);
        }
    }

    /**
     * The pieces of a mapped read (the domain's ReadMapping): the copy, the fence that makes its fault surface in
     * place, and the statx that re-checks the file's size once in KnownSize.CHECK_EVERY mapped reads.
     */
    private static void mappedReads(Map<String, LongUnaryOperator> pieces, int kfd, MemorySegment buf, long pages,
                                    Arena arena, Arena mapArena) {
        MemorySegment mapping = SharedMemory.adopt(SharedMemory.mmapReadOnly(kfd, DataFile.RANDOM_SPAN),
                DataFile.RANDOM_SPAN, mapArena);
        pieces.put("copy 4 KiB from a mapping of the file", x -> {
            MemorySegment.copy(mapping, (x % pages) * 4096, buf, 0, 4096);
            return buf.get(JAVA_BYTE, 0);
        });
        pieces.put("copy 4 KiB from a mapping + SharedMemory.faultFence", x -> {
            MemorySegment.copy(mapping, (x % pages) * 4096, buf, 0, 4096);
            SharedMemory.faultFence();
            return buf.get(JAVA_BYTE, 0);
        });
        MemorySegment statx = arena.allocate(StorageSyscalls.STATX_SIZE, 8);
        pieces.put("statx of the descriptor (the size re-check)", x -> StorageSyscalls.fstat(kfd, statx));
    }

    /**
     * A 1 MiB read: what the native FileChannel pays (one pread into the caller's memory) against what the domain
     * pays for the same MiB (16 handler calls of 64 KiB into the shared area; here into one slot's chunk, which
     * stays in this core's cache, so the figure flatters the domain). With the client's copy out running beside it
     * on the other core, the second over the first bounds the 1 MiB ratio from above.
     */
    private static void largeReads(Map<String, LongUnaryOperator> pieces, Caller handler, long fd, int kfd,
                                   Arena arena) {
        MemorySegment mib = arena.allocate(1 << 20, 4096);
        long mibs = DataFile.RANDOM_SPAN >> 20;
        pieces.put("pread 1 MiB, Linux.syscall (the native read)", x -> Linux.syscall(StorageSyscalls.SYS_PREAD64,
                kfd, mib.address(), 1 << 20, (x % mibs) << 20, 0, 0));
        // The 16 chunks read 4 at a time with preadv, each into its own 64 KiB of a 1 MiB area (as 16 slots' chunks
        // are): what merging the chunks of one large read into fewer kernel calls would cost.
        MemorySegment iov = arena.allocate(16L * 16, 8);
        for (int c = 0; c < 16; c++) {
            iov.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16L * c, mib.address() + ((long) c << 16));
            iov.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16L * c + 8, 64 << 10);
        }
        pieces.put("preadv 1 MiB as 4 calls of 4 x 64 KiB", x -> {
            long n = 0;
            for (int c = 0; c < 4; c++) {
                n += Linux.syscall(SYS_PREADV, kfd, iov.address() + 64L * c, 4, ((x % mibs) << 20) + ((long) c << 18),
                        0, 0);
            }
            return n;
        });
        pieces.put("PREAD 1 MiB as 16 handler calls of 64 KiB", x -> {
            long n = 0;
            for (int c = 0; c < 16; c++) {
                n += pread(handler, fd, 64 << 10, ((x % mibs) << 20) + ((long) c << 16));
            }
            return n;
        });
    }

    /**
     * The probe as the protocol's encoders see a ring, so that the calls measured here are encoded as a client
     * encodes them. The probe carries four arguments, all the calls measured here have; more would be a mistake
     * worth hearing about, not a silent truncation.
     */
    private static Caller handlerOf(HandlerProbe probe) {
        return (callNumber, a0, a1, a2, a3, a4, a5) -> {
            if ((a4 | a5) != 0) {
                throw new IllegalArgumentException("call " + callNumber + ": the probe carries 4 arguments, a4=" + a4
                        + ", a5=" + a5);
            }
            return probe.call(callNumber, a0, a1, a2, a3);
        };
    }

    /** PREAD of {@code count} bytes into the start of slot 0's chunk, through the probe. */
    private static long pread(Caller handler, long fd, long count, long offset) {
        try {
            return Pread.call(handler, fd, 0, count, offset);
        } catch (DomainFailedException e) {
            throw new IllegalStateException("the probe has no ring that could fail", e);
        }
    }

    private static long sink;

    private static void measure(String name, LongUnaryOperator op, int rounds, int ops) {
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < ops; i++) { // warm-up: the JIT compiles the loop and the call
            x = xorshift(x);
            sink += op.applyAsLong(x >>> 1);
        }
        double[] cpu = new double[rounds];
        double[] wall = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                x = xorshift(x);
                sink += op.applyAsLong(x >>> 1);
            }
            wall[r] = (System.nanoTime() - w0) / (double) ops;
            cpu[r] = (THREADS.getCurrentThreadCpuTime() - c0) / (double) ops;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(Locale.ROOT, "%-56s %10.1f %10.1f %10.1f %10.1f%n", name, cpu[0], cpu[rounds / 2], wall[0],
                wall[rounds / 2]);
    }

    private static long xorshift(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
