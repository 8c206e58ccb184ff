package dev.vos.ring;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
