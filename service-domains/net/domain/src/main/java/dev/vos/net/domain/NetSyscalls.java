package dev.vos.net.domain;

import dev.vos.sys.Linux;

/**
 * The Linux system calls the network domain executes, bound through {@link Linux#syscallErrno}: one Java method
 * per call, its C prototype in the Javadoc, the result in the kernel's convention (a value that is not negative, or
 * {@code -errno}). Pointers are addresses of memory the caller owns: the domain's own scratch memory for socket
 * addresses and option values (copied out of the shared payload and checked first), the payload itself only for
 * the bytes of sendto and recvfrom, which the kernel copies once.
 *
 * <p>x86_64 only: numbers from {@code arch/x86/entry/syscalls/syscall_64.tbl}, constants from the uapi headers.
 */
final class NetSyscalls {

    /** {@code __NR_read}. */
    static final long SYS_READ = 0;
    /** {@code __NR_write}. */
    static final long SYS_WRITE = 1;
    /** {@code __NR_close}. */
    static final long SYS_CLOSE = 3;
    /** {@code __NR_fstat}. */
    static final long SYS_FSTAT = 5;
    /** {@code __NR_poll}. */
    static final long SYS_POLL = 7;
    /** {@code __NR_ioctl}. */
    static final long SYS_IOCTL = 16;
    /** {@code __NR_socket}. */
    static final long SYS_SOCKET = 41;
    /** {@code __NR_connect}. */
    static final long SYS_CONNECT = 42;
    /** {@code __NR_sendto}. */
    static final long SYS_SENDTO = 44;
    /** {@code __NR_recvfrom}. */
    static final long SYS_RECVFROM = 45;
    /** {@code __NR_shutdown}. */
    static final long SYS_SHUTDOWN = 48;
    /** {@code __NR_bind}. */
    static final long SYS_BIND = 49;
    /** {@code __NR_listen}. */
    static final long SYS_LISTEN = 50;
    /** {@code __NR_getsockname}. */
    static final long SYS_GETSOCKNAME = 51;
    /** {@code __NR_getpeername}. */
    static final long SYS_GETPEERNAME = 52;
    /** {@code __NR_setsockopt}. */
    static final long SYS_SETSOCKOPT = 54;
    /** {@code __NR_getsockopt}. */
    static final long SYS_GETSOCKOPT = 55;
    /** {@code __NR_chmod}. */
    static final long SYS_CHMOD = 90;
    /** {@code __NR_unlink}. */
    static final long SYS_UNLINK = 87;
    /** {@code __NR_epoll_wait}. */
    static final long SYS_EPOLL_WAIT = 232;
    /** {@code __NR_epoll_ctl}. */
    static final long SYS_EPOLL_CTL = 233;
    /** {@code __NR_openat}. */
    static final long SYS_OPENAT = 257;
    /** {@code __NR_accept4}. */
    static final long SYS_ACCEPT4 = 288;
    /** {@code __NR_eventfd2}. */
    static final long SYS_EVENTFD2 = 290;
    /** {@code __NR_epoll_create1}. */
    static final long SYS_EPOLL_CREATE1 = 291;

    /** {@code AT_FDCWD}: a path relative to the working directory; the domain passes absolute paths only. */
    static final int AT_FDCWD = -100;
    /** {@code O_PATH}: a descriptor that names a file without opening it for reading or writing. */
    static final int O_PATH = 010000000;
    /** {@code O_NOFOLLOW}: a symbolic link as the last component is ELOOP, not followed. */
    static final int O_NOFOLLOW = 0400000;
    /** {@code O_CLOEXEC}. */
    static final int O_CLOEXEC = 02000000;
    /** {@code sizeof(struct stat)} on x86_64. */
    static final int STAT_BYTES = 144;
    /** Offset of {@code st_dev} (u64) in x86_64's {@code struct stat}. */
    static final int STAT_DEV_OFFSET = 0;
    /** Offset of {@code st_ino} (u64) in x86_64's {@code struct stat}. */
    static final int STAT_INO_OFFSET = 8;
    /** Offset of {@code st_mode} (u32) in x86_64's {@code struct stat}. */
    static final int STAT_MODE_OFFSET = 24;
    /** {@code S_IFMT}: the file type bits of {@code st_mode}. */
    static final int S_IFMT = 0170000;
    /** {@code S_IFSOCK}: a socket. */
    static final int S_IFSOCK = 0140000;

