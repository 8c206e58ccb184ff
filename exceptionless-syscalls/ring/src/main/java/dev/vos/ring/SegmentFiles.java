package dev.vos.ring;

import java.nio.file.Path;

/**
 * Where ring segment files live and how they are named, for every program that makes one: a ring server run as a
 * program of its own ({@code RingServerMain}) for the demo, tests and benchmarks. A client of a domain agent makes
 * no file at all: its segment is a sealed memfd ({@link RingSegment#createSealed}), labelled with {@link #PREFIX}.
 *
 * <p>A segment file is {@code /dev/shm/vos-OWNER-PID-TAG}: {@link #DIRECTORY}, a tmpfs; {@link #PREFIX}, the mark
 * of a vos segment; the owner ("test", "demo", "bench"); the creating process's pid, which keeps processes apart
 * (parallel builds) and tells whose a leftover file is; and a tag the owner chooses to keep its own segments apart
 * (a generation, a counter). {@link RingSegment#create} makes it owner-only (0600), never over an existing name.
 */
public final class SegmentFiles {

    /** The folder of every segment: a tmpfs, so a segment is memory with a name, and no disk is written. */
    public static final Path DIRECTORY = Path.of("/dev/shm");
    /** The start of every segment's file name. */
    public static final String PREFIX = "vos-";

    private SegmentFiles() {
    }

    /**
     * {@code /dev/shm/vos-OWNER-PID-TAG}, with this process's pid. The file is not created.
     *
     * @throws IllegalArgumentException if {@code owner} or {@code tag} is empty or holds a {@code /}
     */
    public static Path path(String owner, String tag) {
        checkPart("owner", owner);
        checkPart("tag", tag);
        return DIRECTORY.resolve(namePrefix(owner) + tag);
    }

    /** {@code vos-OWNER-PID-}: how every name {@link #path} makes for {@code owner} in this process begins. */
    public static String namePrefix(String owner) {
        checkPart("owner", owner);
        return PREFIX + owner + "-" + ProcessHandle.current().pid() + "-";
    }

    private static void checkPart(String name, String value) {
        if (value.isEmpty() || value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(name + "='" + value + "': must be non-empty, without '/'");
        }
    }
}
