package dev.vos.client;

import dev.vos.ring.DomainFailedException;
import dev.vos.ring.RingFailure;
import dev.vos.ring.agent.AgentSession;
import dev.vos.ring.agent.DomainSession;
import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.agent.XenGuestSession;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.CallSource;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client of one service domain that follows it across generations. It is bound to the domain, not to a
 * generation: when the domain dies, the calls in flight fail at once (the session's lifeline closes) with
 * {@link DomainFailedException}; a call made while the domain is down fails at once with {@link
 * DomainUnavailableException}; the first call after the domain is back attaches to its new generation, with no
 * configuration read again. Safe for any number of platform or virtual threads.
 *
 * <p>How a generation is attached is the one thing that differs between a process domain and a Xen guest (a
 * {@link DomainSession} either way): a process domain's agent socket hands over a sealed memfd ({@link
 * AgentSession}); a Xen guest is offered a ring of granted pages through xenstore ({@link XenGuestSession}), each
 * attach a generation one higher than the last. Which one a domain is, {@link #forDomain} reads once from the state
 * directory: {@code domains/NAME/xen-guest} names a Xen guest; without it, the domain's agent socket.
 *
 * <pre>{@code
 * try (DomainClient storage = DomainClient.forDomain(stateDir, "storage0", DomainClient.Options.DEFAULT)) {
 *     long pid = storage.call(CoreCalls.GETPID);
 * }
 * }</pre>
 */
public final class DomainClient implements CallSource, AutoCloseable {

    /**
     * How the client binds.
     *
     * @param geometry        the shape of each generation's ring: its slots and payload room; its liveness timeout
     *                        is not used (see {@code livenessTimeout})
     * @param waitStrategy    how callers wait for their calls
     * @param attachTimeout   how long one attach may take
     * @param retryInterval   least time between two attach attempts while the domain is down, so that a crowd of
     *                        callers does not hammer a socket that is not there
     * @param livenessTimeout {@code null} (the default): the domain's hang timeout, as its agent announces it, so
     *                        that this client and the control plane never disagree about whether the domain is hung.
     *                        A duration: this client's own, <b>for tests only</b> (one that must see its ring fail
     *                        while the control plane still counts the domain alive)
     */
    public record Options(RingGeometry geometry, WaitStrategy waitStrategy, Duration attachTimeout,
                          Duration retryInterval, Duration livenessTimeout) {
        /** The default ring, spin-then-park callers, 5 s to attach, 20 ms between attempts, the domain's timeout. */
        public static final Options DEFAULT = new Options(RingGeometry.DEFAULT,
                WaitStrategy.standard(), Duration.ofSeconds(5), Duration.ofMillis(20),
                null);

        /** The same options with another wait strategy. */
        public Options with(WaitStrategy strategy) {
            return new Options(geometry, strategy, attachTimeout, retryInterval, livenessTimeout);
        }

        /** The same options with a liveness timeout of this client's own instead of the domain's: for tests. */
        public Options withLivenessTimeout(Duration timeout) {
            return new Options(geometry, waitStrategy, attachTimeout, retryInterval, timeout);
        }
    }

    /** How one generation is attached: over the agent's socket, or by offering a Xen guest a ring. */
    @FunctionalInterface
    private interface Attacher {
        /** A session of the domain's current generation; {@code lastGeneration}: the one before (0: none). */
        DomainSession attach(long lastGeneration) throws IOException;
    }

    private final String domain;
    private final Attacher attacher;
    private final RingGeometry geometry;
    private final Options options;
    private final ReentrantLock binding = new ReentrantLock();
    private volatile DomainSession session;
    private volatile long lastGeneration;
    private volatile String lastProblem = "not attached yet";
    private long lastAttemptNs;
    private volatile boolean closed;
    /**
     * Runs on a caller that found another caller attaching (its tryLock failed), before it decides what to do: a
     * seam for the test that forces the race of finding #5, where that attach finishes meanwhile.
     */
    volatile Runnable whileAnotherAttaches = () -> { };

    private DomainClient(String domain, Attacher attacher, RingGeometry geometry, Options options) {
        this.domain = domain;
        this.attacher = attacher;
        this.geometry = geometry;
        this.options = options;
    }

    /**
     * A client of the domain {@code name} of the control plane whose state directory is {@code stateDir}: a Xen
     * guest if the directory records it as one ({@code domains/NAME/xen-guest}, {@link #forXenGuest}), else the
     * process domain whose agent listens at {@code domains/NAME/agent.sock}.
     *
     * @throws UncheckedIOException if a {@code xen-guest} record is there but unreadable or malformed
     */
    public static DomainClient forDomain(Path stateDir, String name, Options options) {
        Optional<String> xenName;
        try {
            xenName = XenGuestSession.recorded(stateDir, name);
        } catch (IOException e) {
            throw new UncheckedIOException("domain " + name + ": " + e.getMessage(), e);
        }
        return xenName.isPresent() ? forXenGuest(name, xenName.get(), options)
                : forSocket(name, StateDirectory.agentSocket(stateDir, name), options);
    }

    /**
     * The state directory a program finds its domains in when nothing else names one: the system property
     * {@code vos.stateDir}, else {@code $VOS_STATE_DIR}, else vos's default.
     */
    public static Path stateDirFromEnvironment() {
        String property = System.getProperty("vos.stateDir");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("VOS_STATE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : StateDirectory.defaultPath();
    }

    /** A client of the agent listening on {@code socket}. */
    public static DomainClient forSocket(String name, Path socket, Options options) {
        return new DomainClient(name, last -> options.livenessTimeout() == null
                ? AgentSession.attach(socket, options.geometry(), options.waitStrategy(), options.attachTimeout())
                : AgentSession.attachWithOwnLiveness(socket,
                        options.geometry().withLivenessTimeout(options.livenessTimeout()),
                        options.waitStrategy(), options.attachTimeout()), options.geometry(), options);
    }

    /**
     * A client of the domain {@code name} that is the Xen guest {@code xenName} (its name in {@code xl list}),
     * from the domain that runs the clients (dom0). Each attach offers the guest's agent a ring of {@link
     * XenGuestSession#GEOMETRY} (the options' geometry is a process domain's: its segment would exceed the grants
     * Xen allows) with the options' liveness timeout if they set one, for generation one higher than the last; an
     * attach may take the options' attach timeout or {@link XenGuestSession#MIN_ATTACH_TIMEOUT}, whichever is longer
     * (one caller waits for it; the others fail at once meanwhile, as for a process domain).
     */
    public static DomainClient forXenGuest(String name, String xenName, Options options) {
        RingGeometry ring = options.livenessTimeout() == null ? XenGuestSession.GEOMETRY
                : XenGuestSession.GEOMETRY.withLivenessTimeout(options.livenessTimeout());
        Duration attach = options.attachTimeout().compareTo(XenGuestSession.MIN_ATTACH_TIMEOUT) < 0
                ? XenGuestSession.MIN_ATTACH_TIMEOUT : options.attachTimeout();
        return new DomainClient(name, last -> XenGuestSession.attach(xenName, ring, last + 1,
                options.waitStrategy(), attach), ring, options);
    }

    /** The domain's name. */
    public String domain() {
        return domain;
    }

    /** The most payload one call can carry: a slot's data chunk. */
    public long chunkBytes() {
        return geometry.dataBytesPerSlot();
    }

    /** The generation this client is bound to now, or last was; 0 before the first attach. */
    public long generation() {
        return lastGeneration;
    }

    /** Takes a call slot of the domain's current generation, attaching to it first if needed. */
    @Override
    public CallSlot acquire() throws DomainFailedException {
        DomainSession current = session;
        if (current != null && !current.ring().hasFailed()) {
            try {
                return current.ring().acquire();
            } catch (DomainFailedException e) {
                // it failed between the check and the acquire: bind again below
            }
        }
        return rebind(current);
    }

    /** Binds again after {@code seen}, the session this caller found failed (null: none yet). */
    private CallSlot rebind(DomainSession seen) throws DomainFailedException {
        // The first attach: everyone waits for it. After a failure: one thread attaches again, and the others fail
        // at once rather than queue behind an attach to a domain that may be down or hung.
        if (lastGeneration == 0) {
            binding.lock();
        } else if (!binding.tryLock()) {
            whileAnotherAttaches.run();
            DomainSession now = session;
            if (now != null && now != seen && !now.ring().hasFailed()) {
                return now.ring().acquire(); // the attach it found has finished: use its session
            }
            // What this caller saw, not lastProblem: the attach it found may have reset that meanwhile.
            throw unavailable(failureOf(seen) + "; another caller is attaching again");
        }
        try {
            if (closed) {
                throw new DomainFailedException("the client of " + domain + " is closed", lastGeneration);
            }
            DomainSession current = session;
            if (current != null && !current.ring().hasFailed()) {
                return current.ring().acquire(); // another thread re-bound while this one waited
            }
            if (current != null) {
                lastProblem = failureOf(current);
            }
            long now = System.nanoTime();
            if (lastAttemptNs != 0 && now - lastAttemptNs < options.retryInterval().toNanos()) {
                throw unavailable(lastProblem);
            }
            lastAttemptNs = now;
            DomainSession next;
            try {
                next = attacher.attach(lastGeneration);
            } catch (IOException e) {
                String attach = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                lastProblem = lastProblem.startsWith("generation ") ? lastProblem + "; " + attach : attach;
                throw unavailable(lastProblem);
            }
            session = next;
            lastGeneration = next.generation();
            lastProblem = "";   // read only under the lock; a caller outside it reports what it saw itself
            if (current != null) {
                // Its callers are failing out; close() waits for them to let go, off this thread.
                Thread.ofVirtual().start(() -> closeQuietly(current));
            }
            return next.ring().acquire();
        } finally {
            binding.unlock();
        }
    }

    private DomainUnavailableException unavailable(String cause) {
        return new DomainUnavailableException(notServing(domain, cause), lastGeneration);
    }

    /** The message of a call refused while {@code domain} is not serving; {@code cause} is never left out. */
    static String notServing(String domain, String cause) {
        String why = cause == null || cause.isBlank() ? "no cause was recorded" : cause;
        return "domain " + domain + " is not serving (" + why + "); if its supervisor restarts it, calls succeed"
                + " again shortly ('vos ps' shows its state)";
    }

    /** Why {@code s} stopped serving, as its ring says: "generation 3 failed: the domain is hung: ...". */
    static String failureOf(DomainSession s) {
        if (s == null) {
            return "not attached";
        }
        RingFailure reason = s.ring().failureReason();
        return "generation " + s.generation() + " failed: "
                + (reason == null ? "its ring failed" : reason.describe());
    }

    /** Whether a caller is attaching (or the client closing) right now: for tests that time a race. */
    boolean isAttaching() {
        return binding.isLocked();
    }

    /** The ring of the current generation, if bound (for tests and figures). */
    public RingClient ring() {
        DomainSession current = session;
        return current == null ? null : current.ring();
    }

    @Override
    public void close() {
        binding.lock();
        try {
            closed = true;
            if (session != null) {
                closeQuietly(session);
                session = null;
            }
        } finally {
            binding.unlock();
        }
    }

    private static void closeQuietly(DomainSession s) {
        try {
            s.close();
        } catch (IOException e) {
            // the session is over either way
        }
    }
}