    /** {@code SOCK_NONBLOCK}: every socket of the domain is non-blocking, so no call holds a worker. */
    static final int SOCK_NONBLOCK = 04000;
    /** {@code SOCK_CLOEXEC}. */
    static final int SOCK_CLOEXEC = 02000000;
    /** {@code MSG_PEEK}. */
    static final int MSG_PEEK = 0x2;
    /** {@code MSG_OOB}: TCP urgent data. */
    static final int MSG_OOB = 0x1;
    /** {@code MSG_DONTWAIT}. */
    static final int MSG_DONTWAIT = 0x40;
    /** {@code MSG_NOSIGNAL}: a send to a peer gone is EPIPE, not a SIGPIPE to the domain. */
    static final int MSG_NOSIGNAL = 0x4000;

    /** {@code SOL_SOCKET}. */
    static final int SOL_SOCKET = 1;
    /** {@code SO_REUSEADDR}. */
    static final int SO_REUSEADDR = 2;
    /** {@code SO_ERROR}. */
    static final int SO_ERROR = 4;
    /** {@code SO_ACCEPTCONN}: 1 on a listening socket. */
    static final int SO_ACCEPTCONN = 30;
    /** {@code SO_SNDBUF}. */
    static final int SO_SNDBUF = 7;
    /** {@code SO_RCVBUF}. */
    static final int SO_RCVBUF = 8;
    /** {@code SO_KEEPALIVE}. */
    static final int SO_KEEPALIVE = 9;
    /** {@code SO_LINGER}: a {@code struct linger {int l_onoff; int l_linger;}}. */
    static final int SO_LINGER = 13;
    /** {@code SO_OOBINLINE}. */
    static final int SO_OOBINLINE = 10;
    /** {@code SO_REUSEPORT}. */
    static final int SO_REUSEPORT = 15;
    /** {@code IPPROTO_IP}. */
    static final int IPPROTO_IP = 0;
    /** {@code IP_TOS}. */
    static final int IP_TOS = 1;
    /** {@code IPPROTO_TCP}. */
    static final int IPPROTO_TCP = 6;
    /** {@code TCP_NODELAY}. */
    static final int TCP_NODELAY = 1;
    /** {@code TCP_KEEPIDLE}. */
    static final int TCP_KEEPIDLE = 4;
    /** {@code TCP_KEEPINTVL}. */
    static final int TCP_KEEPINTVL = 5;
    /** {@code TCP_KEEPCNT}. */
    static final int TCP_KEEPCNT = 6;
    /** {@code TCP_QUICKACK}. */
    static final int TCP_QUICKACK = 12;
    /** {@code SO_INCOMING_NAPI_ID}. */
    static final int SO_INCOMING_NAPI_ID = 56;
    /** {@code IP_MTU_DISCOVER}. */
    static final int IP_MTU_DISCOVER = 10;
    /** {@code IPV6_MTU_DISCOVER}. */
    static final int IPV6_MTU_DISCOVER = 23;
    /** {@code IP_PMTUDISC_DONT} (and IPv6's): never set the don't-fragment bit. */
    static final int IP_PMTUDISC_DONT = 0;
    /** {@code IP_PMTUDISC_DO} (and IPv6's): always set it. */
    static final int IP_PMTUDISC_DO = 2;
    /** {@code TCP_INFO}: {@code struct tcp_info}, whose first byte is the TCP state ({@code TCP_ESTABLISHED} ...). */
    static final int TCP_INFO = 11;
    /** Bytes of {@code struct tcp_info} read: up to {@code tcpi_sacked}, all that {@code vos net ss} uses. */
    static final int TCP_INFO_BYTES = 32;
    /** {@code tcpi_unacked} (u32): on a listening socket, the connections waiting to be accepted. */
    static final int TCPI_UNACKED_OFFSET = 24;
    /** {@code tcpi_sacked} (u32): on a listening socket, its backlog. */
    static final int TCPI_SACKED_OFFSET = 28;
    /** {@code SIOCINQ} ({@code FIONREAD}): bytes received and not yet read. */
    static final int SIOCINQ = 0x541B;
    /** {@code SIOCOUTQ} ({@code TIOCOUTQ}): bytes sent and not yet acknowledged by the peer. */
    static final int SIOCOUTQ = 0x5411;
    /** {@code IPPROTO_IPV6}. */
    static final int IPPROTO_IPV6 = 41;
    /** {@code IPV6_V6ONLY}. */
    static final int IPV6_V6ONLY = 26;
    /** {@code IPV6_TCLASS}. */
    static final int IPV6_TCLASS = 67;
    /** {@code SO_BROADCAST}. */
    static final int SO_BROADCAST = 6;
    /** {@code IP_MULTICAST_IF}: an {@code in_addr} read back; set here by {@code in_addr} or {@code ip_mreqn}. */
    static final int IP_MULTICAST_IF = 32;
    /** {@code IP_MULTICAST_TTL}. */
    static final int IP_MULTICAST_TTL = 33;
    /** {@code IP_MULTICAST_LOOP}. */
    static final int IP_MULTICAST_LOOP = 34;
    /** {@code IPV6_MULTICAST_IF}: an interface index. */
    static final int IPV6_MULTICAST_IF = 17;
    /** {@code IPV6_MULTICAST_HOPS}. */
    static final int IPV6_MULTICAST_HOPS = 18;
    /** {@code IPV6_MULTICAST_LOOP}. */
    static final int IPV6_MULTICAST_LOOP = 19;
    /** {@code struct ip_mreqn}: multiaddr, address, then the interface index at {@link #IP_MREQN_INDEX_OFFSET}. */
    static final int IP_MREQN_BYTES = 12;
    /** Offset of {@code imr_ifindex} in {@code struct ip_mreqn}. */
    static final int IP_MREQN_INDEX_OFFSET = 8;
    /** {@code MCAST_JOIN_GROUP} (RFC 3678; the same number at IPPROTO_IP and IPPROTO_IPV6). */
    static final int MCAST_JOIN_GROUP = 42;
    /** {@code MCAST_BLOCK_SOURCE}. */
    static final int MCAST_BLOCK_SOURCE = 43;
    /** {@code MCAST_UNBLOCK_SOURCE}. */
    static final int MCAST_UNBLOCK_SOURCE = 44;
    /** {@code MCAST_LEAVE_GROUP}. */
    static final int MCAST_LEAVE_GROUP = 45;
    /** {@code MCAST_JOIN_SOURCE_GROUP}. */
    static final int MCAST_JOIN_SOURCE_GROUP = 46;
    /** {@code MCAST_LEAVE_SOURCE_GROUP}. */
    static final int MCAST_LEAVE_SOURCE_GROUP = 47;
    /** {@code struct sockaddr_storage}: 128 bytes, 8-aligned. */
    static final int SOCKADDR_STORAGE_BYTES = 128;
    /** Offset of the group in {@code group_req} and {@code group_source_req}: after the u32 index and padding. */
    static final int GROUP_REQ_GROUP_OFFSET = 8;
    /** Offset of the source in {@code group_source_req}. */
    static final int GROUP_REQ_SOURCE_OFFSET = GROUP_REQ_GROUP_OFFSET + SOCKADDR_STORAGE_BYTES;
    /** {@code sizeof(struct group_req)}. */
    static final int GROUP_REQ_BYTES = GROUP_REQ_GROUP_OFFSET + SOCKADDR_STORAGE_BYTES;
    /** {@code sizeof(struct group_source_req)}. */
    static final int GROUP_SOURCE_REQ_BYTES = GROUP_REQ_SOURCE_OFFSET + SOCKADDR_STORAGE_BYTES;

