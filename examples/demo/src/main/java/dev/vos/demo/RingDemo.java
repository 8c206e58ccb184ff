package dev.vos.demo;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.RingServerProcess;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * What {@code vos demo} does, step by step, printing each: start a service domain in a child process, make calls
 * through the ring (with payloads, and with bad arguments), measure the null-call round trip, run concurrent
 * virtual threads, kill the domain with SIGKILL while calls are in flight, and serve the next generation.
 */
public final class RingDemo {

    /** Options of {@code vos demo}. */
    public record Options(long calls, int rounds, int threads, boolean pin) {
        public Options {
            if (calls < 1 || rounds < 1 || threads < 1) {
                throw new IllegalArgumentException("--calls, --rounds and --threads must be at least 1");
            }
        }
    }

    private final Options options;
    private final PrintStream out;

    public RingDemo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the demo; true if every step behaved as the ring promises. */
    public boolean run() throws IOException, InterruptedException {
        boolean ok = true;
        int cpus = Runtime.getRuntime().availableProcessors();
        boolean pin = options.pin && cpus >= 2;
        say("vos demo: the exceptionless system-call ring (this process is the primary domain, pid %d, %d CPUs)",
                Linux.getpid(), cpus);
        Path file = segmentPath(1);
        try (RingClient ring = RingClient.create(file, RingGeometry.DEFAULT, 1, WaitStrategy.busyPoll())) {
            RingGeometry g = ring.geometry();
            say("[1] created ring segment %s: %d slots of 64 B, %d KiB of payload per slot, generation 1",
                    file, g.slotCount(), g.dataBytesPerSlot() >> 10);
            long t0 = System.nanoTime();
            String[] serverArgs = pin ? new String[]{"--busy-poll", "--pin-cpus", "1"} : new String[]{"--busy-poll"};
            try (RingServerProcess domain = RingServerProcess.start(file, Duration.ofSeconds(30), serverArgs)) {
                ring.awaitServer(Duration.ofSeconds(10));
                say("[2] started a service domain in a child JVM: pid %d, serving after %d ms%s", domain.pid(),
                        (System.nanoTime() - t0) / 1_000_000, pin ? " (its worker busy-polls on CPU 1)" : "");
                if (pin) {
                    Linux.pinCurrentThread(0);
                }
                ok &= calls(ring, domain);
                roundTrip(ring);
                ok &= throughput(ring);
                ok &= kill(ring, domain);
            }
        }
        ok &= nextGeneration();
        return ok;
    }

    private boolean calls(RingClient ring, RingServerProcess domain) throws DomainFailedException {
        long pid = ring.call(CoreCalls.GETPID);
        say("[3] getpid through the ring -> %d (the domain's pid; ours is %d)", pid, Linux.getpid());
        boolean ok = pid == domain.pid();
        try (CallSlot slot = ring.acquire()) {
            byte[] text = "hello from the primary domain".getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(MemorySegment.ofArray(text), 0, slot.data(), 0, text.length);
            CRC32C crc = new CRC32C();
            crc.update(text);
            long remote = slot.call(CoreCalls.CHECKSUM, slot.dataOffset(), text.length, 0);
            say("    checksum of a %d-byte payload in the data area -> %08x (computed here: %08x)", text.length,
                    remote, crc.getValue());
            ok &= remote == crc.getValue();
            long unknown = slot.call(999);
            long outside = slot.call(CoreCalls.CHECKSUM, ring.geometry().dataBytes(), 1, 0);
            say("    unknown call 999 -> %s; a payload outside the data area -> %s; the domain serves on: nop -> %d",
                    Errno.describe(unknown), Errno.describe(outside), slot.call(CoreCalls.NOP));
            ok &= unknown == -Errno.ENOSYS && outside == -Errno.EFAULT;
        }
        return ok;
    }

