package dev.vos.perf.sys;

/**
 * What read(2) returns from a group leader opened with {@code PERF_FORMAT_GROUP | TOTAL_TIME_ENABLED |
 * TOTAL_TIME_RUNNING | ID} ({@code perf_event.h}, "struct read_format"):
 *
 * <pre>
 *  +------------------+------------------+------------------+----------------------------------+
 *  | nr (u64)         | time_enabled u64 | time_running u64 | { value u64, id u64 } x nr       |
 *  +------------------+------------------+------------------+----------------------------------+
 * </pre>
 *
 * The two times are the group's: every member of a group is scheduled on the PMU together, so one pair scales
 * them all.
 */
public final class GroupReadDescriptor {

    /** {@code u64 nr}: the number of counters that follow. */
    public static final int NR_OFFSET = 0;
    /** {@code u64 time_enabled}: ns the group was enabled. */
    public static final int TIME_ENABLED_OFFSET = NR_OFFSET + Long.BYTES;
    /** {@code u64 time_running}: ns it was actually on the PMU (less than enabled when multiplexed). */
    public static final int TIME_RUNNING_OFFSET = TIME_ENABLED_OFFSET + Long.BYTES;
    /** Where the first {@code {value, id}} pair starts. */
    public static final int VALUES_OFFSET = TIME_RUNNING_OFFSET + Long.BYTES;
    /** Bytes per counter entry. */
    public static final int ENTRY_LENGTH = 2 * Long.BYTES;

    private GroupReadDescriptor() {
    }

    /** Bytes a read of a group of {@code members} counters needs. */
    public static int length(int members) {
        return VALUES_OFFSET + members * ENTRY_LENGTH;
    }

    /** Offset of counter {@code index}'s value. */
    public static int valueOffset(int index) {
        return VALUES_OFFSET + index * ENTRY_LENGTH;
    }

    /** Offset of counter {@code index}'s kernel-assigned id. */
    public static int idOffset(int index) {
        return valueOffset(index) + Long.BYTES;
    }
}
