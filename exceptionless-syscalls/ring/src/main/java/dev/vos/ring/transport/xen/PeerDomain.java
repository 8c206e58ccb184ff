package dev.vos.ring.transport.xen;

/**
 * What the Xen transport's peer watch asks about the server's domain once its heartbeat is stale. The ring cannot
 * see another domain's processes; whoever runs the client and knows the domain (in dom0: the control plane, through
 * libxl) answers. Supplied by the caller, so that the ring depends on no tool stack. Called on the client's monitor
 * thread, at most once per monitor period and only while the heartbeat is stale: it may be slow, not blocking.
 */
@FunctionalInterface
public interface PeerDomain {

    /** No one can say: a stale heartbeat is then a hang on the heartbeat's evidence alone. */
    PeerDomain UNKNOWN = () -> State.UNKNOWN;

    /** The domain's state now. */
    State state();

    /** A domain's state, as far as the watch acts on it. */
    enum State {
        /** Running or runnable (or blocked in its kernel): a stale heartbeat is a busy domain, up to the cap. */
        RUNNING,
        /** Paused ({@code xl pause}): the Xen analogue of SIGSTOP, a hang at once. */
        PAUSED,
        /** Dying, shut down, crashed, or no longer there: a death. */
        GONE,
        /** Not known to whoever answers. */
        UNKNOWN
    }
}
