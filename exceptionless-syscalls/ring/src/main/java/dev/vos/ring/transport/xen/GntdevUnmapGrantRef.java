package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct ioctl_gntdev_unmap_grant_ref} of {@code include/uapi/xen/gntdev.h}: releases, on
 * {@code /dev/xen/gntdev}, the references mapped at {@code index} by {@link GntdevMapGrantRef} once this process no
 * longer maps them (the pages go when the last mapping does).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          index (u64)                          |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          count (u32)                          |  8
 *  +---------------------------------------------------------------+
 *  |                           pad (u32)                           | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class GntdevUnmapGrantRef {

    /** The struct as the header declares it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("index"),
            JAVA_INT.withName("count"),
            JAVA_INT.withName("pad"));

    /** u64: the index {@link GntdevMapGrantRef} returned. */
    public static final long INDEX_OFFSET = LAYOUT.byteOffset(groupElement("index"));
    /** u32: references to release. */
    public static final long COUNT_OFFSET = LAYOUT.byteOffset(groupElement("count"));
    /** {@code sizeof}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code IOCTL_GNTDEV_UNMAP_GRANT_REF}: {@code _IOC(_IOC_NONE, 'G', 1, 16)}. */
    public static final int IOCTL = Ioc.none('G', 1, SIZE);

    private GntdevUnmapGrantRef() {
    }
}
