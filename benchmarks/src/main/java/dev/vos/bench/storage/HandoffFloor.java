package dev.vos.bench.storage;

import dev.vos.bench.support.Pinning;

import java.io.IOException;
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
 * The floor under a lone reader of any design that reads in another core's domain: what a 4 KiB read costs when one
 * thread asks and another, on the other CPU, copies the block out of a mapped, page-cached file into shared memory,
 * and the asker copies it out, against the native read it replaces. No ring, no handler, no virtual thread: only
 * the two cross-core exchanges of a flag (the ring's round trip) and the block's cache lines moving from one core to
 * the other. A vos read cannot be cheaper than this; whether native is cheaper than this floor decides whether the
 * lone reader's goal (1.0x native) is reachable on the machine as it is.
 *
 * <p>On these machines the two vCPUs are sometimes siblings of one core and sometimes not, for seconds at a time,
 * so the three figures are measured in short windows in turn and each triple is reported together:
 * <ol>
 *   <li>{@code pread}: {@code FileChannel.read} of 4 KiB at a random page of a 16 MiB page-cached file, on CPU 0
 *       (what the native target of {@code StorageWorkload} does);</li>
 *   <li>{@code ping}: the flag's round trip alone, CPU 0 to CPU 1 and back (the ring's floor);</li>
 *   <li>{@code handoff}: the round trip with the block: CPU 1 copies 4 KiB from its mapping of the same file into a
 *       shared 4 KiB area before it answers, CPU 0 copies the area into its own buffer after.</li>
 * </ol>
 * <pre>usage: HandoffFloor [--windows 30] [--window-ms 200]</pre>
 */
public final class HandoffFloor {

    /** The file's size: the span {@link TrapFloors#offset} draws its offsets from. */
    private static final long SPAN = TrapFloors.SPAN;
    private static final int BLOCK = 4096;
    /** Control words, each on a cache line of its own: the asker's sequence and the answerer's. */
    private static final long ASK = 0;
    private static final long ANSWER = 64;
    /** Written by the asker before ASK (plain, published by ASK's release): what to do, and where. */
    private static final long MODE = 128;
    private static final long OFFSET = 136;
    private static final long STOP = -1;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private HandoffFloor() {
    }

    enum Mode { PREAD, PING, HANDOFF }

