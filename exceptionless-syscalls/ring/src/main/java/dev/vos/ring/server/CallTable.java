package dev.vos.ring.server;

import dev.vos.ring.layout.SlotLayout;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The calls a server answers: a handler and a name per call number. Immutable once built; a lookup is an array
 * index, and an unknown number finds nothing (the worker answers it with {@code ENOSYS}).
 *
 * <p>A table may also say how to make <em>session state</em>: one object per served ring (per client), created
 * when a {@link RingServer} attaches and closed when it stops, that handlers reach through
 * {@link ServerCall#session()}. Handlers are shared by every client of an agent; this is how they keep what
 * belongs to one client (a storage domain's descriptor table) apart from another's.
 */
public final class CallTable {

    private final CallHandler[] handlers;
    private final String[] names;
    private final boolean[] mayWait;
    private final Supplier<? extends AutoCloseable> sessionState;

    private CallTable(CallHandler[] handlers, String[] names, boolean[] mayWait,
                      Supplier<? extends AutoCloseable> sessionState) {
        this.handlers = handlers;
        this.names = names;
        this.mayWait = mayWait;
        this.sessionState = sessionState;
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** One more than the highest call number the table could hold: the size of per-call arrays. */
    public int size() {
        return handlers.length;
    }

    /** The handler of {@code callNumber}, or {@code null} if none is registered. */
    public CallHandler handler(int callNumber) {
        return callNumber >= 0 && callNumber < handlers.length ? handlers[callNumber] : null;
    }

    /** The name of {@code callNumber}, or "call N" if none is registered. */
    public String name(int callNumber) {
        return callNumber >= 0 && callNumber < names.length && names[callNumber] != null
                ? names[callNumber] : "call " + callNumber;
    }

    /**
     * Whether {@code callNumber} was registered with {@link Builder#addMayWait}: it may wait for an outside event
     * as long as it likes, and the worker executing it is never reported stuck.
     */
    public boolean mayWait(int callNumber) {
        return callNumber >= 0 && callNumber < mayWait.length && mayWait[callNumber];
    }

    /**
     * A fresh session state for a ring about to be served, or {@code null} when the table has none. The caller
     * (a {@link RingServer}) owns it and closes it.
     */
    public AutoCloseable newSessionState() {
        return sessionState == null ? null : sessionState.get();
    }

    /** Collects handlers; rejects duplicate numbers and names. */
    public static final class Builder {
        private CallHandler[] handlers = new CallHandler[64];
        private String[] names = new String[64];
        private boolean[] mayWait = new boolean[64];
        private Supplier<? extends AutoCloseable> sessionState;

        private Builder() {
        }

        /**
         * Registers {@code handler} as call {@code number}, called {@code name} in logs and metrics. Its calls are
         * expected to end: a worker inside one for longer than the ring's liveness timeout, neither runnable nor in
         * I/O wait and using no CPU, is reported stuck, and the domain is judged hung (see {@code RingServer}).
         */
        public Builder add(int number, String name, CallHandler handler) {
            return add(number, name, handler, false);
        }

        /**
         * Registers {@code handler} as call {@code number} that may legitimately wait for an outside event (a
         * peer's bytes, a connection, a timer) for as long as it likes: the worker executing it is never reported
         * stuck. A domain hung in such a call is still found by its heartbeat and its process's state.
         */
        public Builder addMayWait(int number, String name, CallHandler handler) {
            return add(number, name, handler, true);
        }

        private Builder add(int number, String name, CallHandler handler, boolean waits) {
            if (number < 0 || number > SlotLayout.MAX_CALL_NUMBER) {
                throw new IllegalArgumentException("call number " + number + " is outside 0.."
                        + SlotLayout.MAX_CALL_NUMBER);
            }
            if (number >= handlers.length) {
                int size = Math.max(number + 1, handlers.length * 2);
                handlers = Arrays.copyOf(handlers, size);
                names = Arrays.copyOf(names, size);
                mayWait = Arrays.copyOf(mayWait, size);
            }
            if (handlers[number] != null) {
                throw new IllegalArgumentException("call number " + number + " is already " + names[number]);
            }
            if (Arrays.asList(names).contains(name)) {
                throw new IllegalArgumentException("call name " + name + " is already registered");
            }
            handlers[number] = handler;
            names[number] = name;
            mayWait[number] = waits;
            return this;
        }

        /**
         * Makes every served ring get its own state from {@code factory} (see {@link CallTable}); at most one
         * factory per table, since the state is the one {@link ServerCall#session()} returns.
         */
        public Builder sessionState(Supplier<? extends AutoCloseable> factory) {
            if (sessionState != null) {
                throw new IllegalStateException("the table already has a session state factory");
            }
            sessionState = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** The table. */
        public CallTable build() {
            return new CallTable(handlers.clone(), names.clone(), mayWait.clone(), sessionState);
        }
    }
}
