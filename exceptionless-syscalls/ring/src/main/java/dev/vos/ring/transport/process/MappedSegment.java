package dev.vos.ring.transport.process;

import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.Transport;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A segment of the process transport: a segment file or a sealed memfd, mapped shared into this process. The mapping
 * belongs to a shared arena: closing it unmaps the segment once no thread is inside an access, and any later access
 * throws {@link IllegalStateException} instead of touching unmapped memory. How one is made and who may map it:
 * {@link ProcessTransport}.
 */
final class MappedSegment implements Segment {

    /** The file this segment maps, or null for a sealed segment, which no path names. */
    private final Path file;
    /** Whether closing deletes {@link #file}: its creator's segment does, an attacher's does not. */
    private final boolean ownsFile;
    private final String name;
    private final String mappableBy;
    /** The memfd of a sealed segment this process created (it hands it on), else -1. */
    private final int descriptor;
    private final Arena arena;
    private final MemorySegment memory;
    private final AtomicBoolean closed = new AtomicBoolean();

    MappedSegment(Path file, boolean ownsFile, String name, String mappableBy, int descriptor, Arena arena,
                  MemorySegment memory) {
        this.file = file;
        this.ownsFile = ownsFile;
        this.name = name;
        this.mappableBy = mappableBy;
        this.descriptor = descriptor;
        this.arena = arena;
        this.memory = memory;
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mappableBy() {
        return mappableBy;
    }

    @Override
    public Transport transport() {
        return ProcessTransport.INSTANCE;
    }

    Path file() {
        return file;
    }

    int descriptor() {
        return descriptor;
    }

    /**
     * Unmaps the segment, closes the descriptor of a sealed one, and deletes the file of one this process created;
     * each step runs whatever the one before did. A second close does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            arena.close();
        } finally {
            try {
                if (descriptor >= 0) {
                    Linux.close(descriptor);
                }
            } finally {
                if (ownsFile) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
    }
}
