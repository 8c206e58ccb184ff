package dev.vos.client.fs;

import dev.vos.client.DomainHandle;
import dev.vos.ring.DomainFailedException;
import dev.vos.storage.protocol.DirentLayout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of a directory of the domain, read in batches of getdents64 records through a descriptor of the
 * domain's session; "." and ".." are left out, as the default provider leaves them out. One iterator, as the
 * {@link DirectoryStream} contract says; closing the stream ends the iteration.
 */
final class VosDirectoryStream implements DirectoryStream<Path> {

    private final VosPath dir;
    private final DomainHandle descriptor;
    private final Filter<? super Path> filter;
    private final byte[] batch;
    private final ArrayDeque<Path> ready = new ArrayDeque<>();
    private boolean end;
    private boolean closed;
    private boolean iterated;

    VosDirectoryStream(VosPath dir, DomainHandle descriptor, Filter<? super Path> filter, int batchBytes) {
        this.dir = dir;
        this.descriptor = descriptor;
        this.filter = filter;
        this.batch = new byte[batchBytes];
        dir.getFileSystem().opened(this);
    }

    @Override
    public synchronized Iterator<Path> iterator() {
        if (closed) {
            throw new IllegalStateException("Directory stream is closed");
        }
        if (iterated) {
            throw new IllegalStateException("Iterator already obtained");
        }
        iterated = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                synchronized (VosDirectoryStream.this) {
                    return fill();
                }
            }

            @Override
            public Path next() {
                synchronized (VosDirectoryStream.this) {
                    if (!fill()) {
                        throw new NoSuchElementException();
                    }
                    return ready.removeFirst();
                }
            }
        };
    }

    /** Whether an entry is ready, reading batches until one is or the directory ends. */
    private boolean fill() {
        while (ready.isEmpty() && !end && !closed) {
            int n;
            try {
                n = dir.getFileSystem().client().getdents(descriptor, batch);
            } catch (ErrnoException e) {
                throw new DirectoryIteratorException(e.translate(dir));
            } catch (IOException e) {
                throw new DirectoryIteratorException(e);
            }
            if (n == 0) {
                end = true;
            }
            decode(n);
        }
        return !ready.isEmpty();
    }

    private void decode(int length) {
        List<DirentLayout.Entry> entries;
        try {
            entries = DirentLayout.decode(MemorySegment.ofArray(batch).asSlice(0, length));
        } catch (IllegalArgumentException e) {
            throw new DirectoryIteratorException(new IOException("malformed directory records from storage domain "
                    + dir.getFileSystem().domain() + ": " + e.getMessage()));
        }
        for (DirentLayout.Entry entry : entries) {
            Path path = dir.resolve(entry.name());
            try {
                if (filter == null || filter.accept(path)) {
                    ready.addLast(path);
                }
            } catch (IOException e) {
                throw new DirectoryIteratorException(e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        dir.getFileSystem().closed(this);
        if (!dir.getFileSystem().isOpen()) {
            return; // the file system's client closed its session, and every descriptor of it
        }
        try {
            dir.getFileSystem().client().close(descriptor);
        } catch (ErrnoException e) {
            throw e.translate(dir);
        } catch (DomainFailedException e) {
            // the domain died: the descriptor went with its session
        }
    }
}
