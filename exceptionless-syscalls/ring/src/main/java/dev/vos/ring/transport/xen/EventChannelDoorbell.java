package dev.vos.ring.transport.xen;

import dev.vos.ring.transport.Doorbell;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Xen transport's doorbell: this side's end of one interdomain event channel on {@code /dev/xen/evtchn}, and an
 * eventfd for wake-ups within this side. The offering side allocates the port unbound for the peer ({@link #offer});
 * the peer binds to it ({@link #bind}).
 * <ul>
 *   <li>{@link #ringPeer()}: {@code IOCTL_EVTCHN_NOTIFY} on the local port. The ring decides when (its
 *       AWAKE_WORKERS and CLIENT_SLEEPING pairs), so a busy ring sends no events.</li>
 *   <li>{@link #await}: {@code poll} on the channel and the eventfd with the timeout; then {@code read} the pending
 *       ports (4 bytes each) and {@code write} them back, which unmasks the port (the driver masks it when it
 *       queues it, so an event that comes meanwhile is held by Xen, not lost). A notification sent after
 *       {@link #arm()} stays pending on the descriptor until someone reads it, so the {@code poll} returns at once.
 *       </li>
 *   <li>{@link #arm()}: the count of wake-ups this side has consumed. Sleepers of one side share the descriptor;
 *       if another sleeper consumed an event after this one armed, the event may have been this one's, so
 *       {@code await} returns at once (a spurious return, which the contract allows).</li>
 *   <li>{@link #wakeHere}: the channel reaches only the other domain, so this side's own sleepers are woken through
 *       the eventfd they poll with it.</li>
 * </ul>
 */
public final class EventChannelDoorbell implements Doorbell, AutoCloseable {

    /** Ports read from the channel at once; more pending ones are read by the next sleeper. */
    private static final int PORTS_PER_READ = 16;

    private final int fd;
    private final int eventFd;
    private final int localPort;
    private final int remoteDomain;
    /** Freed by the GC, not at close: a late ring from another thread must not touch freed memory. */
    private final Arena arena = Arena.ofAuto();
    /** The notify argument, written once: the kernel only reads it, so every ringing thread shares it. */
    private final MemorySegment notify;
    /** The eventfd's increment, written once. */
    private final MemorySegment one;
    /** Wake-ups consumed by this side's sleepers: the arm token. */
    private final AtomicInteger consumed = new AtomicInteger();
    private volatile boolean closed;

    private EventChannelDoorbell(int fd, int eventFd, int localPort, int remoteDomain) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.localPort = localPort;
        this.remoteDomain = remoteDomain;
        this.notify = arena.allocate(EvtchnNotify.LAYOUT);
        notify.set(ValueLayout.JAVA_INT, EvtchnNotify.PORT_OFFSET, localPort);
        this.one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** Allocates a port of this domain that {@code remoteDomain} may bind: the offering side's end. */
    public static EventChannelDoorbell offer(int remoteDomain) throws IOException {
        return open(remoteDomain, (fd, arg) -> {
            arg.set(ValueLayout.JAVA_INT, EvtchnBindUnboundPort.REMOTE_DOMAIN_OFFSET, remoteDomain);
            return DeviceCalls.ioctl(fd, EvtchnBindUnboundPort.IOCTL, arg);
        }, "IOCTL_EVTCHN_BIND_UNBOUND_PORT for domain " + remoteDomain);
    }

    /** Binds to {@code remotePort} of {@code remoteDomain}, which that domain offered: the accepting side's end. */
    public static EventChannelDoorbell bind(int remoteDomain, int remotePort) throws IOException {
        return open(remoteDomain, (fd, arg) -> {
            arg.set(ValueLayout.JAVA_INT, EvtchnBindInterdomain.REMOTE_DOMAIN_OFFSET, remoteDomain);
            arg.set(ValueLayout.JAVA_INT, EvtchnBindInterdomain.REMOTE_PORT_OFFSET, remotePort);
            return DeviceCalls.ioctl(fd, EvtchnBindInterdomain.IOCTL, arg);
        }, "IOCTL_EVTCHN_BIND_INTERDOMAIN to port " + remotePort + " of domain " + remoteDomain);
    }

    private interface Binder {
        long bind(int fd, MemorySegment arg);
    }

    private static EventChannelDoorbell open(int remoteDomain, Binder binder, String what) throws IOException {
        int fd = DeviceCalls.open("/dev/xen/evtchn", DeviceCalls.O_NONBLOCK);
        if (fd < 0) {
            throw new IOException("/dev/xen/evtchn: " + Errno.message(-fd) + " (is xen-evtchn loaded?)");
        }
        int eventFd = -1;
        try (Arena scratch = Arena.ofConfined()) {
            long port = binder.bind(fd, scratch.allocate(EvtchnBindInterdomain.LAYOUT));
            if (port < 0) {
                throw new IOException("/dev/xen/evtchn: " + what + ": " + Errno.name((int) -port) + " ("
                        + Errno.message((int) -port) + ")");
            }
            eventFd = DeviceCalls.eventfd();
            if (eventFd < 0) {
                throw new IOException("eventfd: " + Errno.message(-eventFd));
            }
            return new EventChannelDoorbell(fd, eventFd, (int) port, remoteDomain);
        } catch (IOException | RuntimeException e) {
            Linux.close(fd); // unbinds the port
            throw e;
        }
    }

    /** This side's port of the channel (what the offering side publishes; an unmap notification's port). */
    public int localPort() {
        return localPort;
    }

    /** The domain at the other end. */
    public int remoteDomain() {
        return remoteDomain;
    }

    @Override
    public int arm() {
        return consumed.get();
    }

    @Override
    public boolean await(int armed, long timeoutNs) {
        if (consumed.get() != armed || closed) {
            return true;
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (timeoutNs + 999_999) / 1_000_000));
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment fds = scratch.allocate(2 * DeviceCalls.POLLFD_BYTES, 8);
            DeviceCalls.pollIn(fds, 0, fd);
            DeviceCalls.pollIn(fds, 1, eventFd);
            int ready = DeviceCalls.poll(fds, 2, timeoutMs);
            if (ready <= 0) {
                return consumed.get() != armed; // timeout, EINTR: the caller re-checks either way
            }
            drain(scratch);
            consumed.incrementAndGet();
            return true;
        }
    }

    /** Reads the pending ports and writes them back (unmasking them), and empties the eventfd. */
    private void drain(Arena scratch) {
        MemorySegment ports = scratch.allocate(4L * PORTS_PER_READ, 4);
        long n = Linux.read(fd, ports);
        if (n > 0) {
            Linux.write(fd, ports.asSlice(0, n & ~3L));
        }
        Linux.read(eventFd, scratch.allocate(ValueLayout.JAVA_LONG)); // EAGAIN when another sleeper emptied it
    }

    @Override
    public void ringPeer() {
        if (closed) {
            return; // the descriptor's number may be another file's by now
        }
        DeviceCalls.ioctl(fd, EvtchnNotify.IOCTL, notify); // a failure means the peer is gone: its watch says so
    }

    @Override
    public void wakeHere(int sleepers) {
        if (closed) {
            return;
        }
        Linux.write(eventFd, one); // wakes every poller of this side; each re-checks
    }

    /** Unbinds the port (closing the descriptor does) and closes the eventfd. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Linux.close(fd);
        Linux.close(eventFd);
    }
}
