package dev.vos.ring.server;

/**
 * The figures a domain kind may report beyond the ring's own ({@link ServerStats}): a closed list, named here once
 * for both sides. A domain registers the ones it keeps ({@link CallTable.Builder#figure}); {@code STATS} carries them
 * by {@link #code()}; the control plane publishes each under {@link #meterName()}. A domain therefore cannot make the
 * control plane create a series of its choosing, and the set of series stays bounded by this list.
 *
 * <p>Every figure is domain-wide (all sessions): only the supervisor's {@code STATS} gets them, never a client's,
 * which sees its own session alone.
 */
public enum KindFigure {

    /** Sockets the net domain holds for its clients right now (listening and connected, every session). */
    NET_SOCKETS_OPEN(1, "vos.net.sockets.open", Type.GAUGE,
            "Sockets the net domain holds for its clients now, listening and connected, all sessions"),
    /** Connections a client's listening socket in the net domain accepted (accept answered a new socket). */
    NET_CONNECTIONS_ACCEPTED(2, "vos.net.connections.accepted", Type.COUNTER,
            "Connections the net domain accepted for its clients' listening sockets; resets when a new generation"
                    + " starts"),
    /** Connects the peer refused (a client's connect through the net domain answered ECONNREFUSED). */
    NET_CONNECTIONS_REFUSED(3, "vos.net.connections.refused", Type.COUNTER,
            "Connects through the net domain that the peer refused (ECONNREFUSED: nothing listening there);"
                    + " resets when a new generation starts"),
    /** fsync and fdatasync calls on an open descriptor the storage domain answered (a client's {@code force}). */
    STORAGE_FORCES(4, "vos.storage.forces", Type.COUNTER,
            "fsync and fdatasync calls on an open descriptor the storage domain answered for its clients; resets"
                    + " when a new generation starts"),
    /**
     * fsync and fdatasync operations the storage domain issued to the kernel for those calls: fewer than
     * {@link #STORAGE_FORCES} when a batch answered several forces of one descriptor with one (group commit).
     */
    STORAGE_SYNCS_ISSUED(5, "vos.storage.syncs.issued", Type.COUNTER,
            "fsync and fdatasync operations the storage domain issued to the kernel; fewer than the forces when"
                    + " forces of one descriptor queued together were answered by one; resets when a new generation"
                    + " starts"),
    /**
     * preads the storage domain answered by copying from its read-only mapping of the file, without a system call
     * (the rest are {@link #STORAGE_READS_TRAPPED}).
     */
    STORAGE_READS_MAPPED(6, "vos.storage.reads.mapped", Type.COUNTER,
            "preads the storage domain answered by a copy from its mapping of the file, no system call; resets when"
                    + " a new generation starts"),
    /** preads the storage domain answered through the kernel: a pread, or a batch's io_uring read or preadv. */
    STORAGE_READS_TRAPPED(7, "vos.storage.reads.trapped", Type.COUNTER,
            "preads the storage domain answered through the kernel (pread, or a batch's io_uring read or preadv);"
                    + " resets when a new generation starts"),
    /**
     * preads and pwrites the storage domain answered while an fsync it had issued for a force was in flight: calls
     * its worker served instead of waiting in the fsync.
     */
    STORAGE_CALLS_BESIDE_SYNC(8, "vos.storage.calls.beside.sync", Type.COUNTER,
            "preads and pwrites the storage domain answered while an fsync it had issued for a force was still in"
                    + " flight (served instead of waited behind it); resets when a new generation starts");

    /** How the control plane publishes a figure. */
    public enum Type {
        /** A value now, that goes up and down. */
        GAUGE,
        /** A count since the domain's generation started; only grows. */
        COUNTER
    }

    private final int code;
    private final String meterName;
    private final Type type;
    private final String description;

    KindFigure(int code, String meterName, Type type, String description) {
        this.code = code;
        this.meterName = meterName;
        this.type = type;
        this.description = description;
    }

    /** The figure's number in the {@code STATS} encoding: fixed, never reused (the order of this list is not). */
    public int code() {
        return code;
    }

    /** The Micrometer name (dots; Prometheus adds {@code _total} to a counter's). */
    public String meterName() {
        return meterName;
    }

    /** Gauge or counter. */
    public Type type() {
        return type;
    }

    /** The HELP text. */
    public String description() {
        return description;
    }

    /** The figure numbered {@code code}, or null if this build has none. */
    public static KindFigure ofCode(long code) {
        for (KindFigure f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }
}
