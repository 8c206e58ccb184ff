package dev.vos.ring.server;

/**
 * What calls answered, counted from the result the server itself publishes (never read back from the slot, where
 * the client can write anything): failures by errno, and the bytes of the calls the table marks as transfers
 * ({@link CallTable.Transfer}). A worker keeps one for the calls it answers on its own thread (plain longs, read
 * racily by the stats reader as its other counters are: they only grow, and a long is read whole on x86_64); a
 * server keeps one more, under its lock, for deferred calls completed on some other thread.
 */
final class ResultCounter {

    /**
     * Slots of {@link #errorsByErrno}: one per errno value up to Linux's highest (EHWPOISON, 133); slot 0 takes a
     * result in the error range above that, which no Linux call returns.
     */
    static final int ERRNO_SLOTS = 134;
    /** Linux's error range: a result in {@code [-MAX_ERRNO, -1]} is {@code -errno}. */
    static final int MAX_ERRNO = 4095;

    final long[] errorsByErrno = new long[ERRNO_SLOTS];
    long bytesRead;
    long bytesWritten;

    /** Counts one answered call whose table entry says {@code transfer}, answered {@code result}. */
    void count(CallTable.Transfer transfer, long result) {
        if (result < 0) {
            if (result >= -MAX_ERRNO) {
                errorsByErrno[result < -(ERRNO_SLOTS - 1) ? 0 : (int) -result]++;
            }
        } else if (result > 0) {
            switch (transfer) {
                case READ -> bytesRead += result;
                case WRITE -> bytesWritten += result;
                case NONE -> {
                }
            }
        }
    }
}
