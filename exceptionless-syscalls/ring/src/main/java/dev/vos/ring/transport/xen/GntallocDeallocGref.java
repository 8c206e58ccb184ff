package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct ioctl_gntalloc_dealloc_gref} of {@code include/uapi/xen/gntalloc.h}: gives back, on
 * {@code /dev/xen/gntalloc}, the {@code count} grants allocated at {@code index}; the pages are freed (and count
 * against the module's limit no more) once no mapping of them is left, the peer's included.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          index (u64)                          |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          count (u32)                          |  8
 *  +---------------------------------------------------------------+
 *  |                       (tail padding)                          | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class GntallocDeallocGref {

    /** The struct as the header declares it, with the tail padding of its u64's alignment. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("index"),
            JAVA_INT.withName("count"),
            MemoryLayout.paddingLayout(4));

    /** u64: the index {@link GntallocAllocGref} returned. */
    public static final long INDEX_OFFSET = LAYOUT.byteOffset(groupElement("index"));
    /** u32: grants to give back. */
    public static final long COUNT_OFFSET = LAYOUT.byteOffset(groupElement("count"));
    /** {@code sizeof}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code IOCTL_GNTALLOC_DEALLOC_GREF}: {@code _IOC(_IOC_NONE, 'G', 6, 16)}. */
    public static final int IOCTL = Ioc.none('G', 6, SIZE);

    private GntallocDeallocGref() {
    }
}
