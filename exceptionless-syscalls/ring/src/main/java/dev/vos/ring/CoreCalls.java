package dev.vos.ring;

/**
 * Numbers of the calls every vos ring server answers, whatever its domain kind (numbers 0..63 are reserved for
 * these; a storage or net domain numbers its own calls from 64 up). They exist to measure the ring and to check a
 * domain is alive, and each has the C-like prototype of its arguments below. Results follow the kernel's
 * convention: a value that is not negative, or {@code -errno}.
 */
public final class CoreCalls {

    /** {@code long nop(void)}: returns 0. The null call that measures the ring itself. */
    public static final int NOP = 0;
    /** {@code long getpid(void)}: the server's pid, through a real system call in the server's process. */
    public static final int GETPID = 1;
    /** {@code long checksum(data_offset, length)}: CRC32C of the payload bytes; EFAULT if out of the data area. */
    public static final int CHECKSUM = 2;
    /** {@code long fill(data_offset, length, byte)}: writes {@code length} copies of {@code byte}; returns length. */
    public static final int FILL = 3;
    /** {@code long sleep(nanoseconds)}: holds the worker that long (at most 10 s, else EINVAL); returns 0. */
    public static final int SLEEP = 4;

    /**
     * {@code long stats(data_offset, length)}: the serving agent's figures (calls by kind, service-time histogram,
     * in-flight depth, wake-ups, errors; see {@code DomainStats}) written into the payload; returns the bytes
     * written, EFAULT for a bad range, EOVERFLOW if they do not fit. Answered by domain agents only: to the
     * supervisor's session about the whole domain, to any other session about itself alone.
     */
    public static final int STATS = 5;

    /**
     * {@code long sessions(data_offset, length, first_row)}: what each client session of the serving agent holds,
     * as its kind reports it (the net domain: its sockets, for {@code vos net ss}), written into the payload as
     * UTF-8 lines from row {@code first_row} on, as many whole lines as fit: {@code session pid uid pidfd
     * fields...}, tab-separated, where {@code pid} is the client's in the agent's pid namespace (0 outside it), and
     * {@code pidfd} the agent's descriptor of a pidfd of that client (-1 if it keeps none), through which a reader
     * in another namespace finds the client's pid there ({@code /proc/AGENT/fdinfo/PIDFD}). Returns the bytes
     * written, 0 once past the last row, EOVERFLOW if one line does not fit, EFAULT for a bad range, EINVAL for a
     * negative {@code first_row}. Answered by domain agents only, and only to the supervisor's session (EPERM for any
     * other): a client never learns what another holds.
     */
    public static final int SESSIONS = 6;

    /**
     * {@code long test_block(void)}: blocks the worker that takes it, forever (a deadlock on purpose, parked with no
     * CPU used), to prove that a stuck worker is found. A test call: registered only in servers started with
     * {@code --test-calls} ({@code CoreCallHandlers.registerTestCalls}), never in a production table; elsewhere
     * it answers ENOSYS like any unknown call.
     */
    public static final int TEST_BLOCK = 63;

    /** Calls 0 to 63 are the core's; domain kinds number theirs from here. */
    public static final int FIRST_DOMAIN_CALL = 64;

    private CoreCalls() {
    }
}