    private void roundTrip(RingClient ring) throws DomainFailedException {
        for (long i = 0; i < options.calls; i++) { // warm-up: let the JIT compile the call path
            ring.call(CoreCalls.NOP);
        }
        double[] ns = new double[options.rounds];
        try (CallSlot slot = ring.acquire()) {
            for (int r = 0; r < options.rounds; r++) {
                long start = System.nanoTime();
                for (long i = 0; i < options.calls; i++) {
                    slot.call(CoreCalls.NOP);
                }
                ns[r] = (System.nanoTime() - start) / (double) options.calls;
            }
        }
        Arrays.sort(ns);
        for (long i = 0; i < options.calls; i++) { // warm-up, as for the ring
            Linux.getpid();
        }
        long local = System.nanoTime();
        for (long i = 0; i < options.calls; i++) {
            Linux.getpid();
        }
        double localNs = (System.nanoTime() - local) / (double) options.calls;
        say("[4] null-call round trip, busy-polling, across processes: median %.0f ns (min %.0f, max %.0f; %d rounds"
                + " of %d calls); a local FFM getpid costs %.0f ns", ns[ns.length / 2], ns[0], ns[ns.length - 1],
                options.rounds, options.calls, localNs);
    }

    private boolean throughput(RingClient ring) throws InterruptedException {
        long perThread = Math.max(1, options.calls / options.threads);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < options.threads; t++) {
                pool.submit(() -> {
                    for (long i = 0; i < perThread; i++) {
                        ring.call(CoreCalls.NOP);
                        done.incrementAndGet();
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        say("[5] %d virtual threads made %d calls in %.2f s: %.2f million calls/s", options.threads, done.get(),
                seconds, done.get() / seconds / 1e6);
        return done.get() == perThread * options.threads;
    }

    private boolean kill(RingClient ring, RingServerProcess domain) throws InterruptedException {
        // The ring sees no processes: its owner, who does, tells it how the domain ended.
        domain.process().onExit().thenRun(() -> ring.fail(RingFailure.Died.exited(domain.process().exitValue())));
        AtomicLong completed = new AtomicLong();
        List<Future<Long>> failedAt = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        long killedAt;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < options.threads; t++) {
                failedAt.add(pool.submit(() -> {
                    while (true) {
                        try {
                            ring.call(CoreCalls.NOP);
                            completed.incrementAndGet();
                        } catch (DomainFailedException e) {
                            synchronized (reasons) {
                                reasons.add(e.getMessage());
                            }
                            return System.nanoTime();
                        }
                    }
                }));
            }
            while (completed.get() < 10_000) {
                Thread.sleep(1);
            }
            killedAt = System.nanoTime();
            domain.signal(Linux.SIGKILL);
        }
        long worst = 0;
        for (Future<Long> f : failedAt) {
            try {
                worst = Math.max(worst, f.get(30, TimeUnit.SECONDS) - killedAt);
            } catch (Exception e) {
                say("    a caller did not finish: %s", e);
                return false;
            }
        }
        // A caller whose call was answered before the kill learns of it from its next call, refused at once: on a
        // busy machine the domain can answer every call before its caller runs again, so not every failure was in
        // flight.
        say("[6] SIGKILL to the domain while %d virtual threads were calling: all %d callers failed within %.1f ms"
                + " (a call in flight at the kill fails; a later one is refused at once)", options.threads,
                failedAt.size(), worst / 1e6);
        say("    with: %s (errno EIO)", reasons.getFirst());
        return reasons.size() == options.threads;
    }

    private boolean nextGeneration() throws IOException {
        Path file = segmentPath(2);
        long t0 = System.nanoTime();
        try (RingClient ring = RingClient.create(file, RingGeometry.DEFAULT, 2, WaitStrategy.busyPoll());
             RingServerProcess domain = RingServerProcess.start(file, Duration.ofSeconds(30))) {
            ring.awaitServer(Duration.ofSeconds(10));
            long pid = ring.call(CoreCalls.GETPID);
            say("[7] generation 2 on a fresh segment: a new domain (pid %d) serves after %d ms; getpid -> %d",
                    domain.pid(), (System.nanoTime() - t0) / 1_000_000, pid);
            return pid == domain.pid();
        }
    }

    private static Path segmentPath(long generation) {
        return SegmentFiles.path("demo", "g" + generation);
    }

    private void say(String format, Object... args) {
        out.println(String.format(format, args));
        out.flush();
    }
}
