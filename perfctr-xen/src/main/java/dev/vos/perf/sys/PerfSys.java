package dev.vos.perf.sys;

import dev.vos.sys.Linux;

import java.lang.foreign.MemorySegment;

/**
 * The system calls the collector makes, one Java method per call with its C prototype, all through
 * {@link Linux#syscall}: {@code perf_event_open}, {@code read}, {@code ioctl}, {@code close}, {@code mmap},
 * {@code munmap}. Results follow the kernel's convention: a value that is not negative, or {@code -errno}.
 * x86_64 numbers ({@code arch/x86/entry/syscalls/syscall_64.tbl}).
 */
public final class PerfSys {

    /** {@code __NR_read}. */
    static final long SYS_READ = 0;
    /** {@code __NR_close}. */
    static final long SYS_CLOSE = 3;
    /** {@code __NR_mmap}. */
    static final long SYS_MMAP = 9;
    /** {@code __NR_munmap}. */
    static final long SYS_MUNMAP = 11;
    /** {@code __NR_ioctl}. */
    static final long SYS_IOCTL = 16;
    /** {@code __NR_perf_event_open}. */
    static final long SYS_PERF_EVENT_OPEN = 298;

    /** {@code PERF_FLAG_FD_CLOEXEC}: a child the collector's JVM starts must not inherit thousands of counters. */
    public static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    /** {@code PERF_EVENT_IOC_ENABLE} = {@code _IO('$', 0)}. */
    public static final long IOC_ENABLE = 0x2400;
    /** {@code PERF_EVENT_IOC_DISABLE} = {@code _IO('$', 1)}. */
    public static final long IOC_DISABLE = 0x2401;
    /** {@code PERF_EVENT_IOC_SET_OUTPUT} = {@code _IO('$', 5)}: send this event's records to another's ring. */
    public static final long IOC_SET_OUTPUT = 0x2405;
    /** {@code PERF_EVENT_IOC_ID} = {@code _IOR('$', 7, __u64 *)}: the id the kernel gave the event. */
    public static final long IOC_ID = 0x80082407L;
    /** {@code PERF_IOC_FLAG_GROUP}: apply the ioctl to every member of the leader's group. */
    public static final long IOC_FLAG_GROUP = 1;

    private static final long PROT_READ = 1;
    private static final long PROT_WRITE = 2;
    private static final long MAP_SHARED = 1;

    private PerfSys() {
    }

    /**
     * {@code int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
     * unsigned long flags)}.
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        return (int) Linux.syscallErrno(SYS_PERF_EVENT_OPEN, attr.address(), pid, cpu, groupFd, flags, 0);
    }

    /**
     * {@code ssize_t read(int fd, void *buf, size_t count)}, without errno: the hot path of the collector, where a
     * failure only ever means the counter is gone. Returns bytes read, or -1.
     */
    public static long read(int fd, MemorySegment buffer, long count) {
        if (count > buffer.byteSize()) {
            throw new IllegalArgumentException("count=" + count + " exceeds buffer=" + buffer.byteSize());
        }
        return Linux.syscall(SYS_READ, fd, buffer.address(), count, 0, 0, 0);
    }

    /** {@code int ioctl(int fd, unsigned long request, unsigned long arg)}. */
    public static int ioctl(int fd, long request, long arg) {
        return (int) Linux.syscallErrno(SYS_IOCTL, fd, request, arg, 0, 0, 0);
    }

    /** {@code int close(int fd)}. */
    public static int close(int fd) {
        return (int) Linux.syscall(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /**
     * {@code void *mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)}: the ring of a sampling event.
     * Writable because the reader publishes {@code data_tail} in it. Returns the address, or {@code -errno}.
     */
    public static long mmapShared(int fd, long length) {
        return Linux.syscallErrno(SYS_MMAP, 0, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }

    /** {@code int munmap(void *addr, size_t length)}. */
    public static int munmap(long address, long length) {
        return (int) Linux.syscall(SYS_MUNMAP, address, length, 0, 0, 0, 0);
    }
}
