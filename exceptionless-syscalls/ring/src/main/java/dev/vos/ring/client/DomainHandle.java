package dev.vos.ring.client;

/**
 * A value that names something inside one generation of a domain: a file descriptor, a socket, any server-side
 * object. It carries the generation that issued it, and it is checked against the generation of the ring that
 * would carry it, so a descriptor of a dead generation can never silently name whatever the next generation gave
 * the same number: it is stale, and says so ({@code EBADF}).
 *
 * <pre>{@code
 * DomainHandle fd = DomainHandle.issuedBy(slot, slot.call(OPEN, ...));
 * ...
 * long raw = fd.valueFor(otherSlot);   // StaleHandleException if the domain restarted meanwhile
 * }</pre>
 *
 * @param generation the generation that issued it
 * @param value      the value itself (the descriptor number)
 */
public record DomainHandle(long generation, long value) {

    /** A handle for {@code value}, returned by a call on {@code slot}'s ring. */
    public static DomainHandle issuedBy(CallSlot slot, long value) {
        return new DomainHandle(slot.generation(), value);
    }

    /**
     * The value, to pass in a call on {@code slot}'s ring.
     *
     * @throws StaleHandleException if {@code slot}'s ring belongs to another generation than the one that issued it
     */
    public long valueFor(CallSlot slot) throws StaleHandleException {
        if (slot.generation() != generation) {
            throw new StaleHandleException(this, slot.generation());
        }
        return value;
    }
}