    /** {@code EFD_NONBLOCK}: a waker's eventfd (its number; the wake itself is a flag) never blocks. */
    static final int EFD_NONBLOCK = 04000;
    /** {@code EFD_CLOEXEC}. */
    static final int EFD_CLOEXEC = 02000000;

    /** {@code EPOLL_CLOEXEC}. */
    static final int EPOLL_CLOEXEC = 02000000;
    /** {@code EPOLL_CTL_ADD}. */
    static final int EPOLL_CTL_ADD = 1;
    /** {@code EPOLL_CTL_MOD}. */
    static final int EPOLL_CTL_MOD = 3;
    /** {@code EPOLLIN}. */
    static final int EPOLLIN = 0x1;
    /** {@code EPOLLOUT}. */
    static final int EPOLLOUT = 0x4;
    /** {@code EPOLLRDHUP}. */
    static final int EPOLLRDHUP = 0x2000;
    /** {@code EPOLLET}: edge-triggered; a socket is registered once and its waiters retried on every edge. */
    static final int EPOLLET = 1 << 31;
    /**
     * {@code sizeof(struct epoll_event)} on x86_64, where it is packed: {@code uint32_t events} at 0, then
     * {@code epoll_data_t data} (a u64) at 4.
     */
    static final int EPOLL_EVENT_BYTES = 12;
    /** Offset of {@code events} in a {@code struct epoll_event}. */
    static final int EPOLL_EVENT_EVENTS_OFFSET = 0;
    /** Offset of {@code data} in a {@code struct epoll_event}. */
    static final int EPOLL_EVENT_DATA_OFFSET = 4;

