package dev.vos.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Unix-domain stream sockets through {@link Linux#syscallErrno}: what the JDK's {@code SocketChannel} cannot do,
 * which is to pass a descriptor ({@code SCM_RIGHTS}) and to ask who the peer is ({@code SO_PEERCRED}).
 *
 * <p>One Java method per call, its C prototype in the Javadoc, the result in the kernel's convention (a value that is
 * not negative, or {@code -errno}). Every descriptor made here is close-on-exec. Blocking calls ({@code accept4},
 * {@code connect}, {@code recvmsg}, {@code sendmsg}) block the calling OS thread: call them from platform threads
 * only (a virtual thread would pin its carrier for as long as the peer makes it wait). A thread blocked in one of
 * them is woken by {@link #shutdown} of the socket from another thread, never by closing it: the number could be
 * reused by then, and a blocked {@code recvmsg} does not return when its descriptor is closed.
 *
 * <p>x86_64 only: numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl}, structures from glibc's
 * {@code <sys/socket.h>}, {@code <sys/un.h>} and {@code <bits/types/struct_timeval.h>} for that ABI.
 */
public final class UnixSockets {

    /** {@code __NR_socket}. */
    public static final long SYS_SOCKET = 41;
    /** {@code __NR_connect}. */
    public static final long SYS_CONNECT = 42;
    /** {@code __NR_sendmsg}. */
    public static final long SYS_SENDMSG = 46;
    /** {@code __NR_recvmsg}. */
    public static final long SYS_RECVMSG = 47;
    /** {@code __NR_shutdown}. */
    public static final long SYS_SHUTDOWN = 48;
    /** {@code __NR_bind}. */
    public static final long SYS_BIND = 49;
    /** {@code __NR_listen}. */
    public static final long SYS_LISTEN = 50;
    /** {@code __NR_setsockopt}. */
    public static final long SYS_SETSOCKOPT = 54;
    /** {@code __NR_getsockopt}. */
    public static final long SYS_GETSOCKOPT = 55;
    /** {@code __NR_accept4}. */
    public static final long SYS_ACCEPT4 = 288;