    public static void main(String[] args) throws Exception {
        int windows = 30;
        long windowMs = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--windows" -> windows = Integer.parseInt(args[++i]);
                case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (windows < 1 || windowMs < 1) {
            throw new IllegalArgumentException("--windows and --window-ms take 1 or more");
        }
        Path file = Files.createTempFile("vos-handoff-floor", ".dat");
        try (Arena arena = Arena.ofShared();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapped = fillAndMap(channel, SPAN, arena);
            MemorySegment control = arena.allocate(192, 64);
            MemorySegment shared = arena.allocate(BLOCK, BLOCK);
            ByteBuffer own = ByteBuffer.allocateDirect(BLOCK);
            MemorySegment ownSegment = MemorySegment.ofBuffer(own);
            Thread answerer = Thread.ofPlatform().name("handoff-answerer").start(() -> answer(control, mapped,
                    shared));
            Pinning.pinCurrentThread(0);
            List<double[]> triples = new ArrayList<>();
            long seq = 0;
            long x = 7;
            for (int w = -3; w < windows; w++) { // three windows of warm-up
                double[] triple = new double[3];
                for (Mode mode : Mode.values()) {
                    long ops = 0;
                    long t0 = System.nanoTime();
                    long end = t0 + windowMs * 1_000_000L;
                    long now;
                    do {
                        for (int i = 0; i < 256; i++) {
                            x = TrapFloors.next(x);
                            long at = TrapFloors.offset(x); // drawn as TrapFloors draws its reads
                            switch (mode) {
                                case PREAD -> {
                                    own.clear();
                                    channel.read(own, at);
                                }
                                case PING -> ask(control, ++seq, 0, at);
                                case HANDOFF -> {
                                    ask(control, ++seq, 1, at);
                                    MemorySegment.copy(shared, 0, ownSegment, 0, BLOCK);
                                }
                            }
                        }
                        ops += 256;
                        now = System.nanoTime();
                    } while (now < end);
                    triple[mode.ordinal()] = (now - t0) / (double) ops;
                }
                if (w >= 0) {
                    triples.add(triple);
                }
            }
            LONG.setRelease(control, ASK, STOP);
            answerer.join();
            report(triples);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Fills the first {@code bytes} (a multiple of 1 MiB) of {@code channel}'s file with ones and maps them read-only,
     * every page present, as the domain's reads find them; checks that the mapping holds what was written.
     *
     * <p>Written through the channel, as StorageWorkload writes its files. A file filled through a mapping is read
     * back by pread slower on this kernel: 4 KiB reads 2.0 against 1.9 us, 1 MiB reads 134-157 against 35-51 us
     * (2026-12-06); that would have been the native side's figure here.
     */
    static MemorySegment fillAndMap(FileChannel channel, long bytes, Arena arena) throws IOException {
        ByteBuffer ones = ByteBuffer.allocateDirect(1 << 20);
        while (ones.hasRemaining()) {
            ones.put((byte) 1);
        }
        for (long at = 0; at < bytes; at += ones.capacity()) {
            channel.write(ones.clear(), at);
        }
        MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
        long sum = 0;
        for (long at = 0; at < bytes; at += BLOCK) {
            sum += mapped.get(ValueLayout.JAVA_BYTE, at);
        }
        if (sum != bytes / BLOCK) {
            throw new IllegalStateException("the file does not hold what was written");
        }
        return mapped;
    }

    /** Asks the answerer, and spins until it answered. */
    private static void ask(MemorySegment control, long seq, long mode, long at) {
        control.set(ValueLayout.JAVA_LONG, MODE, mode);
        control.set(ValueLayout.JAVA_LONG, OFFSET, at);
        LONG.setRelease(control, ASK, seq); // publishes MODE and OFFSET
        while ((long) LONG.getAcquire(control, ANSWER) != seq) {
            Thread.onSpinWait();
        }
    }

    /** The answerer, on CPU 1: spins on ASK, copies the block when asked to, answers. */
    private static void answer(MemorySegment control, MemorySegment mapped, MemorySegment shared) {
        Pinning.pinCurrentThread(1);
        long last = 0;
        while (true) {
            long seq = (long) LONG.getAcquire(control, ASK);
            if (seq == last) {
                Thread.onSpinWait();
                continue;
            }
            if (seq == STOP) {
                return;
            }
            if (control.get(ValueLayout.JAVA_LONG, MODE) == 1) {
                MemorySegment.copy(mapped, control.get(ValueLayout.JAVA_LONG, OFFSET), shared, 0, BLOCK);
            }
            last = seq;
            LONG.setRelease(control, ANSWER, seq); // publishes the block
        }
    }

    private static void report(List<double[]> triples) {
        System.out.println("# 4 KiB read floors, ns per read; " + triples.size() + " triples of windows, in turn");
        System.out.println("# window\tpread\tping\thandoff\thandoff/pread");
        double[] ratios = new double[triples.size()];
        for (int i = 0; i < triples.size(); i++) {
            double[] t = triples.get(i);
            ratios[i] = t[2] / t[0];
            System.out.println(String.format(Locale.ROOT, "%d\t%.0f\t%.0f\t%.0f\t%.2f", i, t[0], t[1], t[2],
                    ratios[i]));
        }
        for (Mode mode : Mode.values()) {
            double[] ns = triples.stream().mapToDouble(t -> t[mode.ordinal()]).sorted().toArray();
            System.out.println(String.format(Locale.ROOT, "%-8s median %6.0f ns  min %6.0f  max %6.0f",
                    mode.name().toLowerCase(Locale.ROOT), ns[ns.length / 2], ns[0], ns[ns.length - 1]));
        }
        Arrays.sort(ratios);
        System.out.println(String.format(Locale.ROOT, "handoff / pread, pair by pair: median %.2f  min %.2f  max %.2f"
                + "  (above 1: native reads faster than any read served by another core's domain)",
                ratios[ratios.length / 2], ratios[0], ratios[ratios.length - 1]));
    }
}
