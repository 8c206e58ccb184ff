package dev.vos.client.net;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * A registration of a net-domain channel with a {@link VosSelector}. A change of interest made while a select
 * waits takes effect at the next select (the program wakes the selector if it wants it sooner), as with the default
 * provider's epoll selector.
 */
final class VosSelectionKey extends AbstractSelectionKey {

    private final SelectableChannel channel;
    private final Selectable selectable;
    private final VosSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;
    /** Under the selector's select lock: the descriptor and events the domain's interest set holds for it (-1, 0). */
    private long memberFd = -1;
    private int memberEvents;

    VosSelectionKey(final SelectableChannel channel, final Selectable selectable, final VosSelector selector) {
        this.channel = channel;
        this.selectable = selectable;
        this.selector = selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    Selectable selectable() {
        return selectable;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(final int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops");
        }
        interestOps = ops;
        selector.changed(this); // the next select's watch names it
        return this;
    }

    /** The descriptor the selector's interest set in the domain holds it by, or -1. Under the select lock. */
    long memberFd() {
        return memberFd;
    }

    /** The poll events the set holds for it (0: no member). Under the select lock. */
    int memberEvents() {
        return memberEvents;
    }

    /** The set holds it by {@code fd} for {@code events} from now on ({@code -1, 0}: no member). */
    void member(final long fd, final int events) {
        memberFd = fd;
        memberEvents = events;
    }

    /** The interest set without the validity check (the selector reads it for its poll). */
    int interestNow() {
        return interestOps;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** Sets the ready set (a key not yet selected). */
    void setReady(final int ops) {
        readyOps = ops;
    }

    /** Adds {@code ops} to the ready set (a key selected already); whether that changed it. */
    boolean addReady(final int ops) {
        final int before = readyOps;
        readyOps = before | ops;
        return (before | ops) != before;
    }

    @Override
    public String toString() {
        return "VosSelectionKey[channel=" + channel + (isValid() ? ", interest=" + interestOps + ", ready="
                + readyOps : ", cancelled") + "]";
    }
}