    /** {@code AF_UNIX}. */
    public static final int AF_UNIX = 1;
    /** {@code SOCK_STREAM}. */
    public static final int SOCK_STREAM = 1;
    /** {@code SOCK_CLOEXEC}: for {@code socket} and {@code accept4}. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** {@code SOL_SOCKET}. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_PEERCRED}: a {@code struct ucred} of the peer, as it was when it connected. */
    public static final int SO_PEERCRED = 17;
    /** {@code SO_RCVTIMEO}: a {@code struct timeval}; a receive that waits longer fails with EAGAIN. */
    public static final int SO_RCVTIMEO = 20;
    /** {@code SO_SNDTIMEO}: as SO_RCVTIMEO for sends, and (Unix sockets) for a {@code connect} that must wait. */
    public static final int SO_SNDTIMEO = 21;
    /** {@code SO_PEERGROUPS} (Linux 4.13): the peer's supplementary groups, {@code gid_t[]}; ERANGE if too small. */
    public static final int SO_PEERGROUPS = 59;
    /** {@code SCM_RIGHTS}: the control message that carries descriptors. */
    public static final int SCM_RIGHTS = 1;
    /** {@code SHUT_RDWR}: ends both directions; wakes a thread blocked on the socket with end-of-file. */
    public static final int SHUT_RDWR = 2;
    /** {@code MSG_CTRUNC}, in {@code msg_flags}: control data did not fit; the kernel closed what it dropped. */
    public static final int MSG_CTRUNC = 0x8;
    /** {@code MSG_DONTWAIT}: this one call does not block. */
    public static final int MSG_DONTWAIT = 0x40;
    /** {@code MSG_NOSIGNAL}: a send to a peer that left fails with EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** {@code MSG_CMSG_CLOEXEC}: descriptors received are close-on-exec from the start. */
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** {@code struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }}. */
    public static final long SOCKADDR_UN_SIZE = 110;
    /** Offset of {@code sun_path}. */
    public static final long SUN_PATH_OFFSET = 2;
    /** Longest socket path in bytes, without its terminating NUL. */
    public static final int MAX_PATH_BYTES = 107;

    // struct msghdr (56 bytes): void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen;
    // void *msg_control; size_t msg_controllen; int msg_flags
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV_OFFSET = 16;
    private static final long MSG_IOVLEN_OFFSET = 24;
    private static final long MSG_CONTROL_OFFSET = 32;
    private static final long MSG_CONTROLLEN_OFFSET = 40;
    private static final long MSG_FLAGS_OFFSET = 48;
    // struct iovec { void *iov_base; size_t iov_len; }
    private static final long IOVEC_SIZE = 16;
    // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data, 8-byte aligned
    private static final long CMSG_HEADER = 16;

    /** {@code struct ucred { pid_t pid; uid_t uid; gid_t gid; }}. */
    public static final long UCRED_SIZE = 12;
    public static final long UCRED_PID_OFFSET = 0;
    public static final long UCRED_UID_OFFSET = 4;
    public static final long UCRED_GID_OFFSET = 8;

    private UnixSockets() {
    }

    /**
     * What one {@link #receive} got.
     *
     * @param result      bytes received (0: the peer closed its end), or {@code -errno}
     * @param flags       the answer's {@code msg_flags} ({@link #MSG_CTRUNC})
     * @param descriptors descriptors that came with the bytes, now the caller's to close
     */
    public record Received(long result, int flags, int[] descriptors) {
    }

    /** {@code int socket(int domain, int type, int protocol)}: a new descriptor, or {@code -errno}. */
    public static int socket(int domain, int type, int protocol) {
        return (int) Linux.syscallErrno(SYS_SOCKET, domain, type, protocol, 0, 0, 0);
    }

    /**
     * {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)} with a {@code sockaddr_un} for
     * {@code path}: 0, or {@code -errno} (ENAMETOOLONG for a path longer than {@value #MAX_PATH_BYTES} bytes).
     */
    public static int bind(int fd, String path) {
        return withAddress(SYS_BIND, fd, path);
    }

    /** {@code int listen(int fd, int backlog)}: 0, or {@code -errno}. */
    public static int listen(int fd, int backlog) {
        return (int) Linux.syscallErrno(SYS_LISTEN, fd, backlog, 0, 0, 0, 0);
    }

    /**
     * {@code int accept4(int fd, NULL, NULL, int flags)}: the connection's descriptor, or {@code -errno}. Blocks
     * until a peer connects; {@link #shutdown} of the listening socket ends the wait with EINVAL.
     */
    public static int accept4(int fd, int flags) {
        return (int) Linux.syscallErrno(SYS_ACCEPT4, fd, 0, 0, flags, 0, 0);
    }

    /**
     * {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)} to the socket at {@code path}: 0, or
     * {@code -errno} (ENOENT: nothing there; ECONNREFUSED: nobody listens; EAGAIN: the listener's backlog stayed
     * full for the SO_SNDTIMEO timeout).
     */
    public static int connect(int fd, String path) {
        return withAddress(SYS_CONNECT, fd, path);
    }

    /** {@code call(fd, &sockaddr_un, sizeof sockaddr_un)} for {@code bind} or {@code connect}. */
    private static int withAddress(long call, int fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = unixAddress(arena, path);
            if (address == null) {
                return -Errno.ENAMETOOLONG;
            }
            return (int) Linux.syscallErrno(call, fd, address.address(), address.byteSize(), 0, 0, 0);
        }
    }

    /** {@code int shutdown(int fd, int how)}: 0, or {@code -errno}. */
    public static int shutdown(int fd, int how) {
        return (int) Linux.syscallErrno(SYS_SHUTDOWN, fd, how, 0, 0, 0, 0);
    }

    /**
     * {@code int setsockopt(int fd, SOL_SOCKET, int option, const struct timeval *value, sizeof value)} for
     * {@link #SO_RCVTIMEO} or {@link #SO_SNDTIMEO}: 0, or {@code -errno}. {@code timeoutNs} 0 waits forever; a
     * positive value below a microsecond is rounded up to one (0 would mean forever).
     */
    public static int setTimeout(int fd, int option, long timeoutNs) {
        long us = timeoutNs <= 0 ? 0 : Math.max(1, timeoutNs / 1_000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16, 8);
            timeval.set(JAVA_LONG, 0, us / 1_000_000);
            timeval.set(JAVA_LONG, 8, us % 1_000_000);
            return (int) Linux.syscallErrno(SYS_SETSOCKOPT, fd, SOL_SOCKET, option, timeval.address(), 16, 0);
        }
    }

    /**
     * {@code int getsockopt(int fd, int level, int option, void *value, socklen_t *length)} into {@code value}: the
     * length the kernel wrote (or, with ERANGE for {@link #SO_PEERGROUPS}, needs: see {@link #peerGroups}), or
     * {@code -errno}.
     */
    public static long getsockopt(int fd, int level, int option, MemorySegment value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) value.byteSize());
            long r = Linux.syscallErrno(SYS_GETSOCKOPT, fd, level, option, value.address(), length.address(), 0);
            return r < 0 ? r : length.get(JAVA_INT, 0);
        }
    }

    /**
     * {@code getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, ...)}: the peer's supplementary groups, asked again with the
     * size the kernel says it needs when the first buffer is too small; {@code null} when the call fails.
     */
    public static int[] peerGroups(int fd) {
        long bytes = 64 * 4;
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment groups = arena.allocate(bytes, 4);
                MemorySegment length = arena.allocate(JAVA_INT);
                length.set(JAVA_INT, 0, (int) bytes);
                long r = Linux.syscallErrno(SYS_GETSOCKOPT, fd, SOL_SOCKET, SO_PEERGROUPS, groups.address(),
                        length.address(), 0);
                if (r == -Errno.ERANGE) {
                    bytes = Math.max(bytes, length.get(JAVA_INT, 0));
                    continue;
                }
                if (r < 0) {
                    return null;
                }
                return groups.asSlice(0, length.get(JAVA_INT, 0)).toArray(JAVA_INT);
            }
        }
        return null;
    }

    /**
     * {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)} of {@code data}, with {@code descriptor}
     * as an {@code SCM_RIGHTS} control message when it is not negative: bytes sent, or {@code -errno}. The kernel
     * attaches the descriptor to the first byte; the receiver gets its own descriptor for the same open file.
     */
    public static long send(int fd, MemorySegment data, int descriptor, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = message(arena, data);
            if (descriptor >= 0) {
                MemorySegment control = arena.allocate(controlBytes(1), 8);
                control.set(JAVA_LONG, 0, CMSG_HEADER + 4);
                control.set(JAVA_INT, 8, SOL_SOCKET);
                control.set(JAVA_INT, 12, SCM_RIGHTS);
                control.set(JAVA_INT, CMSG_HEADER, descriptor);
                message.set(JAVA_LONG, MSG_CONTROL_OFFSET, control.address());
                message.set(JAVA_LONG, MSG_CONTROLLEN_OFFSET, control.byteSize());
            }
            return Linux.syscallErrno(SYS_SENDMSG, fd, message.address(), 0, flags | MSG_NOSIGNAL, 0, 0);
        }
    }

    /**
     * {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)} into {@code data}, with room for
     * {@code maxDescriptors} passed descriptors (received close-on-exec). The caller owns every descriptor in the
     * answer and must close those it does not keep; when more arrived than fit, {@code MSG_CTRUNC} is in the flags
     * and the kernel has closed the rest.
     */
    public static Received receive(int fd, MemorySegment data, int maxDescriptors, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = message(arena, data);
            MemorySegment control = arena.allocate(controlBytes(Math.max(1, maxDescriptors)), 8);
            message.set(JAVA_LONG, MSG_CONTROL_OFFSET, control.address());
            message.set(JAVA_LONG, MSG_CONTROLLEN_OFFSET, control.byteSize());
            long r = Linux.syscallErrno(SYS_RECVMSG, fd, message.address(), flags | MSG_CMSG_CLOEXEC, 0, 0, 0);
            if (r < 0) {
                return new Received(r, 0, new int[0]);
            }
            int msgFlags = message.get(JAVA_INT, MSG_FLAGS_OFFSET);
            return new Received(r, msgFlags, descriptors(control, message.get(JAVA_LONG, MSG_CONTROLLEN_OFFSET)));
        }
    }

    /** A {@code struct msghdr} whose one {@code iovec} is {@code data}, without control data yet. */
    private static MemorySegment message(Arena arena, MemorySegment data) {
        MemorySegment message = arena.allocate(MSGHDR_SIZE, 8);
        MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
        iov.set(JAVA_LONG, 0, data.address());
        iov.set(JAVA_LONG, 8, data.byteSize());
        message.set(JAVA_LONG, MSG_IOV_OFFSET, iov.address());
        message.set(JAVA_LONG, MSG_IOVLEN_OFFSET, 1);
        return message;
    }

    /** The descriptors of every SCM_RIGHTS message in the first {@code length} bytes of {@code control}. */
    private static int[] descriptors(MemorySegment control, long length) {
        int[] found = new int[0];
        long at = 0;
        while (at + CMSG_HEADER <= length) {
            long cmsgLength = control.get(JAVA_LONG, at);
            if (cmsgLength < CMSG_HEADER || at + cmsgLength > length) {
                break;
            }
            if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_RIGHTS) {
                int count = (int) ((cmsgLength - CMSG_HEADER) / 4);
                int[] more = new int[found.length + count];
                System.arraycopy(found, 0, more, 0, found.length);
                for (int i = 0; i < count; i++) {
                    more[found.length + i] = control.get(JAVA_INT, at + CMSG_HEADER + 4L * i);
                }
                found = more;
            }
            at += (cmsgLength + 7) & -8L;
        }
        return found;
    }

    /** {@code CMSG_SPACE(descriptors * sizeof(int))}. */
    private static long controlBytes(int descriptors) {
        return CMSG_HEADER + ((4L * descriptors + 7) & -8L);
    }

    /** A {@code sockaddr_un} for {@code path}, or {@code null} if the path does not fit. */
    private static MemorySegment unixAddress(Arena arena, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH_BYTES) {
            return null;
        }
        MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE, 8);
        address.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH_OFFSET, bytes.length);
        return address;
    }
}
