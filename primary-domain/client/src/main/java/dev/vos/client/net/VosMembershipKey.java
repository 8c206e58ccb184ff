package dev.vos.client.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.channels.MembershipKey;
import java.nio.channels.MulticastChannel;
import java.util.HashSet;
import java.util.Set;

/**
 * A multicast membership of a {@link VosDatagramChannel}'s socket in the net domain: the group, the interface and
 * the source (null: any) it was joined with, and the sources blocked on it. The channel does the calls and keeps
 * the state under its own lock, as the default provider's {@code MembershipKeyImpl} leaves them to its channel.
 */
final class VosMembershipKey extends MembershipKey {

    private final VosDatagramChannel channel;
    private final InetAddress group;
    private final NetworkInterface interf;
    private final InetAddress source;
    /** The sources blocked on an any-source membership. Under the channel's state lock. */
    private final Set<InetAddress> blocked = new HashSet<>();
    private volatile boolean valid = true;

    VosMembershipKey(final VosDatagramChannel channel, final InetAddress group, final NetworkInterface interf,
                     final InetAddress source) {
        this.channel = channel;
        this.group = group;
        this.interf = interf;
        this.source = source;
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    /** Marks the key dropped: its channel left the group or closed. */
    void invalidate() {
        valid = false;
    }

    /** The sources blocked on it; the caller holds the channel's state lock. */
    Set<InetAddress> blocked() {
        return blocked;
    }

    @Override
    public void drop() {
        channel.drop(this);
    }

    @Override
    public MembershipKey block(final InetAddress toBlock) throws IOException {
        if (source != null) {
            throw new IllegalStateException("key is source-specific");
        }
        channel.block(this, toBlock);
        return this;
    }

    @Override
    public MembershipKey unblock(final InetAddress toUnblock) {
        channel.unblock(this, toUnblock);
        return this;
    }

    @Override
    public MulticastChannel channel() {
        return channel;
    }

    @Override
    public InetAddress group() {
        return group;
    }

    @Override
    public NetworkInterface networkInterface() {
        return interf;
    }

    @Override
    public InetAddress sourceAddress() {
        return source;
    }

    @Override
    public String toString() {
        return "<" + group.getHostAddress() + "," + interf.getName()
                + (source == null ? "" : "," + source.getHostAddress()) + ">";
    }
}
