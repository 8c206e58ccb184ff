package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct ioctl_gntalloc_unmap_notify} ({@code include/uapi/xen/gntalloc.h}) and {@code struct
 * ioctl_gntdev_unmap_notify} ({@code gntdev.h}), the same three fields: what the kernel does for this side when its
 * mapping of a shared page goes, however it goes (a close, an exit, a crash): clear one byte of the page, which the
 * peer still sees, and send an event on a channel this process has bound, which wakes the peer. The Xen transport's
 * death signal: each side arms it on the page holding its own liveness byte ({@link XenLiveness}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          index (u64)                          |  0  mmap offset of the page + the byte in it
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          action (u32)                         |  8  CLEAR_BYTE | SEND_EVENT
 *  +---------------------------------------------------------------+
 *  |                    event_channel_port (u32)                   | 12  a local port bound on /dev/xen/evtchn
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class UnmapNotify {

    /** The struct as both headers declare it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("index"),
            JAVA_INT.withName("action"),
            JAVA_INT.withName("event_channel_port"));

    /** u64: the mmap offset of the page plus the offset of the byte to clear within it. */
    public static final long INDEX_OFFSET = LAYOUT.byteOffset(groupElement("index"));
    /** u32: {@link #CLEAR_BYTE}, {@link #SEND_EVENT}, or both. */
    public static final long ACTION_OFFSET = LAYOUT.byteOffset(groupElement("action"));
    /** u32: the local port to notify (the kernel holds a reference on it until the notification is sent). */
    public static final long EVENT_CHANNEL_PORT_OFFSET = LAYOUT.byteOffset(groupElement("event_channel_port"));
    /** {@code sizeof}, which both ioctl numbers encode. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code UNMAP_NOTIFY_CLEAR_BYTE}: set the byte at {@code index} to zero. */
    public static final int CLEAR_BYTE = 0x1;
    /** {@code UNMAP_NOTIFY_SEND_EVENT}: notify {@code event_channel_port}. */
    public static final int SEND_EVENT = 0x2;

    /** {@code IOCTL_GNTALLOC_SET_UNMAP_NOTIFY}: {@code _IOC(_IOC_NONE, 'G', 7, 16)}, on {@code /dev/xen/gntalloc}. */
    public static final int GNTALLOC_IOCTL = Ioc.none('G', 7, SIZE);
    /** {@code IOCTL_GNTDEV_SET_UNMAP_NOTIFY}: {@code _IOC(_IOC_NONE, 'G', 7, 16)}, on {@code /dev/xen/gntdev}. */
    public static final int GNTDEV_IOCTL = Ioc.none('G', 7, SIZE);

    private UnmapNotify() {
    }
}
