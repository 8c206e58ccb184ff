package dev.vos.ring.transport.xen;

import dev.vos.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The system calls the Xen transport makes on its three devices and its eventfd, through the raw {@code syscall}
 * (x86_64 numbers), each returning what the kernel returns: the result, or {@code -errno}. Nothing here is on the
 * ring's hot path: a side reaches these only to sleep, to ring a sleeping peer, or to set a ring up.
 */
final class DeviceCalls {

    static final long SYS_POLL = 7;
    static final long SYS_MMAP = 9;
    static final long SYS_IOCTL = 16;
    static final long SYS_OPENAT = 257;
    static final long SYS_EVENTFD2 = 290;

    /** {@code AT_FDCWD}: a path relative to the working directory (the device paths are absolute). */
    static final int AT_FDCWD = -100;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;
    static final int PROT_READ_WRITE = 0x3;
    static final int MAP_SHARED = 0x1;
    /** {@code POLLIN} of {@code struct pollfd.events}. */
    static final short POLLIN = 0x1;

    /**
     * {@code struct pollfd} (asm-generic/poll.h): fd int @0, events short @4, revents short @6; 8 bytes.
     */
    static final long POLLFD_BYTES = 8;
    static final long POLLFD_FD_OFFSET = 0;
    static final long POLLFD_EVENTS_OFFSET = 4;
    static final long POLLFD_REVENTS_OFFSET = 6;

    private DeviceCalls() {
    }

    /** {@code openat(AT_FDCWD, path, O_RDWR | O_CLOEXEC | extra)}: a descriptor, or {@code -errno}. */
    static int open(String path, int extraFlags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path);
            return (int) Linux.syscallErrno(SYS_OPENAT, AT_FDCWD, name.address(), O_RDWR | O_CLOEXEC | extraFlags,
                    0, 0, 0);
        }
    }

    /** {@code ioctl(fd, request, arg)}: the result, or {@code -errno}. */
    static long ioctl(int fd, int request, MemorySegment arg) {
        return Linux.syscallErrno(SYS_IOCTL, fd, Integer.toUnsignedLong(request), arg.address(), 0, 0, 0);
    }

    /**
     * {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)}: the address, or {@code -errno} (user
     * addresses on x86_64 are below 2^47).
     */
    static long mmapShared(int fd, long length, long offset) {
        return Linux.syscallErrno(SYS_MMAP, 0, length, PROT_READ_WRITE, MAP_SHARED, fd, offset);
    }

    /** {@code eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK)}: a descriptor, or {@code -errno}. */
    static int eventfd() {
        return (int) Linux.syscallErrno(SYS_EVENTFD2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0, 0, 0, 0);
    }

    /**
     * {@code poll} on {@code count} {@code struct pollfd} at {@code fds} for {@code timeoutMs}: how many are ready,
     * 0 on timeout, or {@code -errno}.
     */
    static int poll(MemorySegment fds, int count, int timeoutMs) {
        return (int) Linux.syscallErrno(SYS_POLL, fds.address(), count, timeoutMs, 0, 0, 0);
    }

    /** Fills {@code struct pollfd} number {@code i} of {@code fds} to wait for {@code fd} to be readable. */
    static void pollIn(MemorySegment fds, int i, int fd) {
        long at = i * POLLFD_BYTES;
        fds.set(ValueLayout.JAVA_INT, at + POLLFD_FD_OFFSET, fd);
        fds.set(ValueLayout.JAVA_SHORT, at + POLLFD_EVENTS_OFFSET, POLLIN);
        fds.set(ValueLayout.JAVA_SHORT, at + POLLFD_REVENTS_OFFSET, (short) 0);
    }
}
