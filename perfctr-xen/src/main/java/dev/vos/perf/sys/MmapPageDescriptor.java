package dev.vos.perf.sys;

/**
 * Layout of a sampling event's mapping: one metadata page ({@code struct perf_event_mmap_page},
 * {@code perf_event.h} v6.1..v6.18) followed by a data area of 2^n pages that the kernel writes records into.
 *
 * <pre>
 *  +------------------------------- page 0: perf_event_mmap_page -------------------------------+
 *  | version u32 | compat_version u32 | lock u32 | index u32 | offset s64 | time_* ... | (1024 B) |
 *  | data_head u64  @1024: written by the kernel; read with ACQUIRE before reading records      |
 *  | data_tail u64  @1032: written by the reader with RELEASE after it has consumed records     |
 *  | data_offset u64 @1040 | data_size u64 @1048 | aux_* ...                                     |
 *  +------------------------------- pages 1..2^n: data (a ring of records) ---------------------+
 *  | perf_event_header { type u32, misc u16, size u16 } + body, records wrap at data_size        |
 *  +--------------------------------------------------------------------------------------------+
 * </pre>
 *
 * data_head and data_tail grow without bound; a record is at {@code position % data_size}. The kernel does not
 * overwrite what lies between tail and head: when the reader falls behind it drops records and later writes one
 * PERF_RECORD_LOST saying how many.
 */
public final class MmapPageDescriptor {

    /** {@code __u32 version}. */
    public static final int VERSION_OFFSET = 0;
    /** {@code __u64 data_head}: the kernel's write position. */
    public static final int DATA_HEAD_OFFSET = 1024;
    /** {@code __u64 data_tail}: the reader's position, published to the kernel. */
    public static final int DATA_TAIL_OFFSET = DATA_HEAD_OFFSET + Long.BYTES;
    /** {@code __u64 data_offset}: where the data area starts in the mapping (one page, since v4.1). */
    public static final int DATA_OFFSET_OFFSET = DATA_TAIL_OFFSET + Long.BYTES;
    /** {@code __u64 data_size}: bytes of the data area. */
    public static final int DATA_SIZE_OFFSET = DATA_OFFSET_OFFSET + Long.BYTES;

    private MmapPageDescriptor() {
    }

    /** Bytes to map for {@code dataPages} pages of data (a power of two) of {@code pageSize} bytes. */
    public static long mappingLength(int dataPages, int pageSize) {
        if (dataPages < 1 || Integer.bitCount(dataPages) != 1) {
            throw new IllegalArgumentException("dataPages must be a power of two, got " + dataPages);
        }
        return (long) (dataPages + 1) * pageSize;
    }
}
