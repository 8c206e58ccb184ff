package dev.vos.client;

import dev.vos.ring.RingFailure;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;

import java.util.Objects;

/**
 * A number that one session of a service domain issued for something it holds on its client's behalf: a
 * storage domain's descriptor of an open file or directory (later, a net domain's socket). The number means
 * something only to the session that issued it: a new session (the client re-attached after its ring failed,
 * whether the domain restarted or lived on) has a table of its own, which may give the same number to another
 * file. So the number is only ever handed out by {@link #valueFor}, which checks that the slot belongs to the
 * very ring the handle was issued on, and a handle of an ended session fails with {@link DescriptorLostException}
 * instead of naming whatever the new session calls by that number.
 *
 * <p>What a handle is bound to (the ring instance of its session; its generation only for the message) is known
 * to this class alone: {@link #isLiveOn} is the one check, an identity compare that allocates nothing, and
 * nothing else reads the binding. The domain checks again: its numbers carry a per-session nonce, so a number
 * that slipped through anyway would be EBADF there.
 *
 * <pre>{@code
 * DomainHandle fd = DomainHandle.issuedBy(slot, Kind.FILE, "storage0", Open.call(slot, ...));
 * ...
 * Pread.call(other, fd.valueFor(other), ...);   // DescriptorLostException if the session changed meanwhile
 * }</pre>
 */
public final class DomainHandle {

    /** What a handle names, for the message that says it is lost and what to do. */
    public enum Kind {
        /** A storage domain's descriptor of an open file or directory. */
        FILE("storage", "open the file again"),
        /** A net domain's descriptor of a socket. */
        SOCKET("net", "open the channel again");

        private final String service;
        private final String remedy;

        Kind(String service, String remedy) {
            this.service = service;
            this.remedy = remedy;
        }
    }

    private final Kind kind;
    private final String domain;
    /** The session that issued the value: its ring. Kept for identity (and its failure, for the message). */
    private final RingClient session;
    private final long generation;
    private final long value;

    private DomainHandle(Kind kind, String domain, RingClient session, long value) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.session = Objects.requireNonNull(session, "session");
        this.generation = session.generation();
        this.value = value;
    }

    /** A handle for {@code value}, which a call on {@code slot} to the domain {@code domain} returned. */
    public static DomainHandle issuedBy(CallSlot slot, Kind kind, String domain, long value) {
        return new DomainHandle(kind, domain, slot.ring(), value);
    }

    /** Whether a call on {@code slot} reaches the session that issued this handle: the slot is of its ring. */
    public boolean isLiveOn(CallSlot slot) {
        return slot.ring() == session;
    }

    /**
     * The value, to pass in a call on {@code slot}.
     *
     * @throws DescriptorLostException if {@code slot} does not reach the session that issued it: the domain
     *                                 restarted, or the client re-attached to it after the session's ring failed,
     *                                 and the object the handle named went with its session
     */
    public long valueFor(CallSlot slot) throws DescriptorLostException {
        if (slot.ring() != session) {
            throw lost(slot);
        }
        return value;
    }

    private DescriptorLostException lost(CallSlot slot) {
        long now = slot.generation();
        if (now != generation) {
            return new DescriptorLostException(this, kind.service + " domain " + domain + " restarted (generation "
                    + generation + " -> " + now + "): this channel's descriptor ended with generation "
                    + generation + "; " + kind.remedy);
        }
        RingFailure why = session.failureReason();
        return new DescriptorLostException(this, kind.service + " domain " + domain + " was re-attached (a new"
                + " session of the same generation " + generation + ", after the old session's ring "
                + (why == null ? "ended" : "failed: " + why.describe()) + "): this channel's descriptor ended with"
                + " the old session; " + kind.remedy);
    }

    /** What it names. */
    public Kind kind() {
        return kind;
    }

    /** The domain that issued it. */
    public String domain() {
        return domain;
    }

    @Override
    public String toString() {
        return kind + " " + value + " of " + domain + " (generation " + generation + ", session " + session.file()
                + ")";
    }
}
