package dev.vos.client;

import dev.vos.ring.client.CallSlot;

import java.util.Objects;

/**
 * A number that one generation of a service domain issued for something it holds on its client's behalf: a
 * storage domain's descriptor of an open file or directory (later, a net domain's socket). The number means
 * something only to the session that issued it: a restarted domain serves a new session, whose table may give
 * the same number to another file. So the number is only ever handed out by {@link #valueFor}, which checks that
 * the slot's ring still reaches the issuing session, and a handle of a dead generation fails with
 * {@link DescriptorLostException} instead of naming whatever the next generation calls by that number.
 *
 * <p>What a handle is bound to (today the domain's generation, as the slot's ring reports it) is known to this
 * class alone: {@link #isLiveOn} is the one check, and nothing else reads the binding.
 *
 * <pre>{@code
 * DomainHandle fd = DomainHandle.issuedBy(slot, Kind.FILE, "storage0", Open.call(slot, ...));
 * ...
 * Pread.call(other, fd.valueFor(other), ...);   // DescriptorLostException if the domain restarted meanwhile
 * }</pre>
 */
public final class DomainHandle {

    /** What a handle names, for the message that says it is lost and what to do. */
    public enum Kind {
        /** A storage domain's descriptor of an open file or directory. */
        FILE("storage", "open the file again");

        private final String service;
        private final String remedy;

        Kind(String service, String remedy) {
            this.service = service;
            this.remedy = remedy;
        }
    }

    private final Kind kind;
    private final String domain;
    private final long generation;
    private final long value;

    private DomainHandle(Kind kind, String domain, long generation, long value) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.generation = generation;
        this.value = value;
    }

    /** A handle for {@code value}, which a call on {@code slot} to the domain {@code domain} returned. */
    public static DomainHandle issuedBy(CallSlot slot, Kind kind, String domain, long value) {
        return new DomainHandle(kind, domain, slot.generation(), value);
    }

    /** Whether a call on {@code slot} reaches the session that issued this handle. */
    public boolean isLiveOn(CallSlot slot) {
        return slot.generation() == generation;
    }

    /**
     * The value, to pass in a call on {@code slot}.
     *
     * @throws DescriptorLostException if {@code slot} does not reach the session that issued it: the domain
     *                                 restarted, and the object the handle named went with its session
     */
    public long valueFor(CallSlot slot) throws DescriptorLostException {
        if (!isLiveOn(slot)) {
            throw new DescriptorLostException(this, kind.service + " domain " + domain + " restarted (generation "
                    + generation + " -> " + slot.generation() + "): this channel's descriptor ended with generation "
                    + generation + "; " + kind.remedy);
        }
        return value;
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
        return kind + " " + value + " of " + domain + " (generation " + generation + ")";
    }
}
