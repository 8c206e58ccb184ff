package dev.vos.storage.domain;

import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One client session's descriptors: the numbers a client sees, mapped to the kernel descriptors the domain holds
 * for it. A number is {@code nonce << 32 | index}: the index starts at 3 and the lowest free one is reused, as the
 * kernel does; the nonce is drawn at random for the session (31 bits, never 0), so a number means nothing to
 * another session even where that session uses the same index, and an unknown, closed or foreign number is EBADF.
 * Without the nonce, a client that re-attached after its ring failed could send an old channel's number on the new
 * session and reach whatever file the new session had opened under that index (the review's data loss). The check
 * is a compare of the high half: nothing on the hot path allocates.
 *
 * <p>Several workers may serve one session at once, so a number in use by one call can be closed by another. The
 * kernel descriptor is not closed under a call that uses it: {@link #acquire} pins the entry, and the descriptor
 * is closed when the last pin goes. Without that, a pread racing a close could read through a kernel descriptor
 * number that meanwhile went to another client's file.
 */
final class DescriptorTable implements AutoCloseable {

    /** The first number handed out: 0, 1 and 2 look like stdin/stdout/stderr to a POSIX-minded client. */
    static final int FIRST = 3;
    /**
     * Descriptors one session may hold (EMFILE beyond). Every session's descriptors come out of the agent's one
     * RLIMIT_NOFILE: without a per-session cap, one client could leave none for the others.
     */
    static final int MAX_PER_SESSION = StorageCalls.MAX_DESCRIPTORS_PER_SESSION;

    /** The largest nonce: 31 bits, so that every number is a positive long. */
    static final int MAX_NONCE = Integer.MAX_VALUE;
    private static final long INDEX_MASK = 0xFFFF_FFFFL;
    /** Nonces must not be guessable by another session's client: one guess is one call, 2^31 of them. */
    private static final SecureRandom NONCES = new SecureRandom();

    /** A kernel descriptor, whether it was opened with O_APPEND, and its pins; closed once unmapped and unpinned. */
    static final class Entry {
        private final int kernelFd;
        private final boolean append;
        private int pins;
        private boolean unmapped;

        Entry(int kernelFd, boolean append) {
            this.kernelFd = kernelFd;
            this.append = append;
        }

        /** The kernel descriptor; valid while the entry is pinned. */
        int kernelFd() {
            return kernelFd;
        }

        /** Whether it was opened with O_APPEND: the append call is served on it, and only on such. */
        boolean append() {
            return append;
        }
    }

    private final IntConsumer closer;
    /** The session's nonce, in place: the high half every number of this table carries. */
    private final long tag;
    private final List<Entry> entries = new ArrayList<>();
    private int mapped;
    private boolean closed;

    /** A table with a random nonce, whose kernel descriptors are released by {@code closer} (the close call). */
    DescriptorTable(IntConsumer closer) {
        this(1 + NONCES.nextInt(MAX_NONCE), closer);
    }

    /** A table with the nonce {@code nonce} (1..{@link #MAX_NONCE}): tests that need known numbers. */
    DescriptorTable(int nonce, IntConsumer closer) {
        if (nonce < 1) {
            throw new IllegalArgumentException("nonce=" + nonce + ": must be in [1, " + MAX_NONCE + "]");
        }
        this.closer = closer;
        this.tag = (long) nonce << 32;
    }

    /**
     * Maps {@code kernelFd} (opened with O_APPEND if {@code append}) to the lowest free index and returns its
     * number; or closes {@code kernelFd} and returns -EBADF if the table has closed (the session ended while the
     * open ran), -EMFILE if the session holds {@link #MAX_PER_SESSION} descriptors already.
     */
    long add(int kernelFd, boolean append) {
        int refusal = -Errno.EBADF;
        synchronized (this) {
            if (!closed && size() >= MAX_PER_SESSION) {
                refusal = -Errno.EMFILE;
            } else if (!closed) {
                Entry entry = new Entry(kernelFd, append);
                for (int i = 0; i < entries.size(); i++) {
                    if (entries.get(i) == null) {
                        entries.set(i, entry);
                        mapped++;
                        return tag | (FIRST + i);
                    }
                }
                entries.add(entry);
                mapped++;
                return tag | (FIRST + entries.size() - 1);
            }
        }
        closer.accept(kernelFd);
        return refusal;
    }

    /** Pins the entry of {@code number} for one call, or returns null (EBADF); {@link #release} it after. */
    synchronized Entry acquire(long number) {
        int i = index(number);
        if (i < 0) {
            return null;
        }
        Entry entry = entries.get(i);
        entry.pins++;
        return entry;
    }

    /** Unpins {@code entry}; closes its kernel descriptor if it was the last pin of an unmapped entry. */
    void release(Entry entry) {
        synchronized (this) {
            entry.pins--;
            if (!entry.unmapped || entry.pins > 0) {
                return;
            }
        }
        closer.accept(entry.kernelFd);
    }

    /** Unmaps {@code number}: 0, or -EBADF. Its kernel descriptor closes now, or when the calls using it finish. */
    int remove(long number) {
        Entry entry;
        synchronized (this) {
            int i = index(number);
            if (i < 0) {
                return -Errno.EBADF;
            }
            entry = entries.get(i);
            entries.set(i, null);
            mapped--;
            entry.unmapped = true;
            if (entry.pins > 0) {
                return 0;
            }
        }
        closer.accept(entry.kernelFd);
        return 0;
    }

    /** How many numbers are mapped. */
    synchronized int size() {
        return mapped;
    }

    /** The entry index of {@code number}, or -1 if it is not this session's or names nothing. */
    private int index(long number) {
        if ((number & ~INDEX_MASK) != tag) {
            return -1; // another session's number (or a forged one): EBADF, whatever its index
        }
        long i = (number & INDEX_MASK) - FIRST;
        return i >= 0 && i < entries.size() && entries.get((int) i) != null ? (int) i : -1;
    }

    /** Ends the session: every number is unmapped and every kernel descriptor closed (pinned ones when unpinned). */
    @Override
    public void close() {
        List<Entry> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry e : entries) {
                if (e != null) {
                    e.unmapped = true;
                    if (e.pins == 0) {
                        toClose.add(e);
                    }
                }
            }
            entries.clear();
            mapped = 0;
        }
        toClose.forEach(e -> closer.accept(e.kernelFd));
    }
}
