package dev.vos.ring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Names for segment files under /dev/shm, unique per test run, so that parallel builds never collide. */
public final class TestSegments {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestSegments() {
    }

    /** A fresh segment path that does not exist yet. */
    public static Path fresh(String purpose) {
        Path file = Path.of("/dev/shm", "vos-test-" + ProcessHandle.current().pid() + "-" + purpose + "-"
                + COUNTER.incrementAndGet());
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }
}
