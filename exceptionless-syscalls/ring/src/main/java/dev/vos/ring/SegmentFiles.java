package dev.vos.ring;

import java.nio.file.Path;

/**
 * Where ring segment files live and how they are named, for every program that makes one (clients, demos, tests,
 * benchmarks) and for the agent that checks a client's segment before attaching to it.
 *
 * <p>A segment is {@code /dev/shm/vos-OWNER-PID-TAG}: {@link #DIRECTORY}, shared memory that every process of the
 * host sees; {@link #PREFIX}, the mark of a vos segment (an agent attaches to nothing else); the owner (a domain's
 * name, or "test", "demo", "bench"); the creating process's pid, which keeps processes apart (parallel builds,
 * several clients of one domain) and tells whose a leftover file is; and a tag the owner chooses to keep its own
 * segments apart (a generation, a counter).
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

    /** True for an absolute path directly in {@link #DIRECTORY} whose name begins with {@link #PREFIX}. */
    public static boolean isSegmentPath(Path path) {
        return path.isAbsolute() && DIRECTORY.equals(path.getParent())
                && path.getFileName().toString().startsWith(PREFIX);
    }

    /** What {@link #isSegmentPath} accepts, for messages: {@code /dev/shm/vos-*}. */
    public static String pattern() {
        return DIRECTORY.resolve(PREFIX) + "*";
    }

    private static void checkPart(String name, String value) {
        if (value.isEmpty() || value.indexOf('/') >= 0) {
            throw new IllegalArgumentException(name + "='" + value + "': must be non-empty, without '/'");
        }
    }
}