    /** {@code sizeof(struct pollfd)}: {@code int fd} at 0, {@code short events} at 4, {@code short revents} at 6. */
    static final int POLLFD_BYTES = 8;
    /** Offset of {@code events} in a {@code struct pollfd}. */
    static final int POLLFD_EVENTS_OFFSET = 4;
    /** Offset of {@code revents} in a {@code struct pollfd}. */
    static final int POLLFD_REVENTS_OFFSET = 6;

    private NetSyscalls() {
    }

    /** {@code int ioctl(int fd, unsigned long request, int *value)}. */
    static long ioctl(int fd, int request, long valueAddress) {
        return Linux.syscallErrno(SYS_IOCTL, fd, request, valueAddress, 0, 0, 0);
    }

    /** {@code int socket(int domain, int type, 0)}. */
    static long socket(int family, int type) {
        return socket(family, type, 0);
    }

    /** {@code int socket(int domain, int type, int protocol)}. */
    static long socket(int family, int type, int protocol) {
        return Linux.syscallErrno(SYS_SOCKET, family, type, protocol, 0, 0, 0);
    }

    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}. */
    static long bind(int fd, long addr, int length) {
        return Linux.syscallErrno(SYS_BIND, fd, addr, length, 0, 0, 0);
    }

    /** {@code int listen(int fd, int backlog)}. */
    static long listen(int fd, int backlog) {
        return Linux.syscallErrno(SYS_LISTEN, fd, backlog, 0, 0, 0, 0);
    }

    /** {@code int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)}. */
    static long accept4(int fd, long addr, long lengthAddress, int flags) {
        return Linux.syscallErrno(SYS_ACCEPT4, fd, addr, lengthAddress, flags, 0, 0);
    }

    /** {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}. */
    static long connect(int fd, long addr, int length) {
        return Linux.syscallErrno(SYS_CONNECT, fd, addr, length, 0, 0, 0);
    }

    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, NULL, 0)}. */
    static long send(int fd, long buffer, long count, int flags) {
        return Linux.syscallErrno(SYS_SENDTO, fd, buffer, count, flags, 0, 0);
    }

    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *, socklen_t)}. */
    static long sendTo(int fd, long buffer, long count, int flags, long addr, int length) {
        return Linux.syscallErrno(SYS_SENDTO, fd, buffer, count, flags, addr, length);
    }

    /** {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *, socklen_t *)}. */
    static long recvFrom(int fd, long buffer, long count, int flags, long addr, long lengthAddress) {
        return Linux.syscallErrno(SYS_RECVFROM, fd, buffer, count, flags, addr, lengthAddress);
    }

    /** {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, NULL, NULL)}. */
    static long recv(int fd, long buffer, long count, int flags) {
        return Linux.syscallErrno(SYS_RECVFROM, fd, buffer, count, flags, 0, 0);
    }

    /** {@code int shutdown(int fd, int how)}. */
    static long shutdown(int fd, int how) {
        return Linux.syscallErrno(SYS_SHUTDOWN, fd, how, 0, 0, 0, 0);
    }

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}. */
    static long setsockopt(int fd, int level, int name, long value, int length) {
        return Linux.syscallErrno(SYS_SETSOCKOPT, fd, level, name, value, length, 0);
    }

    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}. */
    static long getsockopt(int fd, int level, int name, long value, long lengthAddress) {
        return Linux.syscallErrno(SYS_GETSOCKOPT, fd, level, name, value, lengthAddress, 0);
    }

    /** {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)}. */
    static long getsockname(int fd, long addr, long lengthAddress) {
        return Linux.syscallErrno(SYS_GETSOCKNAME, fd, addr, lengthAddress, 0, 0, 0);
    }

    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *len)}. */
    static long getpeername(int fd, long addr, long lengthAddress) {
        return Linux.syscallErrno(SYS_GETPEERNAME, fd, addr, lengthAddress, 0, 0, 0);
    }

    /** {@code int poll(struct pollfd *fds, nfds_t n, int timeout)}. */
    static long poll(long fds, int count, int timeoutMs) {
        return Linux.syscallErrno(SYS_POLL, fds, count, timeoutMs, 0, 0, 0);
    }

    /** {@code int epoll_create1(int flags)}. */
    static long epollCreate() {
        return Linux.syscallErrno(SYS_EPOLL_CREATE1, EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
    }

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}. */
    static long epollCtl(int epfd, int op, int fd, long event) {
        return Linux.syscallErrno(SYS_EPOLL_CTL, epfd, op, fd, event, 0, 0);
    }

    /** {@code int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)}. */
    static long epollWait(int epfd, long events, int max, int timeoutMs) {
        return Linux.syscallErrno(SYS_EPOLL_WAIT, epfd, events, max, timeoutMs, 0, 0);
    }

    /** {@code int openat(int dirfd, const char *path, int flags)}. */
    static long openat(int dirFd, long path, int flags) {
        return Linux.syscallErrno(SYS_OPENAT, dirFd, path, flags, 0, 0, 0);
    }

    /** {@code int fstat(int fd, struct stat *st)}. */
    static long fstat(int fd, long stat) {
        return Linux.syscallErrno(SYS_FSTAT, fd, stat, 0, 0, 0, 0);
    }

    /** {@code int chmod(const char *path, mode_t mode)}. */
    static long chmod(long path, int mode) {
        return Linux.syscallErrno(SYS_CHMOD, path, mode, 0, 0, 0, 0);
    }

    /** {@code int unlink(const char *path)}. */
    static long unlink(long path) {
        return Linux.syscallErrno(SYS_UNLINK, path, 0, 0, 0, 0, 0);
    }

    /** {@code int close(int fd)}. */
    static long close(int fd) {
        return Linux.syscallErrno(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /** {@code int eventfd2(unsigned int initval, int flags)}. */
    static long eventfd(int flags) {
        return Linux.syscallErrno(SYS_EVENTFD2, 0, flags, 0, 0, 0, 0);
    }

    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    static long read(int fd, long buffer, long count) {
        return Linux.syscallErrno(SYS_READ, fd, buffer, count, 0, 0, 0);
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    static long write(int fd, long buffer, long count) {
        return Linux.syscallErrno(SYS_WRITE, fd, buffer, count, 0, 0, 0);
    }
}
