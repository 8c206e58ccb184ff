package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct ioctl_gntalloc_alloc_gref} of {@code include/uapi/xen/gntalloc.h}: the granting side of the Xen
 * transport allocates {@code count} zeroed pages on {@code /dev/xen/gntalloc}, grants them to domain {@code domid},
 * and learns their grant references (to publish in xenstore) and the {@code index} to {@code mmap} them at.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          domid (u16)          |          flags (u16)          |  0  IN
 *  +-------------------------------+-------------------------------+
 *  |                          count (u32)                          |  4  IN: pages
 *  +---------------------------------------------------------------+
 *  |                          index (u64)                          |  8  OUT: the mmap offset
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  gref_ids[0] (u32) ... [count - 1]            | 16  OUT: one grant reference per page
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code sizeof} is 24 (the one-element array, padded to the u64's alignment); the kernel writes {@code count}
 * references, so the argument needs {@link #bytesFor(int)} bytes.
 */
public final class GntallocAllocGref {

    /** The struct as the header declares it, with one {@code gref_ids} element and the tail padding. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("domid"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("count"),
            JAVA_LONG.withName("index"),
            MemoryLayout.sequenceLayout(1, JAVA_INT).withName("gref_ids"),
            MemoryLayout.paddingLayout(4));

    /** u16 IN: the domain given access to the pages. */
    public static final long DOMID_OFFSET = LAYOUT.byteOffset(groupElement("domid"));
    /** u16 IN: {@link #FLAG_WRITABLE} or 0. */
    public static final long FLAGS_OFFSET = LAYOUT.byteOffset(groupElement("flags"));
    /** u32 IN: pages to allocate and grant. */
    public static final long COUNT_OFFSET = LAYOUT.byteOffset(groupElement("count"));
    /** u64 OUT: the offset to {@code mmap} the pages at, on the same descriptor. */
    public static final long INDEX_OFFSET = LAYOUT.byteOffset(groupElement("index"));
    /** u32[count] OUT: the grant reference of each page. */
    public static final long GREF_IDS_OFFSET = LAYOUT.byteOffset(groupElement("gref_ids"));
    /** {@code sizeof(struct ioctl_gntalloc_alloc_gref)}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code GNTALLOC_FLAG_WRITABLE}: the peer may write the pages (a ring needs it). */
    public static final int FLAG_WRITABLE = 1;
    /** {@code IOCTL_GNTALLOC_ALLOC_GREF}: {@code _IOC(_IOC_NONE, 'G', 5, sizeof(struct ioctl_gntalloc_alloc_gref))}. */
    public static final int IOCTL = Ioc.none('G', 5, SIZE);

    private GntallocAllocGref() {
    }

    /** Bytes of an argument for {@code count} pages: the fixed part and {@code count} references. */
    public static long bytesFor(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count=" + count + ": at least one page");
        }
        return Math.max(SIZE, GREF_IDS_OFFSET + 4L * count);
    }
}
