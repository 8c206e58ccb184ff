package dev.vos.bench.paired;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.sys.Linux;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.vos.bench.paired.PingPongEchoMain.LONG;
import static dev.vos.bench.paired.PingPongEchoMain.PING;
import static dev.vos.bench.paired.PingPongEchoMain.PONG;

/**
 * The ring's null-call round trip as a ratio to this machine's floor, measured interleaved. On these machines the
 * floor itself (a cross-process cache-line round trip) switches between about 100 ns and about 500 ns for seconds
 * at a time (the two vCPUs are sometimes siblings of one core, sometimes not): a floor measured minutes apart,
 * or even seconds apart, says nothing about a given ring figure. So this harness alternates short windows:
 * a ping-pong window (the echo process runs, the ring server is stopped with SIGSTOP) and a ring window (the
 * other way round), client on CPU 0, the echo and the ring's worker on CPU 1, and reports each ring window against
 * the floor window just before it.
 * <pre>usage: PairedRoundTrip [--pairs 60] [--window-ms 250] [--out DIR]</pre>
 */
public final class PairedRoundTrip {

    private PairedRoundTrip() {
    }

    record Pair(double floorNs, double ringNs) {
        double ratio() {
            return ringNs / floorNs;
        }
    }

    /** Counted before any thread is pinned: availableProcessors() follows the caller's affinity. */
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) throws Exception {
        int pairs = 60;
        long windowMs = 250;
        Path out = Path.of("benchmarks", "results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--window-ms" -> windowMs = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path ringFile = SegmentFiles.path("paired", "ring");
        Path floorFile = SegmentFiles.path("paired", "floor");
        // A long liveness timeout: the ring server sits stopped through every floor window.
        RingGeometry geometry = RingGeometry.DEFAULT.withLivenessTimeout(Duration.ofSeconds(60));
        List<Pair> results = new ArrayList<>();
        Files.write(floorFile, new byte[4096]);
        Process echo = null;
        try (RingClient ring = RingClient.create(ringFile, geometry, 1, WaitStrategy.busyPoll());
             RingServerProcess server = RingServerProcess.start(ringFile, Duration.ofSeconds(30), "--busy-poll",
                     "--pin-cpus", "1");
             FileChannel channel = FileChannel.open(floorFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            ring.awaitServer(Duration.ofSeconds(10));
            MemorySegment lines = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
            String java = ProcessHandle.current().info().command().orElseThrow();
            echo = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), PingPongEchoMain.class.getName(), floorFile.toString(), "1")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String ready = new BufferedReader(new InputStreamReader(echo.getInputStream())).readLine();
            if (ready == null || !ready.equals("echoing, pin 0")) {
                throw new IllegalStateException("the echo process did not start pinned: " + ready);
            }
            if (Linux.pinCurrentThread(0) != 0) {
                throw new IllegalStateException("cannot pin the client to CPU 0");
            }
            try (CallSlot slot = ring.acquire()) {
                long ping = 0;
                for (int w = -3; w < pairs; w++) { // three pairs of warm-up for both JITs
                    Linux.kill(server.pid(), Linux.SIGSTOP);
                    Linux.kill(echo.pid(), Linux.SIGCONT);
                    long[] floor = floorWindow(lines, ping, windowMs);
                    ping = floor[2];
                    Linux.kill(echo.pid(), Linux.SIGSTOP);
                    Linux.kill(server.pid(), Linux.SIGCONT);
                    double ringNs = ringWindow(slot, windowMs);
                    if (w >= 0) {
                        results.add(new Pair(floor[0] / (double) floor[1], ringNs));
                    }
                }
            }
        } finally {
            if (echo != null) {
                echo.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(floorFile);
        }
        report(results, windowMs, out);
    }

    /** Round trips for {@code windowMs} after a 20 ms settle; returns {nanoseconds, round trips, last ping}. */
    private static long[] floorWindow(MemorySegment lines, long ping, long windowMs) {
        long settle = System.nanoTime() + 20_000_000L;
        long end = settle + windowMs * 1_000_000L;
        long start = 0;
        long count = 0;
        while (true) {
            long now = System.nanoTime();
            if (start == 0 && now >= settle) {
                start = now;
                count = 0;
            }
            if (now >= end) {
                return new long[]{now - start, count, ping};
            }
            for (int k = 0; k < 256; k++) {
                ping++;
                LONG.setRelease(lines, PING, ping);
                while ((long) LONG.getAcquire(lines, PONG) != ping) {
                    Thread.onSpinWait();
                }
            }
            count += 256;
        }
    }

    /** Null calls for {@code windowMs} after a 20 ms settle; returns ns per call. */
    private static double ringWindow(CallSlot slot, long windowMs) throws Exception {
        long settle = System.nanoTime() + 20_000_000L;
        while (System.nanoTime() < settle) {
            slot.call(CoreCalls.NOP);
        }
        long start = System.nanoTime();
        long end = start + windowMs * 1_000_000L;
        long count = 0;
        long now;
        do {
            for (int k = 0; k < 256; k++) {
                slot.call(CoreCalls.NOP);
            }
            count += 256;
            now = System.nanoTime();
        } while (now < end);
        return (now - start) / (double) count;
    }

    private static void report(List<Pair> pairs, long windowMs, Path out) throws Exception {
        double[] floor = pairs.stream().mapToDouble(Pair::floorNs).sorted().toArray();
        double[] ring = pairs.stream().mapToDouble(Pair::ringNs).sorted().toArray();
        double[] ratio = pairs.stream().mapToDouble(Pair::ratio).sorted().toArray();
        StringBuilder md = new StringBuilder("# Ring null call against the cache-line floor, interleaved\n\n");
        md.append(String.format(Locale.ROOT, "%d pairs of %d ms windows (floor, then ring), client on CPU 0, echo and"
                + " ring worker on CPU 1, the idle side SIGSTOPped; %d CPUs.%n%n", pairs.size(), windowMs,
                CPUS));
        md.append("| measure | min | p10 | median | p90 | max |\n|---|--:|--:|--:|--:|--:|\n");
        line(md, "floor: cache-line ping-pong RTT (ns)", floor);
        line(md, "ring: null call RTT, busy-poll (ns)", ring);
        line(md, "ring / floor of the same pair (x)", ratio);
        md.append("\n| pair | floor ns | ring ns | ratio |\n|--:|--:|--:|--:|\n");
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.2f |%n", i, p.floorNs(), p.ringNs(),
                    p.ratio()));
        }
        Files.createDirectories(out);
        Path file = out.resolve("paired-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".md");
        Files.writeString(file, md);
        System.out.print(md.substring(0, md.indexOf("\n| pair")));
        System.out.println("\nwritten: " + file);
    }

    private static void line(StringBuilder md, String name, double[] v) {
        md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", name, v[0], at(v, 0.1),
                at(v, 0.5), at(v, 0.9), v[v.length - 1]));
    }

    private static double at(double[] sorted, double p) {
        return sorted[(int) Math.round(p * (sorted.length - 1))];
    }

}
