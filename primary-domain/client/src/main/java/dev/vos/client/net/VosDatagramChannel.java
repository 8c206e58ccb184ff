package dev.vos.client.net;

import dev.vos.client.DomainHandle;
import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.DomainFailedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP {@link DatagramChannel} whose socket lives in the net domain: send, receive, connect, disconnect, read and
 * write are one net call each, blocking (waiting in the domain, no worker held) or not, and a {@link VosSelector}
 * polls it. A datagram travels in one slot's payload, so the largest is that payload less a sockaddr (64 KiB less
 * 28 bytes with the default geometry: all a UDP datagram can be); a larger one is an {@code IOException}, as the
 * kernel's EMSGSIZE is.
 *
 * <p>As the default provider's: an unbound channel that sends or receives binds itself to the wildcard address
 * first, which the domain allows only if its spec's {@code net.bind} lists the wildcard (otherwise a
 * {@code BindException}: bind it to an allowed address, for example 127.0.0.1, before); a channel made with no
 * family is IPv4 (the default provider's is dual-stack IPv6), and becomes IPv6 while it is fresh if bound or
 * connected to an IPv6 address. <b>Unlike</b> it: {@code connect} of an unbound channel does not bind it to the
 * wildcard first; the kernel binds it to the route's source address (127.0.0.1 to a peer on loopback), as it does a
 * TCP socket. {@link #socket()} is a {@code DatagramSocket} over the channel ({@link VosDatagramSocketAdaptor}).
 *
 * <p><b>Multicast</b> as the default provider's on Linux: {@code join} (any source or one), {@code block},
 * {@code unblock}, {@code drop}, and the options IP_MULTICAST_IF, IP_MULTICAST_TTL and IP_MULTICAST_LOOP; a join
 * again of what a key already holds answers that key, and a close drops every key. An IPv6 channel joins IPv4
 * groups too; a fresh IPv4 channel that joins an IPv6 group becomes IPv6, as it does when bound to an IPv6 address.
 * The interface is named to the domain by its index, which is the same on its host as here with the process
 * backend. The domain joins only on an interface holding an address its {@code net.bind} names (a
 * {@code SocketException} otherwise), and a channel may bind a group's address to receive it.
 */
final class VosDatagramChannel extends DatagramChannel implements VosSelectable {

    private final NetClient client;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private volatile DomainHandle fd;
    private volatile int family;
    private volatile boolean bound;
    private volatile InetSocketAddress remote;
    /** The adaptor {@link #socket()} made. Under stateLock. */
    private DatagramSocket socket;
    /** The memberships joined and not dropped. Under stateLock. */
    private final List<VosMembershipKey> memberships = new ArrayList<>();

    VosDatagramChannel(final VosSelectorProvider provider, final NetClient client, final int family)
            throws IOException {
        super(provider);
        this.client = client;
        this.family = family;
        this.fd = client.datagramSocket(family);
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** The checks of a read or write of a connected channel, in the default's order: closed, then not connected. */
    private void ensureConnected() throws ClosedChannelException {
        ensureOpen();
        if (remote == null) {
            throw new NotYetConnectedException();
        }
    }

    /** Makes the socket IPv6 if it is a fresh IPv4 one and {@code address} is IPv6. Under stateLock. */
    private void matchFamily(final InetSocketAddress address) throws IOException {
        final int wanted = SockaddrLayout.family(address);
        if (wanted == family || family == SockaddrLayout.AF_INET6 || bound || remote != null
                || !memberships.isEmpty()) {
            return;
        }
        final DomainHandle old = fd;
        fd = client.datagramSocket(wanted);
        family = wanted;
        client.close(old);
    }

    @Override
    public DatagramChannel bind(final SocketAddress local) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (bound) {
                throw new AlreadyBoundException();
            }
            final InetSocketAddress address = local == null ? wildcard() : ChannelAddresses.inet(local);
            matchFamily(address);
            client.bind(fd, address);
            bound = true;
        }
        return this;
    }

    private InetSocketAddress wildcard() {
        return new InetSocketAddress(InetAddress.ofLiteral(family == SockaddrLayout.AF_INET6 ? "::" : "0.0.0.0"), 0);
    }

    /** Binds to the wildcard if not bound, as the default provider does before a send or receive. */
    private void bindIfUnbound() throws IOException {
        synchronized (stateLock) {
            if (!bound && remote == null) {
                client.bind(fd, wildcard());
                bound = true;
            }
        }
    }

    @Override
    public <T> DatagramChannel setOption(final SocketOption<T> name, final T value) throws IOException {
        final int number = SocketOptionTable.number(SocketOptionTable.DATAGRAM, name);
        if (name == StandardSocketOptions.IP_MULTICAST_IF && !(value instanceof NetworkInterface)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
        synchronized (stateLock) {
            ensureOpen();
            final long raw = name == StandardSocketOptions.IP_MULTICAST_IF
                    ? multicastInterface((NetworkInterface) value) : SocketOptionTable.encode(name, value);
            client.setOption(fd, number, raw);
        }
        return this;
    }

    /**
     * IP_MULTICAST_IF as the domain takes it: on an IPv4 socket an IPv4 address of the interface (the default
     * provider's way), on an IPv6 socket its index. Under stateLock.
     */
    private long multicastInterface(final NetworkInterface interf) throws IOException {
        if (family == SockaddrLayout.AF_INET6) {
            final int index = interf.getIndex();
            if (index == -1) {
                throw new IOException("Network interface cannot be identified");
            }
            return index;
        }
        final Inet4Address target = anyInet4Address(interf);
        if (target == null) {
            throw new IOException("Network interface not configured for IPv4");
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(target.getAddress()).getInt());
    }

    private static Inet4Address anyInet4Address(final NetworkInterface interf) {
        for (final InetAddress a : Collections.list(interf.getInetAddresses())) {
            if (a instanceof Inet4Address v4) {
                return v4;
            }
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(final SocketOption<T> name) throws IOException {
        final int number = SocketOptionTable.number(SocketOptionTable.DATAGRAM, name);
        synchronized (stateLock) {
            ensureOpen();
            final long raw = client.getOption(fd, number);
            if (name == StandardSocketOptions.IP_MULTICAST_IF) {
                return (T) multicastInterface(raw);
            }
            return (T) SocketOptionTable.decode(name, raw);
        }
    }

    /** The interface IP_MULTICAST_IF names ({@code raw} from the domain), null for the kernel's choice. */
    private NetworkInterface multicastInterface(final long raw) throws IOException {
        if (raw == 0) {
            return null;
        }
        if (family == SockaddrLayout.AF_INET6) {
            final NetworkInterface ni = raw > Integer.MAX_VALUE ? null : NetworkInterface.getByIndex((int) raw);
            if (ni == null) {
                throw new IOException("Unable to map index to interface");
            }
            return ni;
        }
        final byte[] address = ByteBuffer.allocate(Integer.BYTES).putInt((int) raw).array();
        final NetworkInterface ni = NetworkInterface.getByInetAddress(InetAddress.getByAddress(address));
        if (ni == null) {
            throw new IOException("Unable to map address to interface");
        }
        return ni;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return SocketOptionTable.names(SocketOptionTable.DATAGRAM);
    }

    /** The channel's {@code DatagramSocket}, made once (see {@link VosDatagramSocketAdaptor}). */
    @Override
    public DatagramSocket socket() {
        synchronized (stateLock) {
            if (socket == null) {
                socket = new VosDatagramSocketAdaptor(this);
            }
            return socket;
        }
    }

    @Override
    public MembershipKey join(final InetAddress group, final NetworkInterface interf) throws IOException {
        return joinGroup(group, interf, null);
    }

    @Override
    public MembershipKey join(final InetAddress group, final NetworkInterface interf, final InetAddress source)
            throws IOException {
        Objects.requireNonNull(source);
        return joinGroup(group, interf, source);
    }

    /** The default provider's checks, in its order, then the domain's join; {@code source} null: any source. */
    private MembershipKey joinGroup(final InetAddress group, final NetworkInterface interf, final InetAddress source)
            throws IOException {
        Objects.requireNonNull(group);
        Objects.requireNonNull(interf);
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("Group not a multicast address");
        }
        if (source != null) {
            checkSource(source, group);
        }
        synchronized (stateLock) {
            ensureOpen();
            if (group instanceof Inet6Address) {
                matchFamily(new InetSocketAddress(group, 0)); // a fresh IPv4 channel becomes IPv6
                if (family != SockaddrLayout.AF_INET6) {
                    throw new IllegalArgumentException("Only IPv6 sockets can join IPv6 multicast group");
                }
            }
            final VosMembershipKey held = member(group, interf, source);
            if (held != null) {
                return held;
            }
            final int index = interf.getIndex();
            if (index == -1) {
                throw new IOException("Network interface cannot be identified");
            }
            if (group instanceof Inet4Address && family == SockaddrLayout.AF_INET && anyInet4Address(interf) == null) {
                throw new IOException("Network interface not configured for IPv4");
            }
            client.membership(fd, NetCalls.MEMBERSHIP_JOIN, group, source, index);
            final VosMembershipKey key = new VosMembershipKey(this, group, interf, source);
            memberships.add(key);
            return key;
        }
    }

    /** The source checks of join and block, as the default provider makes them. */
    private static void checkSource(final InetAddress source, final InetAddress group) {
        if (source.isAnyLocalAddress()) {
            throw new IllegalArgumentException("Source address is a wildcard address");
        }
        if (source.isMulticastAddress()) {
            throw new IllegalArgumentException("Source address is multicast address");
        }
        if (source.getClass() != group.getClass()) {
            throw new IllegalArgumentException("Source address is different type to group");
        }
    }

    /**
     * The key already held for this group, interface and source, or null; IllegalStateException where the join would
     * mix any-source and source-specific memberships of one group on one interface. Under stateLock.
     */
    private VosMembershipKey member(final InetAddress group, final NetworkInterface interf,
                                    final InetAddress source) {
        for (final VosMembershipKey key : memberships) {
            if (!key.group().equals(group) || !key.networkInterface().equals(interf)) {
                continue;
            }
            if (source == null) {
                if (key.sourceAddress() == null) {
                    return key;
                }
                throw new IllegalStateException("Already a member to receive all packets");
            }
            if (key.sourceAddress() == null) {
                throw new IllegalStateException("Already have source-specific membership");
            }
            if (source.equals(key.sourceAddress())) {
                return key;
            }
        }
        return null;
    }

    /** Leaves the key's membership; nothing if it is no longer valid. */
    void drop(final VosMembershipKey key) {
        synchronized (stateLock) {
            if (!key.isValid()) {
                return;
            }
            try {
                client.membership(fd, NetCalls.MEMBERSHIP_LEAVE, key.group(), key.sourceAddress(),
                        key.networkInterface().getIndex());
            } catch (DomainFailedException gone) {
                // The domain died and took the socket, and its memberships, with it: dropped either way.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                key.invalidate();
                memberships.remove(key);
            }
        }
    }

    /** Blocks {@code source} on the any-source {@code key}. */
    void block(final VosMembershipKey key, final InetAddress source) throws IOException {
        synchronized (stateLock) {
            if (key.blocked().contains(source)) {
                return;
            }
            if (!key.isValid()) {
                throw new IllegalStateException("key is no longer valid");
            }
            checkSource(source, key.group());
            client.membership(fd, NetCalls.MEMBERSHIP_BLOCK, key.group(), source, key.networkInterface().getIndex());
            key.blocked().add(source);
        }
    }

    /** Unblocks {@code source} on {@code key}. */
    void unblock(final VosMembershipKey key, final InetAddress source) {
        synchronized (stateLock) {
            if (!key.blocked().contains(source)) {
                throw new IllegalStateException("not blocked");
            }
            if (!key.isValid()) {
                throw new IllegalStateException("key is no longer valid");
            }
            try {
                client.membership(fd, NetCalls.MEMBERSHIP_UNBLOCK, key.group(), source,
                        key.networkInterface().getIndex());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            key.blocked().remove(source);
        }
    }

    @Override
    public boolean isConnected() {
        return remote != null;
    }

    @Override
    public DatagramChannel connect(final SocketAddress address) throws IOException {
        final InetSocketAddress target = ChannelAddresses.destination(address);
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (remote != null) {
                        throw new AlreadyConnectedException();
                    }
                    matchFamily(target);
                    client.connect(fd, target, false); // a UDP connect never waits
                    remote = target;
                    bound = true; // the kernel bound it to the route's source address
                }
                return this;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    if (!isOpen() || remote == null) {
                        return this;
                    }
                    client.disconnect(fd);
                    remote = null;
                }
                return this;
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public SocketAddress receive(final ByteBuffer dst) throws IOException {
        return receive(dst, !isBlocking(), false);
    }

    /**
     * One datagram into {@code dst}, as {@link #receive(ByteBuffer)} in either mode: waits for one unless
     * {@code noWait} (then null when there is none); with {@code peek} it stays queued. For the
     * {@code DatagramSocket} impl, whose timed receive tries without waiting and whose filter peeks.
     */
    InetSocketAddress receive(final ByteBuffer dst, final boolean noWait, final boolean peek) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        readLock.lock();
        try {
            ensureOpen();
            bindIfUnbound();
            InetSocketAddress sender = null;
            boolean completed = false;
            try {
                begin();
                sender = client.receiveDatagram(fd, dst, noWait, peek);
                completed = true;
            } finally {
                end(completed);
            }
            return sender;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int send(final ByteBuffer src, final SocketAddress target) throws IOException {
        Objects.requireNonNull(src, "src");
        final InetSocketAddress to = ChannelAddresses.destination(target);
        writeLock.lock();
        try {
            ensureOpen();
            final InetSocketAddress peer = remote;
            if (peer != null && !to.equals(peer)) {
                throw new AlreadyConnectedException(); // as the default provider, for another destination
            }
            bindIfUnbound();
            return sendNow(src, peer != null ? null : to);
        } finally {
            writeLock.unlock();
        }
    }

    /** One datagram of all of {@code src}: its size, or 0 if the domain had no room and this is non-blocking. */
    private int sendNow(final ByteBuffer src, final InetSocketAddress to) throws IOException {
        int n = 0;
        boolean completed = false;
        try {
            begin();
            n = client.sendDatagram(fd, src, to, !isBlocking());
            completed = true;
        } finally {
            end(completed);
        }
        return n == NetClient.WOULD_BLOCK ? 0 : n;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        readLock.lock();
        try {
            ensureConnected();
            ScatterGather.refuseReadOnly(dst); // before the receive takes a datagram it cannot put
            final int before = dst.position();
            InetSocketAddress sender = null;
            boolean completed = false;
            try {
                begin();
                sender = client.receiveDatagram(fd, dst, !isBlocking());
                completed = true;
            } finally {
                end(completed);
            }
            return sender == null ? 0 : dst.position() - before;
        } finally {
            readLock.unlock();
        }
    }

    /** Reads one datagram into the first buffer with room (a scattering read of it is not split across buffers). */
    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException {
        return ScatterGather.readFirstWithRoom(dsts, offset, length, this::ensureConnected, this::read);
    }

    @Override
    public int write(final ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        writeLock.lock();
        try {
            ensureConnected();
            return sendNow(src, null);
        } finally {
            writeLock.unlock();
        }
    }

    /** The buffers' bytes, gathered, as one datagram. */
    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        int total = 0;
        for (int i = offset; i < offset + length; i++) {
            total = Math.addExact(total, srcs[i].remaining());
        }
        final ByteBuffer gathered = ByteBuffer.allocate(total);
        for (int i = offset; i < offset + length; i++) {
            gathered.put(srcs[i].duplicate());
        }
        gathered.flip();
        final int n = write(gathered);
        if (n > 0) {
            for (int i = offset; i < offset + length; i++) {
                srcs[i].position(srcs[i].limit());
            }
        }
        return n;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return bound ? client.localAddress(fd) : null;
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            for (final VosMembershipKey key : memberships) {
                key.invalidate(); // the kernel drops a socket's memberships as it closes it
            }
            memberships.clear();
        }
        try {
            client.close(fd);
        } catch (DomainFailedException gone) {
            // The domain died and took the socket with it: closed either way.
        }
    }

    @Override
    protected void implConfigureBlocking(final boolean block) {
        // Nothing to do in the domain, whose sockets never block: each call passes NO_WAIT or not, by isBlocking().
    }

    @Override
    public DomainHandle handle() {
        return fd;
    }

    @Override
    public int pollEvents(final int interestOps) {
        int events = 0;
        if ((interestOps & SelectionKey.OP_READ) != 0) {
            events |= NetCalls.POLLIN;
        }
        if ((interestOps & SelectionKey.OP_WRITE) != 0) {
            events |= NetCalls.POLLOUT;
        }
        return events;
    }

    @Override
    public int readyOps(final int revents, final int interestOps) {
        if ((revents & (NetCalls.POLLERR | NetCalls.POLLHUP | NetCalls.POLLNVAL)) != 0) {
            return interestOps;
        }
        int ops = 0;
        if ((revents & NetCalls.POLLIN) != 0 && (interestOps & SelectionKey.OP_READ) != 0) {
            ops |= SelectionKey.OP_READ;
        }
        if ((revents & NetCalls.POLLOUT) != 0 && (interestOps & SelectionKey.OP_WRITE) != 0) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops;
    }

    @Override
    public String toString() {
        return "VosDatagramChannel[" + fd + (remote == null ? "" : " remote=" + remote) + "]";
    }
}
