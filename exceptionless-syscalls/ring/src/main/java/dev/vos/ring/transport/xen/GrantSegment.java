package dev.vos.ring.transport.xen;

import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.Transport;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ring segment in grant-shared pages. The offering side (the client, in dom0) allocates zeroed pages on
 * {@code /dev/xen/gntalloc} granted to the peer's domain ({@link #grant}); the accepting side (the server) maps the
 * grant references on {@code /dev/xen/gntdev} ({@link #map}). Each side then asks its device to clear its liveness
 * byte ({@link XenLiveness}) and notify the ring's event channel when its mapping goes ({@link UnmapNotify}), so
 * the survivor of a death learns it from the segment, whatever killed the peer.
 *
 * <p>The mapping belongs to a shared arena: {@link #close()} unmaps once no thread is inside an access, and a later
 * access throws {@link IllegalStateException}. Closing also closes the segment's event channel.
 */
public final class GrantSegment implements Segment {

    /** x86's page, the unit of a grant. */
    public static final int PAGE = 4096;

    private final int fd;
    private final boolean granting;
    private final long index;
    private final int pages;
    private final int[] refs;
    private final int peerDomid;
    private final Arena arena;
    private final MemorySegment memory;
    private final EventChannelDoorbell channel;
    private final XenTransport transport;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GrantSegment(int fd, boolean granting, long index, int[] refs, int peerDomid, Arena arena,
                         MemorySegment memory, EventChannelDoorbell channel, PeerDomain domain) {
        this.fd = fd;
        this.granting = granting;
        this.index = index;
        this.pages = refs.length;
        this.refs = refs;
        this.peerDomid = peerDomid;
        this.arena = arena;
        this.memory = memory;
        this.channel = channel;
        this.transport = new XenTransport(memory, channel, peerDomid, domain);
    }

    /**
     * Allocates {@code bytes} (a whole number of pages) of zeroed pages granted, writable, to {@code peerDomid},
     * maps them, arms the client's unmap notification on {@code channel} and marks the client alive. Takes the
     * channel: it is closed with the segment, or if this fails.
     *
     * @throws GrantLimitException if gntalloc's system-wide limit would be exceeded
     */
    public static GrantSegment grant(int peerDomid, long bytes, EventChannelDoorbell channel, PeerDomain domain)
            throws IOException {
        try {
            int pages = pages(bytes);
            int fd = open("/dev/xen/gntalloc", "xen-gntalloc");
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment arg = scratch.allocate(GntallocAllocGref.bytesFor(pages), 8);
                arg.set(ValueLayout.JAVA_SHORT, GntallocAllocGref.DOMID_OFFSET, (short) peerDomid);
                arg.set(ValueLayout.JAVA_SHORT, GntallocAllocGref.FLAGS_OFFSET,
                        (short) GntallocAllocGref.FLAG_WRITABLE);
                arg.set(ValueLayout.JAVA_INT, GntallocAllocGref.COUNT_OFFSET, pages);
                long r = DeviceCalls.ioctl(fd, GntallocAllocGref.IOCTL, arg);
                if (r == -Errno.ENOSPC) {
                    throw new GrantLimitException(pages);
                }
                check(r, "/dev/xen/gntalloc: IOCTL_GNTALLOC_ALLOC_GREF of " + pages + " pages for domain "
                        + peerDomid);
                long index = arg.get(ValueLayout.JAVA_LONG, GntallocAllocGref.INDEX_OFFSET);
                int[] refs = new int[pages];
                for (int i = 0; i < pages; i++) {
                    refs[i] = arg.get(ValueLayout.JAVA_INT, GntallocAllocGref.GREF_IDS_OFFSET + 4L * i);
                }
                GrantSegment segment = mapped(fd, true, index, refs, peerDomid, channel, domain,
                        UnmapNotify.GNTALLOC_IOCTL, XenLiveness.CLIENT_ALIVE_OFFSET);
                // Plain: the ring's format publishes the header (VERSION, a release store) after this.
                segment.memory.set(ValueLayout.JAVA_BYTE, XenLiveness.CLIENT_ALIVE_OFFSET, XenLiveness.ALIVE);
                return segment;
            } catch (IOException | RuntimeException e) {
                Linux.close(fd); // gives the grants back
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Maps the pages of {@code refs}, granted by {@code grantingDomid}, and arms the server's unmap notification
     * on {@code channel}. The caller bounded {@code refs} ({@link XenRendezvous}). The server marks itself alive when
     * it attaches ({@link XenTransport#announceServer}). Takes the channel.
     */
    public static GrantSegment map(int grantingDomid, int[] refs, EventChannelDoorbell channel, PeerDomain domain)
            throws IOException {
        try {
            if (refs.length < 1 || (long) refs.length * PAGE > RingGeometry.MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("refs=" + refs.length + ": a segment has 1.."
                        + RingGeometry.MAX_SEGMENT_BYTES / PAGE + " pages");
            }
            int fd = open("/dev/xen/gntdev", "xen-gntdev");
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment arg = scratch.allocate(GntdevMapGrantRef.bytesFor(refs.length), 8);
                arg.set(ValueLayout.JAVA_INT, GntdevMapGrantRef.COUNT_OFFSET, refs.length);
                for (int i = 0; i < refs.length; i++) {
                    long at = GntdevMapGrantRef.refOffset(i);
                    arg.set(ValueLayout.JAVA_INT, at + GntdevMapGrantRef.REF_DOMID_OFFSET, grantingDomid);
                    arg.set(ValueLayout.JAVA_INT, at + GntdevMapGrantRef.REF_REF_OFFSET, refs[i]);
                }
                check(DeviceCalls.ioctl(fd, GntdevMapGrantRef.IOCTL, arg), "/dev/xen/gntdev:"
                        + " IOCTL_GNTDEV_MAP_GRANT_REF of " + refs.length + " references of domain " + grantingDomid);
                long index = arg.get(ValueLayout.JAVA_LONG, GntdevMapGrantRef.INDEX_OFFSET);
                return mapped(fd, false, index, refs.clone(), grantingDomid, channel, domain,
                        UnmapNotify.GNTDEV_IOCTL, XenLiveness.SERVER_ALIVE_OFFSET);
            } catch (IOException | RuntimeException e) {
                Linux.close(fd);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static GrantSegment mapped(int fd, boolean granting, long index, int[] refs, int peerDomid,
                                       EventChannelDoorbell channel, PeerDomain domain, int notifyIoctl,
                                       int aliveOffset) throws IOException {
        long bytes = (long) refs.length * PAGE;
        long address = DeviceCalls.mmapShared(fd, bytes, index);
        if (address < 0) {
            // gntdev maps the grants here: Xen's refusal of a grant (GNTST_*, in the kernel's log) comes back as
            // EINVAL or EFAULT from mmap.
            throw new IOException((granting ? "/dev/xen/gntalloc" : "/dev/xen/gntdev") + ": mmap of " + refs.length
                    + " granted pages of domain " + peerDomid + ": " + Errno.name((int) -address) + " ("
                    + Errno.message((int) -address) + ")");
        }
        Arena arena = Arena.ofShared();
        MemorySegment memory = SharedMemory.adopt(address, bytes, arena);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment arg = scratch.allocate(UnmapNotify.LAYOUT);
            arg.set(ValueLayout.JAVA_LONG, UnmapNotify.INDEX_OFFSET, index + aliveOffset);
            arg.set(ValueLayout.JAVA_INT, UnmapNotify.ACTION_OFFSET, UnmapNotify.CLEAR_BYTE | UnmapNotify.SEND_EVENT);
            arg.set(ValueLayout.JAVA_INT, UnmapNotify.EVENT_CHANNEL_PORT_OFFSET, channel.localPort());
            check(DeviceCalls.ioctl(fd, notifyIoctl, arg), "SET_UNMAP_NOTIFY");
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        return new GrantSegment(fd, granting, index, refs, peerDomid, arena, memory, channel, domain);
    }

    private static int pages(long bytes) {
        if (bytes <= 0 || bytes % PAGE != 0 || bytes > RingGeometry.MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("bytes=" + bytes + ": a grant segment is whole pages, at most "
                    + RingGeometry.MAX_SEGMENT_BYTES);
        }
        return (int) (bytes / PAGE);
    }

    private static int open(String device, String module) throws IOException {
        int fd = DeviceCalls.open(device, 0);
        if (fd < 0) {
            throw new IOException(device + ": " + Errno.message(-fd) + " (is " + module + " loaded?)");
        }
        return fd;
    }

    private static void check(long result, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + ": " + Errno.name((int) -result) + " (" + Errno.message((int) -result)
                    + ")");
        }
    }

    /** The grant references of the pages, in order: what the offering side publishes. */
    public int[] refs() {
        return refs.clone();
    }

    /** The segment's event channel: its doorbell. */
    public EventChannelDoorbell channel() {
        return channel;
    }

    /** The domain at the other end. */
    public int peerDomid() {
        return peerDomid;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public String name() {
        return "xen:" + (granting ? "granted to" : "mapped from") + " domain " + peerDomid + ", " + pages
                + " pages, grant refs " + refs[0]
                + (refs.length > 1 ? " and " + (refs.length - 1) + " more" : "");
    }

    @Override
    public String mappableBy() {
        return granting ? "domain " + peerDomid + ", to which the pages are granted" : "this domain's mapping of"
                + " domain " + peerDomid + "'s grants";
    }

    @Override
    public Transport transport() {
        return transport;
    }

    /**
     * Unmaps the pages, gives the references back (which fires this side's unmap notification: the peer sees this
     * side leave) and closes the event channel. A second close does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } finally {
            try (Arena scratch = Arena.ofConfined()) {
                if (granting) {
                    MemorySegment arg = scratch.allocate(GntallocDeallocGref.LAYOUT);
                    arg.set(ValueLayout.JAVA_LONG, GntallocDeallocGref.INDEX_OFFSET, index);
                    arg.set(ValueLayout.JAVA_INT, GntallocDeallocGref.COUNT_OFFSET, pages);
                    DeviceCalls.ioctl(fd, GntallocDeallocGref.IOCTL, arg);
                } else {
                    MemorySegment arg = scratch.allocate(GntdevUnmapGrantRef.LAYOUT);
                    arg.set(ValueLayout.JAVA_LONG, GntdevUnmapGrantRef.INDEX_OFFSET, index);
                    arg.set(ValueLayout.JAVA_INT, GntdevUnmapGrantRef.COUNT_OFFSET, pages);
                    DeviceCalls.ioctl(fd, GntdevUnmapGrantRef.IOCTL, arg);
                }
            } finally {
                Linux.close(fd); // releases whatever the ioctl did not
                channel.close();
            }
        }
    }
}
