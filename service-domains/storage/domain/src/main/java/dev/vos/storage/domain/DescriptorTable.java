package dev.vos.storage.domain;

import dev.vos.ring.server.SessionNumbers;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One client session's descriptors: the numbers a client sees, mapped to the kernel descriptors the domain holds
 * for it, by {@link SessionNumbers}: a number is {@code nonce << 32 | serial}. The nonce is drawn at random for the
 * session (31 bits, never 0), so a number means nothing to another session even where that session uses the same
 * serial, and an unknown, closed or foreign number is EBADF. Without the nonce, a client that re-attached after its
 * ring failed could send an old channel's number on the new session and reach whatever file the new session had
 * opened under it (the review's data loss). The serial is not reused while the session lasts (unlike the kernel's
 * lowest free descriptor): a pread still on its way with the number of a descriptor another thread closed is EBADF,
 * never a read of the file a third thread opened next. Nothing on the hot path allocates.
 *
 * <p>Several workers may serve one session at once, so a number in use by one call can be closed by another. The
 * kernel descriptor is not closed under a call that uses it: {@link #acquire} pins the entry, and the descriptor
 * is closed when the last pin goes. Without that, a pread racing a close could read through a kernel descriptor
 * number that meanwhile went to another client's file. The descriptor's {@link ReadMapping}, if its reads made one,
 * is unmapped at the same moment, so no call can be copying from it then.
 *
 * <p>What one session can make the domain map is capped ({@link #MAX_MAPPINGS}, {@link #MAX_MAPPED_BYTES}): past
 * the cap a descriptor's reads are preads, as before mappings.
 */
final class DescriptorTable implements AutoCloseable {

    /** The first number's serial: 0, 1 and 2 look like stdin/stdout/stderr to a POSIX-minded client. */
    static final int FIRST = SessionNumbers.FIRST;
    /**
     * Descriptors one session may hold (EMFILE beyond). Every session's descriptors come out of the agent's one
     * RLIMIT_NOFILE: without a per-session cap, one client could leave none for the others.
     */
    static final int MAX_PER_SESSION = StorageCalls.MAX_DESCRIPTORS_PER_SESSION;

    /** The largest nonce: 31 bits, so that every number is a positive long. */
    static final int MAX_NONCE = SessionNumbers.MAX_NONCE;
    /**
     * Files one session may have mapped at once. Each mapping is a VMA of the domain, and the kernel allows a
     * process 65,530 by default (vm.max_map_count) for everything, the JVM's own included.
     */
    static final int MAX_MAPPINGS = 256;
    /** Bytes of address space one session's mappings may span (64 GiB: of the 128 TiB a process has). */
    static final long MAX_MAPPED_BYTES = 64L << 30;

    /**
     * A kernel descriptor, whether it was opened with O_APPEND, whether it can read, its pins, and how its reads are
     * served ({@link ReadView}); closed and unmapped once removed and unpinned.
     */
    static final class Entry {
        private final int kernelFd;
        private final boolean append;
        private final boolean readable;
        private int pins;
        private boolean unmapped;
        /** Set by {@link ReadMappings} under the entry's lock while pinned; read by every worker's read. */
        private volatile ReadView view = ReadView.NoMapping.UNTRIED;
        /** How often a read found its file empty ({@link ReadMappings}); guarded by the entry's lock. */
        int emptyTries;

        Entry(int kernelFd, boolean append, boolean readable) {
            this.kernelFd = kernelFd;
            this.append = append;
            this.readable = readable;
        }

        /** Whether it was opened for reading (O_RDONLY or O_RDWR): only such a descriptor's reads may be mapped. */
        boolean readable() {
            return readable;
        }

        ReadView view() {
            return view;
        }

        void view(ReadView next) {
            view = next;
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
    private final SessionNumbers<Entry> entries;
    private boolean closed;
    private int mappings;
    private long mappedBytes;

    /** A table with a random nonce, whose kernel descriptors are released by {@code closer} (the close call). */
    DescriptorTable(IntConsumer closer) {
        this.closer = closer;
        this.entries = new SessionNumbers<>(MAX_PER_SESSION);
    }

    /** A table with the nonce {@code nonce} (1..{@link #MAX_NONCE}): tests that need known numbers. */
    DescriptorTable(int nonce, IntConsumer closer) {
        this.closer = closer;
        this.entries = new SessionNumbers<>(nonce, MAX_PER_SESSION);
    }

    /**
     * Maps {@code kernelFd} (opened with O_APPEND if {@code append}) to a fresh number and returns it
     * number; or closes {@code kernelFd} and returns -EBADF if the table has closed (the session ended while the
     * open ran), -EMFILE if the session holds {@link #MAX_PER_SESSION} descriptors already.
     */
    long add(int kernelFd, boolean append) {
        return add(kernelFd, append, false);
    }

    /** As {@link #add(int, boolean)}, for a descriptor that can read if {@code readable}. */
    long add(int kernelFd, boolean append, boolean readable) {
        int refusal = -Errno.EBADF;
        synchronized (this) {
            if (!closed && entries.full()) {
                refusal = -Errno.EMFILE;
            } else if (!closed) {
                return entries.add(new Entry(kernelFd, append, readable));
            }
        }
        closer.accept(kernelFd);
        return refusal;
    }

    /** Pins the entry of {@code number} for one call, or returns null (EBADF); {@link #release} it after. */
    synchronized Entry acquire(long number) {
        Entry entry = entries.get(number);
        if (entry == null) {
            return null;
        }
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
        dispose(entry);
    }

    /** Unmaps {@code number}: 0, or -EBADF. Its kernel descriptor closes now, or when the calls using it finish. */
    int remove(long number) {
        Entry entry;
        synchronized (this) {
            entry = entries.remove(number);
            if (entry == null) {
                return -Errno.EBADF;
            }
            entry.unmapped = true;
            if (entry.pins > 0) {
                return 0;
            }
        }
        dispose(entry);
        return 0;
    }

    /** How many numbers are mapped. */
    synchronized int size() {
        return entries.size();
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
            for (Entry e : entries.clear()) {
                e.unmapped = true;
                if (e.pins == 0) {
                    toClose.add(e);
                }
            }
        }
        toClose.forEach(this::dispose);
    }

    /**
     * Takes {@code bytes} of mapping from the session's cap, or answers false (the cap is reached: the descriptor's
     * reads stay preads).
     */
    synchronized boolean reserveMapping(long bytes) {
        if (mappings >= MAX_MAPPINGS || bytes > MAX_MAPPED_BYTES - mappedBytes) {
            return false;
        }
        mappings++;
        mappedBytes += bytes;
        return true;
    }

    /** Gives back a mapping of {@code bytes} (unmapped, or never made). */
    synchronized void returnMapping(long bytes) {
        mappings--;
        mappedBytes -= bytes;
    }

    /** How many files the session has mapped now. */
    synchronized int mappings() {
        return mappings;
    }

    /** The last pin of a removed entry went: its mapping is unmapped and its kernel descriptor closed. */
    private void dispose(Entry entry) {
        if (entry.view instanceof ReadMapping mapping) {
            mapping.close();
            returnMapping(mapping.length());
        }
        closer.accept(entry.kernelFd);
    }
}
