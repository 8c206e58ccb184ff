package dev.vos.ring.layout;

/**
 * Offsets within one call slot, and the encoding of its control word. A slot is one cache line:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |     STATE     |                  CALL NUMBER                  |  CONTROL (long):
 *  +---------------+-----------------------------------------------+    bits  0..7  state
 *  |                        SEQUENCE NUMBER                        |    bits  8..31 call number
 *  +---------------------------------------------------------------+    bits 32..63 sequence
 *  |                        ARG0 ... ARG5                          |  6 x long, offsets 8..55
 *  +---------------------------------------------------------------+
 *  |                           RESULT                              |  long at 56: value, or -errno
 *  +---------------------------------------------------------------+
 * </pre>
 * State machine (one writer per transition):
 * <pre>
 *   FREE --client: args, then CONTROL=SUBMITTED (release)--> SUBMITTED
 *   SUBMITTED --worker: CAS--> ACCEPTED        (a sole worker, with no peer to race, skips this step)
 *   ACCEPTED --worker: RESULT, then CONTROL=COMPLETE (volatile)--> COMPLETE
 *   COMPLETE --client reads RESULT, reuses the slot--> SUBMITTED (next call, next sequence)
 * </pre>
 * The call number and sequence stay the same through a call's states, so a client waits for exactly
 * {@code complete(call, sequence)} and a stale or duplicated completion can never match a later call.
 */
public final class SlotLayout {

    /** Bytes per slot: one cache line. */
    public static final int SLOT_BYTES = HeaderLayout.CACHE_LINE;

    /** long: state | call number << 8 | sequence << 32. */
    public static final int CONTROL_OFFSET = 0;
    /** long x 6: the call's arguments. */
    public static final int ARGS_OFFSET = 8;
    /** Number of argument words, as for a Linux system call. */
    public static final int ARG_COUNT = 6;
    /** long: the result in the kernel's convention (not negative: a value; negative: {@code -errno}). */
    public static final int RESULT_OFFSET = ARGS_OFFSET + ARG_COUNT * 8;

    /** The slot has never been used. */
    public static final int FREE = 0;
    /** The client wrote the arguments and queued the slot. */
    public static final int SUBMITTED = 1;
    /** A worker took the call and is executing it. */
    public static final int ACCEPTED = 2;
    /** The result is in RESULT. */
    public static final int COMPLETE = 3;
    /**
     * A worker took the call and parked it until an outside event (a peer's bytes, a connection): it may take
     * any time, so the client stops spinning for it and sleeps. A hint only: the call completes as from ACCEPTED.
     */
    public static final int WAITING = 4;

    /**
     * Bytes of one slot's park word ({@code RingGeometry.parkWordOffset}): a 32-bit futex word, 4-byte aligned as
     * {@code futex(2)} needs, outside the slot so that the slot stays one cache line.
     */
    public static final int PARK_WORD_BYTES = 4;
    /** Park word: no caller sleeps on the slot (or it is leaving); a worker that completes the call wakes nobody. */
    public static final int PARK_NONE = 0;
    /**
     * Park word: the slot's caller (a platform thread) sleeps, or is about to, in {@code FUTEX_WAIT} on this word;
     * the worker that completes its call sets it to {@link #PARK_NONE} and wakes the word.
     */
    public static final int PARK_SLEEPING = 1;

    /** Largest call number that fits the control word. */
    public static final int MAX_CALL_NUMBER = (1 << 24) - 1;

    private SlotLayout() {
    }

    /** The offset of argument {@code index} (0..5) within a slot. */
    public static int argOffset(int index) {
        return ARGS_OFFSET + index * 8;
    }

    /** Packs a control word. */
    public static long control(int state, int callNumber, int sequence) {
        return (state & 0xFFL) | ((callNumber & (long) MAX_CALL_NUMBER) << 8) | ((long) sequence << 32);
    }

    /** The state field of a control word. */
    public static int state(long control) {
        return (int) (control & 0xFF);
    }

    /** The call number field of a control word. */
    public static int callNumber(long control) {
        return (int) ((control >>> 8) & MAX_CALL_NUMBER);
    }

    /** The sequence field of a control word. */
    public static int sequence(long control) {
        return (int) (control >>> 32);
    }

    /** The same control word with another state. */
    public static long withState(long control, int state) {
        return (control & ~0xFFL) | (state & 0xFFL);
    }
}
