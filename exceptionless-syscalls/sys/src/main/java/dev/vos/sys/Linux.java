package dev.vos.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The raw Linux system calls the ring needs, bound through FFM ({@code java.lang.foreign}).
 *
 * <p>One Java method per call, with the C prototype as its Javadoc. Every call goes through glibc's
 * {@code long syscall(long number, ...)}: one downcall handle serves them all. Two handles exist: one that
 * captures {@code errno} (for calls whose failure reason matters, such as {@code kill}) and one that does not
 * (for the hot path: {@code futex} wake and {@code getpid}, where errno is never looked at).
 *
 * <p>x86_64 only: the system call numbers below are those of {@code arch/x86/entry/syscalls/syscall_64.tbl}.
 */
public final class Linux {

    /** {@code __NR_getpid} on x86_64. */
    public static final long SYS_GETPID = 39;
    /** {@code __NR_kill} on x86_64. */
    public static final long SYS_KILL = 62;
    /** {@code __NR_setpriority} on x86_64. */
    public static final long SYS_SETPRIORITY = 141;
    /** {@code PRIO_PROCESS}: {@code setpriority}'s "who" is a thread id (the kernel's process is a thread). */
    public static final int PRIO_PROCESS = 0;
    /** {@code __NR_futex} on x86_64. */
    public static final long SYS_FUTEX = 202;
    /** {@code __NR_sched_setaffinity} on x86_64. */
    public static final long SYS_SCHED_SETAFFINITY = 203;
    /** {@code __NR_getppid} on x86_64. */
    public static final long SYS_GETPPID = 110;
    /** {@code __NR_gettid} on x86_64. */
    public static final long SYS_GETTID = 186;
    /** {@code __NR_close} on x86_64. */
    public static final long SYS_CLOSE = 3;
    /** {@code __NR_getuid} on x86_64. */
    public static final long SYS_GETUID = 102;
    /** {@code __NR_getgid} on x86_64. */
    public static final long SYS_GETGID = 104;
    /** {@code __NR_geteuid} on x86_64. */
    public static final long SYS_GETEUID = 107;
    /** {@code __NR_read} on x86_64. */
    public static final long SYS_READ = 0;
    /** {@code __NR_write} on x86_64. */
    public static final long SYS_WRITE = 1;
    /** {@code __NR_pipe2} on x86_64. */
    public static final long SYS_PIPE2 = 293;
    /** {@code __NR_fcntl} on x86_64. */
    public static final long SYS_FCNTL = 72;
    /** {@code F_DUPFD_CLOEXEC}: duplicate a descriptor, close-on-exec, at the lowest free number. */
    private static final int F_DUPFD_CLOEXEC = 1030;

    /** {@code O_CLOEXEC}: the descriptor is closed at {@code execve}, so no child inherits it by accident. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code FUTEX_WAIT}: shared (not private), because the word lives in a mapping shared between processes. */
    private static final long FUTEX_WAIT = 0;
    /** {@code FUTEX_WAKE}: shared, as above. */
    private static final long FUTEX_WAKE = 1;

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment SYSCALL_SYMBOL = LINKER.defaultLookup().find("syscall")
            .orElseThrow(() -> new UnsupportedOperationException(
                    "libc has no syscall(2) symbol: vos needs Linux/glibc"));

