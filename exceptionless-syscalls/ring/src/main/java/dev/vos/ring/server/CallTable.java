package dev.vos.ring.server;

import dev.vos.ring.layout.SlotLayout;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
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

    /**
     * What a call's positive result counts as in the domain's figures ({@link ServerStats#bytesRead()} and
     * {@link ServerStats#bytesWritten()}): nothing, or bytes it moved for its client.
     */
    public enum Transfer {
        /** The result is not a byte count (a descriptor, 0, a size of a record). */
        NONE,
        /** The result is bytes the call read for its client (from a file or a peer, into the payload). */
        READ,
        /** The result is bytes the call wrote for its client (from the payload, to a file or a peer). */
        WRITE
    }

    private final CallHandler[] handlers;
    private final String[] names;
    private final boolean[] mayWait;
    private final boolean[] batched;
    private final Transfer[] transfers;
    private final Supplier<? extends AutoCloseable> sessionState;
    private final Supplier<? extends CallBatcher> batcher;
    private final Supplier<? extends IdlePoll> idlePoll;
    private final Map<KindFigure, LongSupplier> figures;

    private CallTable(Builder b) {
        this.handlers = b.handlers.clone();
        this.names = b.names.clone();
        this.mayWait = b.mayWait.clone();
        this.batched = b.batched.clone();
        this.transfers = b.transfers.clone();
        this.sessionState = b.sessionState;
        this.batcher = b.batcher;
        this.idlePoll = b.idlePoll;
        this.figures = Collections.unmodifiableMap(new EnumMap<>(b.figures));
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
     * Whether {@code callNumber} was registered with {@link Builder#addBatched}: its handler may gather the call into
     * the worker's {@link CallBatcher} instead of executing it at once.
     */
    public boolean batched(int callNumber) {
        return callNumber >= 0 && callNumber < batched.length && batched[callNumber];
    }

    /** What a positive result of {@code callNumber} counts as ({@link Builder#transfers}); NONE for an unknown one. */
    public Transfer transfer(int callNumber) {
        return callNumber >= 0 && callNumber < transfers.length && transfers[callNumber] != null
                ? transfers[callNumber] : Transfer.NONE;
    }

    /**
     * The kind's own figures ({@link Builder#figure}) as they are now, domain-wide; empty when the table keeps none.
     * Each is read on its own, so two of them may be of slightly different instants.
     */
    public Map<KindFigure, Long> figures() {
        Map<KindFigure, Long> now = new EnumMap<>(KindFigure.class);
        figures.forEach((figure, value) -> now.put(figure, value.getAsLong()));
        return now;
    }

    /** A fresh batch for a worker about to start, or {@code null} when the table has no batcher. */
    public CallBatcher newBatcher() {
        return batcher == null ? null : batcher.get();
    }

    /** A fresh idle poll for a worker about to start, or {@code null} when the table has none. */
    IdlePoll newIdlePoll() {
        return idlePoll == null ? null : idlePoll.get();
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
        private boolean[] batched = new boolean[64];
        private Transfer[] transfers = new Transfer[64];
        private Supplier<? extends AutoCloseable> sessionState;
        private Supplier<? extends CallBatcher> batcher;
        private Supplier<? extends IdlePoll> idlePoll;
        private final Map<KindFigure, LongSupplier> figures = new EnumMap<>(KindFigure.class);

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

        /**
         * Registers {@code handler} as call {@code number} that may gather its call into the worker's batch
         * ({@link ServerCall#batcher()}) and {@linkplain ServerCall#defer() defer} it, to be executed with others in
         * one {@link CallBatcher#flush}. Before a call of any other handler, the worker flushes the batch, so that
         * the calls of one client keep their queue order across the two kinds.
         */
        public Builder addBatched(int number, String name, CallHandler handler) {
            add(number, name, handler, false);
            batched[number] = true;
            return this;
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
                batched = Arrays.copyOf(batched, size);
                transfers = Arrays.copyOf(transfers, size);
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
         * Says that a positive result of call {@code number} (registered already) is bytes it moved for its client,
         * in the direction {@code transfer}: the server adds it to the domain's bytes read or written. The count is
         * of what the call returned, as the server answered it; a client cannot write it.
         */
        public Builder transfers(int number, Transfer transfer) {
            if (number < 0 || number >= handlers.length || handlers[number] == null) {
                throw new IllegalArgumentException("call number " + number + " is not registered");
            }
            transfers[number] = Objects.requireNonNull(transfer, "transfer");
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

        /**
         * Gives every worker of every served ring a batch of its own from {@code factory} (see {@link CallBatcher});
         * at most one per table.
         */
        public Builder batcher(Supplier<? extends CallBatcher> factory) {
            if (batcher != null) {
                throw new IllegalStateException("the table already has a batcher factory");
            }
            batcher = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Gives each worker an {@link IdlePoll}, made by {@code factory} when the worker starts: what it checks
         * between polls of an empty queue (the domain's readiness for parked calls). At most one per table.
         */
        public Builder idlePoll(Supplier<? extends IdlePoll> factory) {
            if (idlePoll != null) {
                throw new IllegalStateException("the table already has an idle poll factory");
            }
            idlePoll = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Makes {@code value} the domain's {@code figure} (see {@link KindFigure}): read whenever the supervisor asks
         * for the domain's figures, from any thread, so it must be safe to read concurrently. Once per figure.
         */
        public Builder figure(KindFigure figure, LongSupplier value) {
            Objects.requireNonNull(value, "value");
            if (figures.putIfAbsent(Objects.requireNonNull(figure, "figure"), value) != null) {
                throw new IllegalArgumentException("figure " + figure + " is already registered");
            }
            return this;
        }

        /** The table. */
        public CallTable build() {
            return new CallTable(this);
        }
    }
}
