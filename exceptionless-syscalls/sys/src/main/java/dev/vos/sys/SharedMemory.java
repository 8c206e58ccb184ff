package dev.vos.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Anonymous shared memory through {@link Linux#syscallErrno}: a {@code memfd} that no path names, sealed so that its
 * size cannot change, and mapped shared. Ring segments handed to a domain agent are made this way: only a process
 * that was given the descriptor can map them, and the server that maps one can rely on its size, so it never faults
 * on a page a client cut off.
 *
 * <p>One Java method per call, its C prototype in the Javadoc, the result in the kernel's convention (a value that is
 * not negative, or {@code -errno}). x86_64 only: numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl},
 * structures from {@code <asm/stat.h>} and {@code <asm-generic/statfs.h>} for that ABI.
 */
public final class SharedMemory {

    /** {@code __NR_fstat}. */
    public static final long SYS_FSTAT = 5;
    /** {@code __NR_mmap}. */
    public static final long SYS_MMAP = 9;
    /** {@code __NR_munmap}. */
    public static final long SYS_MUNMAP = 11;
    /** {@code __NR_fcntl}. */
    public static final long SYS_FCNTL = 72;
    /** {@code __NR_ftruncate}. */
    public static final long SYS_FTRUNCATE = 77;
    /** {@code __NR_fstatfs}. */
    public static final long SYS_FSTATFS = 138;
    /** {@code __NR_memfd_create}. */
    public static final long SYS_MEMFD_CREATE = 319;

    /** {@code MFD_CLOEXEC}. */
    public static final int MFD_CLOEXEC = 0x1;
    /** {@code MFD_ALLOW_SEALING}: without it the file is born with F_SEAL_SEAL and can never be sealed. */
    public static final int MFD_ALLOW_SEALING = 0x2;
    /** {@code F_ADD_SEALS} ({@code F_LINUX_SPECIFIC_BASE + 9}). */
    public static final int F_ADD_SEALS = 1033;
    /** {@code F_GET_SEALS}: the seals of a memfd; EINVAL for a file that is not one (or not on shmem). */
    public static final int F_GET_SEALS = 1034;
    /** {@code F_SEAL_SEAL}: no seal can be added or removed any more. */
    public static final int F_SEAL_SEAL = 0x1;
    /** {@code F_SEAL_SHRINK}: the file cannot get smaller (ftruncate down fails with EPERM). */
    public static final int F_SEAL_SHRINK = 0x2;
    /** {@code F_SEAL_GROW}: the file cannot get larger. */
    public static final int F_SEAL_GROW = 0x4;
    /** What a ring segment carries: a fixed size, for good. */
    public static final int SEALED_SIZE = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

    /** {@code PROT_READ}. */
    private static final int PROT_READ = 0x1;
    /** {@code PROT_READ | PROT_WRITE}. */
    private static final int PROT_READ_WRITE = 0x3;
    /** {@code MAP_SHARED}. */
    private static final int MAP_SHARED = 0x1;

    // struct stat on x86_64 (144 bytes): the fields read here
    public static final long STAT_SIZE = 144;
    public static final long STAT_MODE_OFFSET = 24;
    public static final long STAT_UID_OFFSET = 28;
    public static final long STAT_SIZE_OFFSET = 48;
    /** {@code S_IFMT} and {@code S_IFREG} of {@code st_mode}. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFREG = 0100000;
    // struct statfs on x86_64 (120 bytes): f_type first
    public static final long STATFS_SIZE = 120;
    /** {@code TMPFS_MAGIC}: shmem, where a memfd without MFD_HUGETLB lives. */
    public static final long TMPFS_MAGIC = 0x01021994L;

    private SharedMemory() {
    }

