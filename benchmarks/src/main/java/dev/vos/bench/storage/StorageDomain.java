package dev.vos.bench.storage;

import dev.vos.bench.support.Children;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainAgentMain;
import dev.vos.ring.agent.DomainStats;
import dev.vos.ring.agent.SupervisorToken;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.storage.domain.StorageCallTableProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A storage domain in a child JVM, started the way the control plane's process backend starts one
 * ({@code DomainAgentMain --kind storage --option exportRoot=DIR --supervisor-token-file F --exit-with-supervisor},
 * without the namespaces), with one worker that busy-polls pinned to {@link #SERVER_CPU}, and this process's one
 * session with it. The session is the supervisor's (its lifeline, proven by the token): when this JVM dies, the
 * agent exits by itself, so a crashed benchmark never leaves a polling domain behind; and it sees the whole domain's
 * figures.
 */
public final class StorageDomain implements AutoCloseable {

    /** The CPU the domain's polling worker is pinned to; clients keep to CPU 0. */
    public static final int SERVER_CPU = 1;
    /** The default geometry (64 slots of 64 KiB) with a 10 s liveness timeout, as the ring benchmarks use. */
    public static final RingGeometry GEOMETRY = RingGeometry.DEFAULT.withLivenessTimeout(Duration.ofSeconds(10));

    private final Process agent;
    private final AgentSession session;
    private final Path socket;

    private StorageDomain(Process agent, AgentSession session, Path socket) {
        this.agent = agent;
        this.session = session;
        this.socket = socket;
    }

    /**
     * Starts a storage domain exporting {@code exportRoot} (an absolute directory) and attaches to it.
     *
     * @param workers    polling workers of the session (each busy-polls; with 1, pinned to {@link #SERVER_CPU})
     * @param pinCpus    CPUs for the workers, e.g. "1" or "0,1"; empty: not pinned
     */
    public static StorageDomain start(Path exportRoot, RingGeometry geometry, WaitStrategy wait, int workers,
                                      String pinCpus) throws IOException {
        return start(exportRoot, geometry, wait, workers, pinCpus, null);
    }

    /**
     * As {@link #start(Path, RingGeometry, WaitStrategy, int, String)}, with workers that poll an empty queue for
     * {@code idleSpin} and then sleep until a client rings ({@code null}: they never sleep, the benchmarks' default).
     * A sleeping worker gives its core back to the application: on 2 cores, a busy-polling domain leaves a
     * multithreaded application (Lucene's merges, the JIT, the GC) one core.
     */
    public static StorageDomain start(Path exportRoot, RingGeometry geometry, WaitStrategy wait, int workers,
                                      String pinCpus, Duration idleSpin) throws IOException {
        Path socket = Children.scratchFile(".sock");
        Path tokenFile = Children.scratchFile(".token");
        SupervisorToken token = SupervisorToken.issue(tokenFile);
        List<String> args = new ArrayList<>(List.of("--name", "bench-storage", "--kind", "storage",
                "--generation", "1", "--socket", socket.toString(),
                "--workers", Integer.toString(workers), "--supervisor-token-file", tokenFile.toString(),
                "--exit-with-supervisor", "--hang-timeout-ms",
                Long.toString(geometry.livenessTimeoutNs() / 1_000_000),
                "--option", StorageCallTableProvider.EXPORT_ROOT + "=" + exportRoot.toAbsolutePath()));
        if (idleSpin == null) {
            args.add("--busy-poll");
        } else {
            args.addAll(List.of("--idle-spin-us", Long.toString(idleSpin.toNanos() / 1_000)));
        }
        if (!pinCpus.isEmpty()) {
            args.addAll(List.of("--pin-cpus", pinCpus));
        }
        Process agent = Children.startJvm(DomainAgentMain.class, "agent bench-storage generation 1 listening",
                Duration.ofSeconds(60), args.toArray(String[]::new));
        try {
            AgentSession session = AgentSession.attachAsSupervisor(socket, geometry, token, wait,
                    Duration.ofSeconds(30));
            long pid = session.ring().call(CoreCalls.GETPID);
            if (pid != agent.pid()) {
                throw new IllegalStateException("getpid through the ring answered " + pid + ", the agent is "
                        + agent.pid());
            }
            return new StorageDomain(agent, session, socket);
        } catch (IOException | RuntimeException e) {
            Children.stop(agent);
            Children.delete(socket);
            throw e;
        } finally {
            Children.delete(tokenFile); // read by the agent at its start; no one needs it after
        }
    }

    /** The default: one busy-polling worker pinned to {@link #SERVER_CPU}. */
    public static StorageDomain start(Path exportRoot, WaitStrategy wait) throws IOException {
        return start(exportRoot, GEOMETRY, wait, 1, Integer.toString(SERVER_CPU));
    }

    public RingClient ring() {
        return session.ring();
    }

    /** The agent's process id. */
    public long pid() {
        return agent.pid();
    }

    /** The domain's figures now (all sessions), through the STATS core call. */
    public DomainStats stats() throws IOException {
        try (CallSlot slot = ring().acquire()) {
            long n = slot.call(CoreCalls.STATS, slot.dataOffset(), slot.data().byteSize(), 0);
            if (n < 0) {
                throw new IOException("STATS failed: " + dev.vos.sys.Errno.describe(n));
            }
            return DomainStats.decode(slot.data().asSlice(0, n));
        }
    }

    /** Mean sampled service time in the domain (ns per call) between two {@link #stats()}. */
    public static double meanServiceNs(DomainStats before, DomainStats after) {
        long samples = 0;
        for (int i = 0; i < after.serviceTimeBuckets().length; i++) {
            samples += after.serviceTimeBuckets()[i] - before.serviceTimeBuckets()[i];
        }
        return samples == 0 ? Double.NaN : (after.serviceTimeSumNs() - before.serviceTimeSumNs()) / (double) samples;
    }

    /** Ends the session (the agent exits with its supervisor), then kills and reaps the agent. */
    @Override
    public void close() throws IOException {
        try {
            session.close();
        } finally {
            Children.stop(agent);
            Children.delete(socket);
        }
    }
}
