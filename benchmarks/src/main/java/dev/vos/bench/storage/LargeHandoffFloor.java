package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The floor under a lone 1 MiB sequential reader of any design that reads in another core's domain, as
 * {@link HandoffFloor} is for a 4 KiB read: CPU 1 copies the MiB out of its mapping of a page-cached file, 64 KiB at
 * a time, into shared chunks, and CPU 0 copies each chunk into its own buffer as soon as it is published, the two
 * copies overlapping as the provider's 16 slots of a 1 MiB read let them. No ring, no handler, no virtual thread:
 * only the chunks' cache lines moving from one core to the other, and a counter each way. Measured in windows taken
 * in turn with the native read it replaces ({@code FileChannel.read} of 1 MiB into a direct buffer, sequential
 * through the file, as {@code StorageWorkload --workloads seq1m} reads), with the ratio pair by pair.
 *
 * <pre>usage: LargeHandoffFloor [--windows 20] [--window-ms 200] [--slots 16]</pre>
 */
public final class LargeHandoffFloor {

    private static final long FILE_BYTES = 256L << 20;
    private static final int READ = 1 << 20;
    private static final int CHUNK = 64 << 10;
    private static final int CHUNKS = READ / CHUNK;
    /** Control words, each on a cache line of its own. */
    private static final long ASKED = 0;       // reads asked for, by the asker (each names OFFSET)
    private static final long PRODUCED = 64;   // chunks the answerer has published, over all reads
    private static final long CONSUMED = 128;  // chunks the asker has copied out, over all reads
    private static final long OFFSET = 192;    // the file offset of the read asked for (plain, published by ASKED)
    private static final long STOP = -1;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private LargeHandoffFloor() {
    }

    public static void main(String[] args) throws Exception {
        int windows = 20;
        long windowMs = 200;
        int slots = CHUNKS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--windows" -> windows = Integer.parseInt(args[++i]);
                case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
                case "--slots" -> slots = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (windows < 1 || windowMs < 1 || slots < 1 || slots > CHUNKS) {
            throw new IllegalArgumentException("--windows and --window-ms take 1 or more, --slots 1 to " + CHUNKS);
        }
        Path file = Files.createTempFile("vos-large-handoff-floor", ".dat");
        try (Arena arena = Arena.ofShared();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = HandoffFloor.fillAndMap(channel, FILE_BYTES, arena);
            MemorySegment control = arena.allocate(256, 64);
            MemorySegment shared = arena.allocate((long) slots * CHUNK, 4096);
            ByteBuffer own = ByteBuffer.allocateDirect(READ);
            MemorySegment ownSegment = MemorySegment.ofBuffer(own);
            int slotCount = slots;
            Thread answerer = Thread.ofPlatform().name("large-handoff-answerer").start(() -> answer(control, mapped,
                    shared, slotCount));
            Pinning.pinCurrentThread(0);
            List<double[]> pairs = new ArrayList<>();
            long asked = 0;
            long at = 0;
            for (int w = -3; w < windows; w++) { // three windows of warm-up
                double[] pair = new double[2];
                for (int mode = 0; mode < 2; mode++) {
                    long reads = 0;
                    long t0 = System.nanoTime();
                    long end = t0 + windowMs * 1_000_000L;
                    long now;
                    do {
                        if (mode == 0) {
                            own.clear();
                            while (own.hasRemaining()) {
                                channel.read(own, at + own.position());
                            }
                        } else {
                            control.set(ValueLayout.JAVA_LONG, OFFSET, at);
                            LONG.setRelease(control, ASKED, ++asked); // publishes OFFSET
                            long first = (asked - 1) * CHUNKS;
                            for (int c = 0; c < CHUNKS; c++) {
                                while ((long) LONG.getAcquire(control, PRODUCED) <= first + c) {
                                    Thread.onSpinWait();
                                }
                                MemorySegment.copy(shared, (long) ((first + c) % slotCount) * CHUNK, ownSegment,
                                        (long) c * CHUNK, CHUNK);
                                LONG.setRelease(control, CONSUMED, first + c + 1); // the slot may be written again
                            }
                        }
                        at = (at + READ) % FILE_BYTES;
                        reads++;
                        now = System.nanoTime();
                    } while (now < end);
                    pair[mode] = (now - t0) / (double) reads;
                }
                if (w >= 0) {
                    pairs.add(pair);
                }
            }
            LONG.setRelease(control, ASKED, STOP);
            answerer.join();
            report(pairs, slots);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The answerer, on CPU 1: for each read asked, copies its chunks into free slots and publishes each. */
    private static void answer(MemorySegment control, MemorySegment mapped, MemorySegment shared, int slots) {
        Pinning.pinCurrentThread(1);
        long served = 0;
        while (true) {
            long asked = (long) LONG.getAcquire(control, ASKED);
            if (asked == STOP) {
                return;
            }
            if (asked == served) {
                Thread.onSpinWait();
                continue;
            }
            long at = control.get(ValueLayout.JAVA_LONG, OFFSET);
            long first = served * CHUNKS;
            for (int c = 0; c < CHUNKS; c++) {
                long chunk = first + c;
                while ((long) LONG.getAcquire(control, CONSUMED) < chunk - slots + 1) {
                    Thread.onSpinWait(); // its slot still holds a chunk the asker has not copied out
                }
                MemorySegment.copy(mapped, at + (long) c * CHUNK, shared, (chunk % slots) * CHUNK, CHUNK);
                LONG.setRelease(control, PRODUCED, chunk + 1); // publishes the chunk
            }
            served = asked;
        }
    }

    private static void report(List<double[]> pairs, int slots) {
        System.out.println("# 1 MiB sequential read floors, us per read; " + pairs.size()
                + " pairs of windows, in turn; " + slots + " slots of 64 KiB");
        System.out.println("# window\tnative\thandoff\thandoff/native\tnative MiB/s\thandoff MiB/s");
        double[] ratios = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            double[] p = pairs.get(i);
            ratios[i] = p[1] / p[0];
            System.out.println(String.format(Locale.ROOT, "%d\t%.1f\t%.1f\t%.2f\t%.0f\t%.0f", i, p[0] / 1e3,
                    p[1] / 1e3, ratios[i], 1e9 / p[0], 1e9 / p[1]));
        }
        String[] names = {"native", "handoff"};
        for (int mode = 0; mode < 2; mode++) {
            int m = mode;
            double[] ns = pairs.stream().mapToDouble(p -> p[m]).sorted().toArray();
            System.out.println(String.format(Locale.ROOT, "%-8s median %7.1f us  min %7.1f  max %7.1f  (%.0f MiB/s)",
                    names[mode], ns[ns.length / 2] / 1e3, ns[0] / 1e3, ns[ns.length - 1] / 1e3,
                    1e9 / ns[ns.length / 2]));
        }
        Arrays.sort(ratios);
        System.out.println(String.format(Locale.ROOT, "handoff / native, pair by pair: median %.2f  min %.2f  max %.2f"
                + "  (the best MiB/s of a domain on the other core is 1 / this of native's)",
                ratios[ratios.length / 2], ratios[0], ratios[ratios.length - 1]));
    }
}
