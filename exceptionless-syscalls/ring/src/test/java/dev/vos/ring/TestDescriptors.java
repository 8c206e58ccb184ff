package dev.vos.ring;

import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;

import java.lang.foreign.Arena;
import java.nio.file.Path;

/** Raw descriptors for tests that hand an agent or a server something it must refuse, or a second copy of one. */
public final class TestDescriptors {

    /** {@code __NR_openat}. */
    private static final long SYS_OPENAT = 257;
    private static final int AT_FDCWD = -100;
    private static final int O_RDWR = 02;
    private static final int O_CLOEXEC = 02000000;
    /** {@code F_DUPFD_CLOEXEC}. */
    private static final int F_DUPFD_CLOEXEC = 1030;

    private TestDescriptors() {
    }

    /** {@code openat(AT_FDCWD, file, O_RDWR | O_CLOEXEC)}: a descriptor the caller closes, or {@code -errno}. */
    public static int open(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Linux.syscallErrno(SYS_OPENAT, AT_FDCWD, arena.allocateFrom(file.toString()).address(),
                    O_RDWR | O_CLOEXEC, 0, 0, 0);
        }
    }

    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: another descriptor of the same open file, which the caller closes. */
    public static int dup(int fd) {
        return (int) Linux.syscallErrno(SharedMemory.SYS_FCNTL, fd, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
    }
}