    /** {@code long syscall(long number, long a1, ..., long a6)}: variadic after the first argument. */
    private static final FunctionDescriptor SYSCALL6 = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private static final MethodHandle SYSCALL = LINKER.downcallHandle(SYSCALL_SYMBOL, SYSCALL6,
            Linker.Option.firstVariadicArg(1));

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL_ERRNO = LINKER.downcallHandle(SYSCALL_SYMBOL, SYSCALL6,
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /**
     * Where {@link #syscallErrno} has the downcall store errno: one segment per thread, made on its first call and
     * reused, so the call allocates nothing (a confined arena per call cost about 20 ns of the storage domain's
     * pread path, with a malloc and a free). Per thread, because the downcall writes it and the caller then reads
     * it: a thread, virtual ones included, owns its segment between the two, whatever carrier it runs on (a virtual
     * thread cannot unmount in the middle of a downcall). Auto arena: freed by the GC once the thread is gone.
     */
    private static final ThreadLocal<MemorySegment> CAPTURE_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private Linux() {
    }

    /**
     * {@code long syscall(long number, ...)}, without errno: returns the raw value (-1 on failure).
     * For calls on the hot path whose failure carries no information the caller acts on.
     */
    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL.invokeExact(number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /**
     * {@code long syscall(long number, ...)} in the kernel's own convention: the result when it is not
     * negative, {@code -errno} on failure.
     */
    public static long syscallErrno(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment state = CAPTURE_STATE.get();
        long r;
        try {
            r = (long) SYSCALL_ERRNO.invokeExact(state, number, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
        return r == -1 ? -(int) ERRNO.get(state, 0L) : r;
    }

    /** {@code pid_t getpid(void)}, through the raw system call (glibc does not cache it either). */
    public static int getpid() {
        return (int) syscall(SYS_GETPID, 0, 0, 0, 0, 0, 0);
    }

    /**
     * {@code pid_t getppid(void)}: the parent's pid; it changes when the parent dies and the process is re-parented.
     */
    public static int getppid() {
        return (int) syscall(SYS_GETPPID, 0, 0, 0, 0, 0, 0);
    }

    /** {@code pid_t gettid(void)}: the kernel's id of the calling platform thread (or a virtual thread's carrier). */
    public static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0, 0, 0, 0);
    }

    /** {@code uid_t getuid(void)}: the real user id of this process; never fails. */
    public static int getuid() {
        return (int) syscall(SYS_GETUID, 0, 0, 0, 0, 0, 0);
    }

    /** {@code uid_t geteuid(void)}: the effective user id, the one the kernel checks access with; never fails. */
    public static int geteuid() {
        return (int) syscall(SYS_GETEUID, 0, 0, 0, 0, 0, 0);
    }

    /** {@code gid_t getgid(void)}: the real group id of this process; never fails. */
    public static int getgid() {
        return (int) syscall(SYS_GETGID, 0, 0, 0, 0, 0, 0);
    }

    /**
     * {@code int close(int fd)}: 0, or {@code -errno}. The descriptor is gone either way (Linux releases it even when
     * close reports EINTR or EIO): never retry a close, and never close a number another thread may still use.
     */
    public static int close(int fd) {
        return (int) syscallErrno(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /**
     * {@code int pipe2(int pipefd[2], int flags)}: a new pipe, as {@code {readEnd, writeEnd}}; or {@code {-errno}}
     * (EMFILE, ENFILE) when none could be made.
     */
    public static int[] pipe2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(8, 4);
            int r = (int) syscallErrno(SYS_PIPE2, fds.address(), flags, 0, 0, 0, 0);
            if (r < 0) {
                return new int[] {r};
            }
            return new int[] {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
        }
    }

    /**
     * {@code ssize_t read(int fd, void *buf, size_t count)} into {@code buffer}: the bytes read (0 at end of file),
     * or {@code -errno}. Blocks the calling OS thread on a blocking descriptor.
     */
    public static long read(int fd, MemorySegment buffer) {
        return syscallErrno(SYS_READ, fd, buffer.address(), buffer.byteSize(), 0, 0, 0);
    }

    /**
     * {@code ssize_t write(int fd, const void *buf, size_t count)} from {@code buffer}: the bytes written, or
     * {@code -errno} (EPIPE when no reader is left: the JVM ignores SIGPIPE, so it is never raised).
     */
    public static long write(int fd, MemorySegment buffer) {
        return syscallErrno(SYS_WRITE, fd, buffer.address(), buffer.byteSize(), 0, 0, 0);
    }

    /** {@code int fcntl(int fd, F_DUPFD_CLOEXEC, 0)}: a second descriptor of the same open file, or {@code -errno}. */
    public static int dupCloexec(int fd) {
        return (int) syscallErrno(SYS_FCNTL, fd, F_DUPFD_CLOEXEC, 0, 0, 0, 0);
    }

    /** {@code int kill(pid_t pid, int sig)}: 0, or {@code -errno} (ESRCH when there is no such process). */
    public static int kill(long pid, int signal) {
        return (int) syscallErrno(SYS_KILL, pid, signal, 0, 0, 0, 0);
    }

    /**
     * {@code setpriority(PRIO_PROCESS, tid, niceness)}: sets the nice value of one thread ({@code tid}; the threads
     * it starts afterwards inherit it). Returns 0, or a negative errno (EPERM to raise it without CAP_SYS_NICE).
     */
    public static int setpriority(long tid, int niceness) {
        return (int) syscallErrno(SYS_SETPRIORITY, PRIO_PROCESS, tid, niceness, 0, 0, 0);
    }

    /**
     * {@code futex(uaddr, FUTEX_WAIT, expected, timeout)}: sleeps while the 32-bit word at {@code address} still
     * holds {@code expected}, for at most {@code timeoutNs}. Returns when woken, on timeout, on a signal, or at
     * once if the word differs: callers always re-check their condition, so the outcome is not reported.
     * Blocks the calling OS thread: never call it from a virtual thread.
     */
    public static void futexWait(long address, int expected, long timeoutNs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(JAVA_LONG, 0, timeoutNs / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, timeoutNs % 1_000_000_000L);
            syscall(SYS_FUTEX, address, FUTEX_WAIT, expected, timespec.address(), 0, 0);
        }
    }

    /** {@code futex(uaddr, FUTEX_WAKE, count)}: wakes up to {@code count} waiters; returns how many woke. */
    public static int futexWake(long address, int count) {
        return (int) syscall(SYS_FUTEX, address, FUTEX_WAKE, count, 0, 0, 0);
    }

    /**
     * {@code sched_setaffinity(0, sizeof mask, &mask)} for the calling thread: pins it to one CPU.
     * Returns 0 or {@code -errno} (EINVAL when the CPU does not exist or is not allowed).
     */
    public static int pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= 1024) {
            return -Errno.EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128, 8);
            mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            return (int) syscallErrno(SYS_SCHED_SETAFFINITY, 0, mask.byteSize(), mask.address(), 0, 0, 0);
        }
    }
}
