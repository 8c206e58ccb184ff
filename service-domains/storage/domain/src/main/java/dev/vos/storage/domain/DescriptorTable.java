package dev.vos.storage.domain;

import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One client session's descriptors: the small numbers a client sees, mapped to the kernel descriptors the domain
 * holds for it. Numbers start at 3 and the lowest free one is reused, as the kernel does; a number means nothing
 * to another session, and an unknown or closed number is EBADF.
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

    /** A kernel descriptor and its pins; closed once unmapped and unpinned. */
    static final class Entry {
        private final int kernelFd;
        private int pins;
        private boolean unmapped;

        Entry(int kernelFd) {
            this.kernelFd = kernelFd;
        }

        /** The kernel descriptor; valid while the entry is pinned. */
        int kernelFd() {
            return kernelFd;
        }
    }

    private final IntConsumer closer;
    private final List<Entry> entries = new ArrayList<>();
    private int mapped;
    private boolean closed;

    /** A table whose kernel descriptors are released by {@code closer} (the close system call). */
    DescriptorTable(IntConsumer closer) {
        this.closer = closer;
    }

    /**
     * Maps {@code kernelFd} to the lowest free number and returns it; or closes {@code kernelFd} and returns
     * -EBADF if the table has closed (the session ended while the open ran), -EMFILE if the session holds
     * {@link #MAX_PER_SESSION} descriptors already.
     */
    int add(int kernelFd) {
        int refusal = -Errno.EBADF;
        synchronized (this) {
            if (!closed && size() >= MAX_PER_SESSION) {
                refusal = -Errno.EMFILE;
            } else if (!closed) {
                Entry entry = new Entry(kernelFd);
                for (int i = 0; i < entries.size(); i++) {
                    if (entries.get(i) == null) {
                        entries.set(i, entry);
                        mapped++;
                        return FIRST + i;
                    }
                }
                entries.add(entry);
                mapped++;
                return FIRST + entries.size() - 1;
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

    private int index(long number) {
        long i = number - FIRST;
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
