package dev.vos.ring;

import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.process.ProcessTransport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/** Segment files for tests ({@link SegmentFiles}, owner "test"), unique per process: parallel builds never collide. */
public final class TestSegments {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestSegments() {
    }

    /** A fresh segment path that does not exist yet. */
    public static Path fresh(String purpose) {
        Path file = SegmentFiles.path("test", purpose + "-" + COUNTER.incrementAndGet());
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    /** The ring's view of a transport's segment; closing the view closes the segment. */
    public static RingSegment view(Segment segment) {
        return RingSegment.view(segment.name(), segment.memory(), segment);
    }

    /**
     * A new segment file at {@code file} for {@code geometry}, mapped as a server maps one: closing it leaves the file
     * (the caller deletes it). {@code ProcessTransport.file} is what a client uses; its segment deletes the file.
     */
    public static RingSegment create(Path file, RingGeometry geometry) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(geometry.segmentBytes());
        }
        return open(file);
    }

    /** An existing segment file, mapped whole as a server maps it. */
    public static RingSegment open(Path file) throws IOException {
        return view(ProcessTransport.openFile(file));
    }
}
