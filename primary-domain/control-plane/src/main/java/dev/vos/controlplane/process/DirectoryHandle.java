package dev.vos.controlplane.process;

import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A directory the control plane holds open ({@code O_PATH}) for as long as it runs, so that every generation of a
 * domain is handed the very directory that was resolved once, at start: a link swapped in at its path later, or a
 * rename of it, changes nothing for the domain. The domain's process receives it as an inherited descriptor, opened
 * through {@link #procPath()} (the same open directory, not a new lookup of its path) before the domain enters its
 * namespaces and gives up its privileges.
 */
public final class DirectoryHandle implements AutoCloseable {

    /** {@code openat2(2)}, x86-64 and arm64 alike. */
    private static final long SYS_OPENAT2 = 437;
    private static final long SYS_CLOSE = 3;
    private static final long AT_FDCWD = -100;
    private static final long O_DIRECTORY = 0200000;
    private static final long O_CLOEXEC = 02000000;
    private static final long O_PATH = 010000000;
    /** No symbolic link on the way, and no /proc magic link either: the path must be the directory itself. */
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** {@code struct open_how { u64 flags; u64 mode; u64 resolve; }}. */
    private static final long OPEN_HOW_SIZE = 24;

    private final Path path;
    private final int fd;
    private boolean closed;

    private DirectoryHandle(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens {@code directory} ({@code O_PATH | O_DIRECTORY | O_CLOEXEC}), refusing a symbolic link anywhere in
     * the path.
     *
     * @throws IOException naming the path and the errno: ELOOP for a link on the way, ENOTDIR, ENOENT, EACCES
     */
    public static DirectoryHandle open(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath().normalize();
        byte[] bytes = absolute.toString().getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(bytes.length + 1L);
            name.copyFrom(MemorySegment.ofArray(bytes));
            name.set(JAVA_BYTE, bytes.length, (byte) 0);
            MemorySegment how = arena.allocate(OPEN_HOW_SIZE, 8);
            how.set(JAVA_LONG, 0, O_PATH | O_DIRECTORY | O_CLOEXEC);
            how.set(JAVA_LONG, 8, 0);
            how.set(JAVA_LONG, 16, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            long fd = Linux.syscallErrno(SYS_OPENAT2, AT_FDCWD, name.address(), how.address(), OPEN_HOW_SIZE, 0, 0);
            if (fd < 0) {
                String why = -fd == Errno.ELOOP ? "a symbolic link is on the way" : Errno.name((int) -fd);
                throw new IOException("cannot open the directory " + absolute + ": " + why);
            }
            return new DirectoryHandle(absolute, (int) fd);
        }
    }

    /** The path it was opened by (it may name something else by now: that is the point). */
    public Path path() {
        return path;
    }

    /**
     * {@code /proc/PID/fd/N} of this control plane: opening it opens this very directory, whatever its path has
     * become. Only this control plane's user (or root) may open it.
     */
    public Path procPath() {
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Linux.syscall(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        }
    }
}
