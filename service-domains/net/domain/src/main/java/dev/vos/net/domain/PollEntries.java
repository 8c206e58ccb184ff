package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The entries of a pollset or a watch ({@code NetCalls.POLLSET_ENTRY_*}), each read once from the payload into the
 * domain's memory, since the client may rewrite the payload meanwhile, and all checked before any is used.
 */
record PollEntries(long[] fds, int[] events) {

    /** The events an entry may ask for; any other bit refuses the whole call (EINVAL). */
    static final int ASKABLE = NetCalls.POLLIN | NetCalls.POLLOUT;

    /** The {@code count} entries at the start of {@code payload}; null if one asks for more than {@link #ASKABLE}. */
    static PollEntries read(MemorySegment payload, int count) {
        long[] fds = new long[count];
        int[] events = new int[count];
        for (int i = 0; i < count; i++) {
            long at = (long) i * NetCalls.POLLSET_ENTRY_BYTES;
            fds[i] = payload.get(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET);
            events[i] = payload.get(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_EVENTS_OFFSET);
            if ((events[i] & ~ASKABLE) != 0) {
                return null;
            }
        }
        return new PollEntries(fds, events);
    }
}
