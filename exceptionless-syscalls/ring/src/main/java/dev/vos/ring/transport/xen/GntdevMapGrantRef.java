package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct ioctl_gntdev_map_grant_ref} of {@code include/uapi/xen/gntdev.h}: the mapping side of the Xen
 * transport hands {@code /dev/xen/gntdev} the peer's grant references (read from xenstore) and learns the
 * {@code index} to {@code mmap} them at. Each reference is a {@code struct ioctl_gntdev_grant_ref}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          count (u32)                          |  0  IN: references
 *  +---------------------------------------------------------------+
 *  |                           pad (u32)                           |  4
 *  +---------------------------------------------------------------+
 *  |                          index (u64)                          |  8  OUT: the mmap offset
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      refs[0].domid (u32)                      | 16  IN: the granting domain
 *  +---------------------------------------------------------------+
 *  |                       refs[0].ref (u32)                       | 20  IN: its grant reference
 *  +---------------------------------------------------------------+
 *  |                 refs[1] ... refs[count - 1]                   | 24
 * </pre>
 * {@code sizeof} is 24, with one element; an argument for {@code count} references needs {@link #bytesFor(int)}.
 */
public final class GntdevMapGrantRef {

    /** {@code struct ioctl_gntdev_grant_ref}: one page of the peer. */
    public static final StructLayout GRANT_REF = MemoryLayout.structLayout(
            JAVA_INT.withName("domid"),
            JAVA_INT.withName("ref"));

    /** The struct as the header declares it, with one {@code refs} element. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("count"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("index"),
            MemoryLayout.sequenceLayout(1, GRANT_REF).withName("refs"));

    /** u32 IN: references to map. */
    public static final long COUNT_OFFSET = LAYOUT.byteOffset(groupElement("count"));
    /** u32: padding, zero. */
    public static final long PAD_OFFSET = LAYOUT.byteOffset(groupElement("pad"));
    /** u64 OUT: the offset to {@code mmap} the pages at, on the same descriptor. */
    public static final long INDEX_OFFSET = LAYOUT.byteOffset(groupElement("index"));
    /** The first reference. */
    public static final long REFS_OFFSET = LAYOUT.byteOffset(groupElement("refs"));
    /** u32 within a reference: the granting domain. */
    public static final long REF_DOMID_OFFSET = LAYOUT.byteOffset(groupElement("refs"), sequenceElement(0),
            groupElement("domid")) - REFS_OFFSET;
    /** u32 within a reference: the grant reference. */
    public static final long REF_REF_OFFSET = LAYOUT.byteOffset(groupElement("refs"), sequenceElement(0),
            groupElement("ref")) - REFS_OFFSET;
    /** {@code sizeof(struct ioctl_gntdev_grant_ref)}. */
    public static final long REF_SIZE = GRANT_REF.byteSize();
    /** {@code sizeof(struct ioctl_gntdev_map_grant_ref)}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /**
     * {@code IOCTL_GNTDEV_MAP_GRANT_REF}: {@code _IOC(_IOC_NONE, 'G', 0, sizeof(struct ioctl_gntdev_map_grant_ref))}.
     */
    public static final int IOCTL = Ioc.none('G', 0, SIZE);

    private GntdevMapGrantRef() {
    }

    /** Offset of reference {@code i} in the argument. */
    public static long refOffset(int i) {
        return REFS_OFFSET + REF_SIZE * i;
    }

    /** Bytes of an argument for {@code count} references. */
    public static long bytesFor(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count=" + count + ": at least one reference");
        }
        return refOffset(count);
    }
}