    /**
     * {@code int memfd_create(const char *name, unsigned int flags)}: a new descriptor, or {@code -errno}. The name
     * is only a label ({@code /proc/PID/fd} shows {@code memfd:NAME}); no path leads to the file.
     */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment label = arena.allocate(bytes.length + 1L);
            MemorySegment.copy(bytes, 0, label, JAVA_BYTE, 0, bytes.length);
            return (int) Linux.syscallErrno(SYS_MEMFD_CREATE, label.address(), flags, 0, 0, 0, 0);
        }
    }

    /** {@code int ftruncate(int fd, off_t length)}: 0, or {@code -errno} (EPERM on a memfd sealed against it). */
    public static int ftruncate(int fd, long length) {
        return (int) Linux.syscallErrno(SYS_FTRUNCATE, fd, length, 0, 0, 0, 0);
    }

    /** {@code int fcntl(int fd, F_ADD_SEALS, int seals)}: 0, or {@code -errno}. */
    public static int addSeals(int fd, int seals) {
        return (int) Linux.syscallErrno(SYS_FCNTL, fd, F_ADD_SEALS, seals, 0, 0, 0);
    }

    /** {@code int fcntl(int fd, F_GET_SEALS)}: the seals, or {@code -errno} (EINVAL: not a sealable file). */
    public static int seals(int fd) {
        return (int) Linux.syscallErrno(SYS_FCNTL, fd, F_GET_SEALS, 0, 0, 0, 0);
    }

    /** {@code int fstat(int fd, struct stat *st)} into {@code stat} ({@link #STAT_SIZE} bytes): 0 or {@code -errno}. */
    public static int fstat(int fd, MemorySegment stat) {
        return (int) Linux.syscallErrno(SYS_FSTAT, fd, stat.address(), 0, 0, 0, 0);
    }

    /** {@code int fstatfs(int fd, struct statfs *st)}: the file system's {@code f_type}, or {@code -errno}. */
    public static long fileSystemType(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment statfs = arena.allocate(STATFS_SIZE, 8);
            long r = Linux.syscallErrno(SYS_FSTATFS, fd, statfs.address(), 0, 0, 0, 0);
            return r < 0 ? r : statfs.get(JAVA_LONG, 0);
        }
    }

    /**
     * {@code void *mmap(NULL, size_t length, PROT_READ | PROT_WRITE, MAP_SHARED, int fd, 0)}: the address of the
     * mapping, or {@code -errno} (user addresses on x86_64 are below 2^47: a negative answer is always an errno).
     * Hand the address to {@link #adopt} at once, so that it is unmapped with an arena.
     */
    public static long mmapShared(int fd, long length) {
        return Linux.syscallErrno(SYS_MMAP, 0, length, PROT_READ_WRITE, MAP_SHARED, fd, 0);
    }

    /**
     * {@code void *mmap(NULL, size_t length, PROT_READ, MAP_SHARED, int fd, 0)}: a read-only view of a file's page
     * cache, or {@code -errno}. It shares the pages a pread would copy from, so a write through any descriptor of the
     * file is seen at once; a page wholly past the file's end has nothing behind it, and touching it raises SIGBUS
     * (see {@link #faultFence}). Hand the address to {@link #adopt} at once.
     */
    public static long mmapReadOnly(int fd, long length) {
        return Linux.syscallErrno(SYS_MMAP, 0, length, PROT_READ, MAP_SHARED, fd, 0);
    }

    /**
     * Where a fault of an earlier copy out of a mapping surfaces, inside the caller's {@code try}. The JVM turns a
     * SIGBUS in an unsafe copy into an {@link InternalError} delivered asynchronously: at the thread's next safepoint
     * poll, which for a compiled 4 KiB {@code MemorySegment.copy} came after the method that copied had returned
     * (measured on JDK 25: 158 of 200 faults escaped a {@code catch} around the copy alone). Returning from a
     * downcall is such a poll, so a copy followed by this call throws its fault here, never later. The downcall is
     * {@code abs(3)} from libc: no system call, a few ns of thread-state transition.
     */
    public static void faultFence() {
        try {
            int unused = (int) ABS.invokeExact(0);
        } catch (InternalError e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("abs downcall failed", t);
        }
    }

    private static final MethodHandle ABS = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("abs")
                    .orElseThrow(() -> new UnsupportedOperationException("libc has no abs(3)")),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /**
     * The mapping at {@code address} of {@code length} bytes (from {@link #mmapShared}) as a segment of {@code arena}:
     * closing the arena unmaps it ({@code munmap}), once no thread is inside an access, and any later access throws
     * {@link IllegalStateException} instead of touching unmapped memory.
     */
    public static MemorySegment adopt(long address, long length, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(length, arena, mapped -> munmap(address, length));
    }

    /** {@code int munmap(void *address, size_t length)}: 0, or {@code -errno}. */
    public static int munmap(long address, long length) {
        return (int) Linux.syscallErrno(SYS_MUNMAP, address, length, 0, 0, 0, 0);
    }

    /** {@code st_mode} of {@code stat}, as {@link #fstat} filled it. */
    public static int mode(MemorySegment stat) {
        return stat.get(JAVA_INT, STAT_MODE_OFFSET);
    }

    /** {@code st_size} of {@code stat}, as {@link #fstat} filled it. */
    public static long size(MemorySegment stat) {
        return stat.get(JAVA_LONG, STAT_SIZE_OFFSET);
    }
}
