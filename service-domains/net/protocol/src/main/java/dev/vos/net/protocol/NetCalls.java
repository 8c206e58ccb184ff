package dev.vos.net.protocol;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.Caller;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The network domain's calls, numbered from {@link CoreCalls#FIRST_DOMAIN_CALL}. Every result is in the kernel's
 * convention: a value that is not negative, or {@code -errno}, the errno the kernel itself gave where the domain
 * made the system call. A "descriptor" is a number of the calling session's own table, as the storage domain's
 * ({@code nonce << 32 | serial}, the serial from 3 and not reused while the session lasts): a number of another
 * session, of an ended one, or of a socket closed, is EBADF, even if the client's call was on its way before. An
 * address is a payload range holding a {@link SockaddrLayout} sockaddr; buffers are payload offset and length.
 *
 * <p>Where each argument goes is stated once, here: every call has a nested class whose constants are its argument
 * positions, which the domain's handlers read by, and whose static {@code call} method is its one encoder. An
 * argument a call does not have is sent as 0.
 *
 * <pre>
 * no  name         arguments                                                          result
 * 64  socket       (int family: AF_INET|AF_INET6|AF_UNIX, int type: SOCK_STREAM|SOCK_DGRAM) descriptor
 * 65  bind         (long fd, addrOffset, addrLength)                                    0
 * 66  listen       (long fd, int backlog)                                               0
 * 67  accept       (long fd, addrOffset, addrCapacity, int flags: NO_WAIT)              descriptor; peer sockaddr
 * 68  connect      (long fd, addrOffset, addrLength, int flags: NO_WAIT)                0 (NO_WAIT: EINPROGRESS)
 * 69  sendto       (long fd, bufferOffset, count, int flags: NO_WAIT|URGENT, addrOffset, addrLength)   bytes sent
 * 70  recvfrom     (long fd, bufferOffset, count, int flags: NO_WAIT|PEEK, addrOffset, addrCapacity)
 *                                                                                       bytes received, 0 at end
 * 71  shutdown     (long fd, int how: SHUT_RD|SHUT_WR|SHUT_RDWR)                         0
 * 72  close        (long fd)                                                            0
 * 73  setsockopt   (long fd, int option: OPT_*, long value)                             0
 * 74  getsockopt   (long fd, int option: OPT_*)                                         the value
 * 75  getsockname  (long fd, addrOffset, addrCapacity)                                  sockaddr length
 * 76  getpeername  (long fd, addrOffset, addrCapacity)                                  sockaddr length
 * 77  poll         (long fd, int events: POLLIN|POLLOUT, int flags: NO_WAIT)             ready events
 * 78  pollset      (entriesOffset, int count, int flags: NO_WAIT)                        entries ready; their revents
 * 79  waker        ()                                                                    descriptor of a new waker
 * 80  wake         (long fd: a waker)                                                    0
 * 81  available    (long fd)                                      bytes received and not yet read (SIOCINQ)
 * 82  membership   (long fd, int op: JOIN|LEAVE|BLOCK|UNBLOCK, requestOffset, requestLength, int interface)   0
 * 83  watch        (long fd: a waker, entriesOffset, int count)                         applied; revents
 * 84  ready        (long fd: a waker, entriesOffset, int room, int flags: NO_WAIT)       entries written
 * </pre>
 *
 * <p><b>Multicast.</b> membership joins or leaves a multicast group on a UDP socket, any source or one source, or
 * blocks and unblocks a source of an any-source membership: the kernel's {@code MCAST_*} options (RFC 3678), at the
 * group's own level (an IPv4 group on an IPv6 socket is an IPv4 membership, as the JDK's on Linux). The request is
 * {@link #MEMBERSHIP_BYTES} of payload: the group's sockaddr at {@link #MEMBERSHIP_GROUP_OFFSET} (its port ignored)
 * and the source's at {@link #MEMBERSHIP_SOURCE_OFFSET}, family {@link SockaddrLayout#AF_UNSPEC} for none (any
 * source; BLOCK and UNBLOCK need one). The interface is named by its index on the domain's host. The group must be
 * a multicast address and the source (if any) of the group's family, neither multicast nor the wildcard: EINVAL
 * otherwise; an interface that does not exist is ENODEV.
 *
 * <p><b>Many sockets at once.</b> pollset is poll(2) over {@code count} (1..{@link #MAX_POLLSET_ENTRIES}) entries of
 * {@link #POLLSET_ENTRY_BYTES} in the payload, laid out by the {@code POLLSET_ENTRY_*} offsets: the descriptor, the
 * events asked ({@link #POLLIN}, {@link #POLLOUT}) and the events the domain found, which it writes. It answers the
 * number of entries with events found; a descriptor that is not the session's, or closes while the call waits, is
 * found {@link #POLLNVAL}. When none is ready it waits, as poll does, until one is (NO_WAIT: 0 at once), and then
 * answers with the entries found ready at that moment: the others are found by the next call. A <em>waker</em> is a
 * descriptor of the session that is no socket (an eventfd in the domain, closed by close): {@code wake} makes it
 * readable, so a pollset waiting on it answers; a pollset that finds it readable reports it POLLIN and makes it
 * unreadable again. A wake that comes before the pollset it is meant for is kept by the waker until a pollset
 * reports it. Socket calls on a waker answer the kernel's ENOTSOCK; it counts as one of the session's
 * sockets.
 *
 * <p><b>An interest set kept across waits.</b> Each waker also holds a set of the session's sockets and the events
 * asked of each, kept in the domain between calls, so that a selector names only what changed and a wait costs what
 * is ready, not what is registered (epoll's model, where pollset is poll's). watch changes the set by {@code count}
 * (1..{@link #MAX_POLLSET_ENTRIES}) entries laid out as pollset's: events 0 takes the descriptor out, other events
 * (POLLIN, POLLOUT) put it in or replace what it had; an entry whose descriptor is not a socket of the session (or
 * is a waker) is found {@link #POLLNVAL} and changes nothing, the others 0; it answers the number applied. Any
 * entry asking other events makes the whole call EINVAL, and nothing changes. ready waits until some member is
 * ready for its events, or the waker is woken, and then writes up to {@code room} entries: each member found ready
 * (its descriptor, the events asked, the events found) and the waker itself (POLLIN) when a wake is pending, which
 * it uses; it answers how many it wrote (NO_WAIT: 0 at once when none). Members found ready are kept and looked at
 * again by the next ready (level-triggered), which looks first at the ones it did not report, so no member starves.
 * A socket closed leaves every set, and answers a ready call that waits with its entry POLLNVAL, as a pollset is
 * answered (a thread that closes a channel ends another's wait on it). A set waits for one ready call at a time:
 * a second while one waits is EBUSY. The waker's close answers the one that waits EBADF.
 *
 * <p><b>Waiting.</b> Sockets are non-blocking in the domain, and no call ever holds a worker. accept, connect,
 * sendto, recvfrom and poll that would block wait <em>in the domain</em> instead: the call is deferred (the ring's
 * deferred completion, {@code docs/ring-protocol.md} section 14), and the domain's one epoll completes it when the
 * socket is ready. To the client such a call is a slow one, exactly as a blocking system call. With
 * {@link #NO_WAIT} the call is answered at once instead, EAGAIN (connect: EINPROGRESS; poll: 0). Calls waiting on
 * one socket and direction are answered in the order they arrived. A close answers every call still waiting on
 * the descriptor with EBADF (the default provider's AsynchronousCloseException).
 *
 * <p><b>Policy.</b> bind is served only for the addresses the domain's spec names ({@code net.bind}; any port), else
 * EADDRNOTAVAIL, as the kernel answers for an address that is not the host's; the wildcard address is one only if the
 * spec names it; a UDP socket may bind a multicast group's address besides (it takes no address of the host's: what it
 * receives is what its joins let in). A join is served only on an interface holding an address the spec names (any
 * interface if it names a wildcard), else EADDRNOTAVAIL: a client receives no group's traffic on an interface it could
 * not bind. listen on a socket the client never bound is EADDRNOTAVAIL too, since the kernel would bind it to the
 * wildcard. A session holding {@link #MAX_SOCKETS_PER_SESSION} descriptors gets EMFILE. sendto's bytes go with
 * MSG_NOSIGNAL (a peer gone is EPIPE, never a signal to the domain). SO_LINGER is served off or 0 (an abortive close)
 * only: a positive linger would make close wait in the domain (EINVAL).
 *
 * <p><b>Unix domain sockets</b> ({@code AF_UNIX}, streams only: a datagram is EPROTONOSUPPORT) bind and connect
 * only to a path one name below a directory the spec's {@code net.unix} lists, else EACCES; the abstract namespace is
 * EINVAL. A bind of the bare family (2 bytes) gets a name the domain chooses in the first directory. A connect never
 * waits: it is done, refused, or EAGAIN when the listener's backlog is full, which the client tries again.
 */
public final class NetCalls {

    public static final int SOCKET = CoreCalls.FIRST_DOMAIN_CALL;
    public static final int BIND = SOCKET + 1;
    public static final int LISTEN = SOCKET + 2;
    public static final int ACCEPT = SOCKET + 3;
    public static final int CONNECT = SOCKET + 4;
    public static final int SENDTO = SOCKET + 5;
    public static final int RECVFROM = SOCKET + 6;
    public static final int SHUTDOWN = SOCKET + 7;
    public static final int CLOSE = SOCKET + 8;
    public static final int SETSOCKOPT = SOCKET + 9;
    public static final int GETSOCKOPT = SOCKET + 10;
    public static final int GETSOCKNAME = SOCKET + 11;
    public static final int GETPEERNAME = SOCKET + 12;
    public static final int POLL = SOCKET + 13;
    public static final int POLLSET = SOCKET + 14;
    public static final int WAKER = SOCKET + 15;
    public static final int WAKE = SOCKET + 16;
    public static final int AVAILABLE = SOCKET + 17;
    public static final int MEMBERSHIP = SOCKET + 18;
    public static final int WATCH = SOCKET + 19;
    public static final int READY = SOCKET + 20;
    /** The highest net call number: the calls are {@link #SOCKET} to this, with no gap. */
    public static final int LAST = READY;

    /** The most descriptors one session holds at once by default; one more socket or accept is EMFILE. */
    public static final int MAX_SOCKETS_PER_SESSION = 1024;
    /** The largest listen backlog passed to the kernel (larger ones are cut to it, as the kernel's somaxconn). */
    public static final int MAX_BACKLOG = 4096;

    /** {@code SOCK_STREAM}: TCP. */
    public static final int SOCK_STREAM = 1;
    /** {@code SOCK_DGRAM}: UDP. */
    public static final int SOCK_DGRAM = 2;

    /** A flag of accept, connect, sendto, recvfrom and poll: answer at once instead of waiting. */
    public static final int NO_WAIT = 1;
    /** A flag of recvfrom: leave the bytes queued ({@code MSG_PEEK}). */
    public static final int PEEK = 2;
    /**
     * A flag of sendto on a connected TCP socket: send the bytes as urgent data ({@code MSG_OOB}, the last byte
     * urgent), as {@code Socket.sendUrgentData} does; EOPNOTSUPP on another kind of socket.
     */
    public static final int URGENT = 4;

    /** {@code SHUT_RD}. */
    public static final int SHUT_RD = 0;
    /** {@code SHUT_WR}. */
    public static final int SHUT_WR = 1;
    /** {@code SHUT_RDWR}. */
    public static final int SHUT_RDWR = 2;

    /** {@code POLLIN}: readable, or a connection to accept, or the end of the stream. */
    public static final int POLLIN = 0x1;
    /** {@code POLLOUT}: writable, or a connect finished (then read OPT_SO_ERROR). */
    public static final int POLLOUT = 0x4;
    /** {@code POLLERR}, in poll's answer only. */
    public static final int POLLERR = 0x8;
    /** {@code POLLHUP}, in poll's answer only. */
    public static final int POLLHUP = 0x10;
    /** {@code POLLNVAL}, in pollset's answer only: the entry's descriptor is not (or no longer) the session's. */
    public static final int POLLNVAL = 0x20;

    /** Bytes of one pollset entry in the payload. */
    public static final int POLLSET_ENTRY_BYTES = 16;
    /** Offset in an entry of the descriptor (u64), the client's. */
    public static final int POLLSET_ENTRY_FD_OFFSET = 0;
    /** Offset in an entry of the events asked (u32), the client's. */
    public static final int POLLSET_ENTRY_EVENTS_OFFSET = 8;
    /** Offset in an entry of the events found (u32), written by the domain before it answers. */
    public static final int POLLSET_ENTRY_REVENTS_OFFSET = 12;
    /** The most entries of one pollset call: a default slot's payload (64 KiB) of entries. */
    public static final int MAX_POLLSET_ENTRIES = 4096;

    /** membership's op: join the group (from the source, if one is given). */
    public static final int MEMBERSHIP_JOIN = 1;
    /** membership's op: leave the group (the membership of the source, if one is given). */
    public static final int MEMBERSHIP_LEAVE = 2;
    /** membership's op: stop receiving from the source, on an any-source membership. */
    public static final int MEMBERSHIP_BLOCK = 3;
    /** membership's op: receive from a blocked source again. */
    public static final int MEMBERSHIP_UNBLOCK = 4;
    /** Offset in a membership request of the group's sockaddr. */
    public static final int MEMBERSHIP_GROUP_OFFSET = 0;
    /** Offset in a membership request of the source's sockaddr ({@link SockaddrLayout#AF_UNSPEC}: none). */
    public static final int MEMBERSHIP_SOURCE_OFFSET = 32;
    /** Bytes of a membership request: two sockaddrs of at most {@link SockaddrLayout#MAX_BYTES}, 8-aligned. */
    public static final int MEMBERSHIP_BYTES = 64;

    // Socket options: the ones java.net.StandardSocketOptions names, the JDK's extended ones (jdk.net) that Linux
    // has, SO_ERROR (read only) and IPV6_V6ONLY. Numbered here, not passed as the kernel's level and name, so that a
    // client can set no other.

    /** {@code SO_RCVBUF}: bytes. */
    public static final int OPT_SO_RCVBUF = 1;
    /** {@code SO_SNDBUF}: bytes. */
    public static final int OPT_SO_SNDBUF = 2;
    /** {@code SO_KEEPALIVE}: 0 or 1. */
    public static final int OPT_SO_KEEPALIVE = 3;
    /** {@code SO_REUSEADDR}: 0 or 1. */
    public static final int OPT_SO_REUSEADDR = 4;
    /** {@code SO_REUSEPORT}: 0 or 1. */
    public static final int OPT_SO_REUSEPORT = 5;
    /**
     * {@code SO_LINGER}: {@link #LINGER_OFF} or 0 (close resets the connection); reading it gives seconds or
     * {@link #LINGER_OFF}.
     */
    public static final int OPT_SO_LINGER = 6;
    /** {@code TCP_NODELAY}: 0 or 1. */
    public static final int OPT_TCP_NODELAY = 7;
    /** {@code IP_TOS} (IPv4) or {@code IPV6_TCLASS} (IPv6): 0..255. */
    public static final int OPT_IP_TOS = 8;
    /** {@code SO_ERROR}, read only: the pending error (a finished connect's outcome) as a positive errno, or 0. */
    public static final int OPT_SO_ERROR = 9;
    /** {@code IPV6_V6ONLY}, IPv6 sockets only: 0 or 1. */
    public static final int OPT_IPV6_V6ONLY = 10;
    /** {@code SO_BROADCAST}: 0 or 1. */
    public static final int OPT_SO_BROADCAST = 11;
    /**
     * The interface multicast leaves by: on an IPv4 socket {@code IP_MULTICAST_IF}, an IPv4 address of the
     * interface as an unsigned 32-bit number (the JDK's way; 0: the kernel's choice); on an IPv6 socket
     * {@code IPV6_MULTICAST_IF}, an interface index (0: the kernel's choice), set for IPv4 groups too.
     */
    public static final int OPT_IP_MULTICAST_IF = 12;
    /** {@code IP_MULTICAST_TTL} (IPv6: {@code IPV6_MULTICAST_HOPS}, and IPv4's too): 0..255. */
    public static final int OPT_IP_MULTICAST_TTL = 13;
    /** {@code IP_MULTICAST_LOOP} (IPv6: {@code IPV6_MULTICAST_LOOP}, and IPv4's too): 0 or 1. */
    public static final int OPT_IP_MULTICAST_LOOP = 14;
    /** {@code TCP_KEEPIDLE}: seconds idle before the first probe; any int (the kernel takes 1..32,767). */
    public static final int OPT_TCP_KEEPIDLE = 15;
    /** {@code TCP_KEEPINTVL}: seconds between probes; any int (the kernel takes 1..32,767). */
    public static final int OPT_TCP_KEEPINTERVAL = 16;
    /** {@code TCP_KEEPCNT}: probes unanswered before the connection drops; any int (the kernel takes 1..127). */
    public static final int OPT_TCP_KEEPCOUNT = 17;
    /** {@code TCP_QUICKACK}: 0 or 1. */
    public static final int OPT_TCP_QUICKACK = 18;
    /** {@code SO_INCOMING_NAPI_ID}, read only: the NAPI id of the device the last packet came from, or 0. */
    public static final int OPT_SO_INCOMING_NAPI_ID = 19;
    /**
     * The JDK's {@code IP_DONTFRAGMENT}: {@code IP_MTU_DISCOVER} (IPv6: {@code IPV6_MTU_DISCOVER}) set to
     * {@code IP_PMTUDISC_DO} for 1 and {@code IP_PMTUDISC_DONT} for 0; reads 1 only while it is {@code DO}.
     */
    public static final int OPT_IP_DONTFRAGMENT = 20;
    /**
     * SO_LINGER's value when it is off: not -1, which a result would read as -EPERM; above every {@code int} of
     * seconds, so that no linger time means it.
     */
    public static final long LINGER_OFF = 1L << 32;
    /**
     * {@code SO_OOBINLINE}: urgent data received in the stream (1) rather than dropped from it (0, the default), as
     * {@code Socket.setOOBInline} sets it.
     */
    public static final int OPT_SO_OOBINLINE = 21;
    /**
     * {@code SO_PEERCRED} of a connected Unix domain stream socket, read only: the peer's user and group as they
     * were when the connection was made, as {@link #peerUid} and {@link #peerGid} read them. Where the peer is
     * another client's socket in the domain, that client's, as the kernel named it when it attached: to the kernel
     * every socket the domain holds is the domain's own. EINVAL unconnected or listening, ENOPROTOOPT on an IP
     * socket, ESRCH where the domain cannot name the peer's client.
     */
    public static final int OPT_SO_PEERCRED = 22;
    /** The highest option number. */
    public static final int OPT_LAST = OPT_SO_PEERCRED;

    /** {@link #OPT_SO_PEERCRED}'s value for {@code uid} and {@code gid}: never negative, so never an errno. */
    public static long peerCredentials(int uid, int gid) {
        if (uid < 0) {
            throw new IllegalArgumentException("uid " + Integer.toUnsignedString(uid) + " does not fit the answer");
        }
        return (long) uid << 32 | Integer.toUnsignedLong(gid);
    }

    /** The user in an {@link #OPT_SO_PEERCRED} value. */
    public static int peerUid(long value) {
        return (int) (value >>> 32);
    }

    /** The group in an {@link #OPT_SO_PEERCRED} value. */
    public static int peerGid(long value) {
        return (int) value;
    }

    private NetCalls() {
    }

    /** {@link #SOCKET}: creates a socket; its descriptor. */
    public static final class Socket {
        /** {@link SockaddrLayout#AF_INET}, {@link SockaddrLayout#AF_INET6} or {@link SockaddrLayout#AF_UNIX}. */
        public static final int FAMILY = 0;
        /** {@link NetCalls#SOCK_STREAM} or {@link NetCalls#SOCK_DGRAM}. */
        public static final int TYPE = 1;

        private Socket() {
        }

        /** Issues {@link #SOCKET} on {@code on}. */
        public static long call(Caller on, long family, long type) throws DomainFailedException {
            return on.call(SOCKET, family, type, 0, 0, 0, 0);
        }
    }

    /** {@link #BIND}: binds a socket to an address the domain's {@code net.bind} (or {@code net.unix}) allows. */
    public static final class Bind {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset of the sockaddr. */
        public static final int ADDR_OFFSET = 1;
        /** Its length in bytes. */
        public static final int ADDR_LENGTH = 2;

        private Bind() {
        }

        /** Issues {@link #BIND} on {@code on}. */
        public static long call(Caller on, long fd, long addrOffset, long addrLength) throws DomainFailedException {
            return on.call(BIND, fd, addrOffset, addrLength, 0, 0, 0);
        }
    }

    /** {@link #LISTEN}: makes a bound socket a listening one. */
    public static final class Listen {
        /** The descriptor. */
        public static final int FD = 0;
        /** The kernel's backlog (1..{@link NetCalls#MAX_BACKLOG}; other values are clamped). */
        public static final int BACKLOG = 1;

        private Listen() {
        }

        /** Issues {@link #LISTEN} on {@code on}. */
        public static long call(Caller on, long fd, long backlog) throws DomainFailedException {
            return on.call(LISTEN, fd, backlog, 0, 0, 0, 0);
        }
    }

    /** {@link #ACCEPT}: takes a connection off a listening socket; its descriptor. */
    public static final class Accept {
        /** The listening descriptor. */
        public static final int FD = 0;
        /** Payload offset where the peer's sockaddr goes (0 bytes of room: not written). */
        public static final int ADDR_OFFSET = 1;
        /** Room there, in bytes. */
        public static final int ADDR_CAPACITY = 2;
        /** {@link NetCalls#NO_WAIT} or 0. */
        public static final int FLAGS = 3;

        private Accept() {
        }

        /** Issues {@link #ACCEPT} on {@code on}. */
        public static long call(Caller on, long fd, long addrOffset, long addrCapacity, long flags)
                throws DomainFailedException {
            return on.call(ACCEPT, fd, addrOffset, addrCapacity, flags, 0, 0);
        }
    }

    /** {@link #CONNECT}: connects a socket to an address. */
    public static final class Connect {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset of the sockaddr. */
        public static final int ADDR_OFFSET = 1;
        /** Its length in bytes. */
        public static final int ADDR_LENGTH = 2;
        /** {@link NetCalls#NO_WAIT} or 0. */
        public static final int FLAGS = 3;

        private Connect() {
        }

        /** Issues {@link #CONNECT} on {@code on}. */
        public static long call(Caller on, long fd, long addrOffset, long addrLength, long flags)
                throws DomainFailedException {
            return on.call(CONNECT, fd, addrOffset, addrLength, flags, 0, 0);
        }
    }

    /** {@link #SENDTO}: sends bytes from the payload. */
    public static final class Sendto {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset of the bytes. */
        public static final int BUFFER_OFFSET = 1;
        /** How many. */
        public static final int COUNT = 2;
        /** {@link NetCalls#NO_WAIT}, {@link NetCalls#URGENT}, both, or 0. */
        public static final int FLAGS = 3;
        /** Payload offset of a destination sockaddr (UDP only; TCP: 0). */
        public static final int ADDR_OFFSET = 4;
        /** Its length (0: none). */
        public static final int ADDR_LENGTH = 5;

        private Sendto() {
        }

        /** Issues {@link #SENDTO} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count, long flags, long addrOffset,
                                long addrLength) throws DomainFailedException {
            return on.call(SENDTO, fd, bufferOffset, count, flags, addrOffset, addrLength);
        }
    }

    /** {@link #RECVFROM}: receives bytes into the payload. */
    public static final class Recvfrom {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset the bytes go to. */
        public static final int BUFFER_OFFSET = 1;
        /** The most bytes to receive. */
        public static final int COUNT = 2;
        /** {@link NetCalls#NO_WAIT}, {@link NetCalls#PEEK}, or 0. */
        public static final int FLAGS = 3;
        /** Payload offset where the sender's sockaddr goes (UDP only; TCP: 0). */
        public static final int ADDR_OFFSET = 4;
        /** Room there (0: not written). */
        public static final int ADDR_CAPACITY = 5;

        private Recvfrom() {
        }

        /** Issues {@link #RECVFROM} on {@code on}. */
        public static long call(Caller on, long fd, long bufferOffset, long count, long flags, long addrOffset,
                                long addrCapacity) throws DomainFailedException {
            return on.call(RECVFROM, fd, bufferOffset, count, flags, addrOffset, addrCapacity);
        }
    }

    /** {@link #SHUTDOWN}: shuts down one or both directions of a connection. */
    /**
     * Bytes received on a socket and not read yet, as {@code ioctl(fd, SIOCINQ)} (FIONREAD) answers them: what
     * {@code InputStream.available()} estimates. The kernel's EINVAL on a listening socket.
     */
    public static final class Available {
        /** The descriptor. */
        public static final int FD = 0;

        private Available() {
        }

        /** Issues {@link #AVAILABLE} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(AVAILABLE, fd, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #MEMBERSHIP}: joins, leaves, blocks or unblocks a multicast membership of a UDP socket. */
    public static final class Membership {
        /** The descriptor. */
        public static final int FD = 0;
        /** {@link NetCalls#MEMBERSHIP_JOIN}, {@code _LEAVE}, {@code _BLOCK} or {@code _UNBLOCK}. */
        public static final int OP = 1;
        /** Payload offset of the request (group and source, {@link NetCalls#MEMBERSHIP_BYTES}). */
        public static final int REQUEST_OFFSET = 2;
        /** Its length: {@link NetCalls#MEMBERSHIP_BYTES}. */
        public static final int REQUEST_LENGTH = 3;
        /** The interface's index on the domain's host. */
        public static final int INTERFACE = 4;

        private Membership() {
        }

        /** Issues {@link #MEMBERSHIP} on {@code on}. */
        public static long call(Caller on, long fd, long op, long requestOffset, long requestLength, long index)
                throws DomainFailedException {
            return on.call(MEMBERSHIP, fd, op, requestOffset, requestLength, index, 0);
        }

        /**
         * Writes a request into the first {@link NetCalls#MEMBERSHIP_BYTES} of {@code to}: {@code group}'s sockaddr
         * and {@code source}'s (null: any source, family {@link SockaddrLayout#AF_UNSPEC}), ports 0.
         */
        public static void request(MemorySegment to, InetAddress group, InetAddress source) {
            MemorySegment request = to.asSlice(0, MEMBERSHIP_BYTES);
            request.fill((byte) 0);
            SockaddrLayout.encode(new InetSocketAddress(group, 0), request.asSlice(MEMBERSHIP_GROUP_OFFSET));
            if (source != null) {
                SockaddrLayout.encode(new InetSocketAddress(source, 0), request.asSlice(MEMBERSHIP_SOURCE_OFFSET));
            }
        }
    }

    public static final class Shutdown {
        /** The descriptor. */
        public static final int FD = 0;
        /** {@link NetCalls#SHUT_RD}, {@link NetCalls#SHUT_WR} or {@link NetCalls#SHUT_RDWR}. */
        public static final int HOW = 1;

        private Shutdown() {
        }

        /** Issues {@link #SHUTDOWN} on {@code on}. */
        public static long call(Caller on, long fd, long how) throws DomainFailedException {
            return on.call(SHUTDOWN, fd, how, 0, 0, 0, 0);
        }
    }

    /** {@link #CLOSE}: closes a descriptor; calls waiting on it are answered EBADF. */
    public static final class Close {
        /** The descriptor. */
        public static final int FD = 0;

        private Close() {
        }

        /** Issues {@link #CLOSE} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(CLOSE, fd, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #SETSOCKOPT}: sets one of the options {@link NetCalls} numbers. */
    public static final class Setsockopt {
        /** The descriptor. */
        public static final int FD = 0;
        /** An {@code OPT_*} number. */
        public static final int OPTION = 1;
        /** Its value: 0 or 1 for a switch, a count of bytes, SO_LINGER's {@link NetCalls#LINGER_OFF} or 0. */
        public static final int VALUE = 2;

        private Setsockopt() {
        }

        /** Issues {@link #SETSOCKOPT} on {@code on}. */
        public static long call(Caller on, long fd, long option, long value) throws DomainFailedException {
            return on.call(SETSOCKOPT, fd, option, value, 0, 0, 0);
        }
    }

    /** {@link #GETSOCKOPT}: reads one of the options {@link NetCalls} numbers; its value. */
    public static final class Getsockopt {
        /** The descriptor. */
        public static final int FD = 0;
        /** An {@code OPT_*} number. */
        public static final int OPTION = 1;

        private Getsockopt() {
        }

        /** Issues {@link #GETSOCKOPT} on {@code on}. */
        public static long call(Caller on, long fd, long option) throws DomainFailedException {
            return on.call(GETSOCKOPT, fd, option, 0, 0, 0, 0);
        }
    }

    /** {@link #GETSOCKNAME}: the socket's own address, into the payload; its length. */
    public static final class Getsockname {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset where the sockaddr goes. */
        public static final int ADDR_OFFSET = 1;
        /** Room there, at least the family's sockaddr size. */
        public static final int ADDR_CAPACITY = 2;

        private Getsockname() {
        }

        /** Issues {@link #GETSOCKNAME} on {@code on}. */
        public static long call(Caller on, long fd, long addrOffset, long addrCapacity) throws DomainFailedException {
            return on.call(GETSOCKNAME, fd, addrOffset, addrCapacity, 0, 0, 0);
        }
    }

    /** {@link #GETPEERNAME}: the connected peer's address, into the payload; its length. */
    public static final class Getpeername {
        /** The descriptor. */
        public static final int FD = 0;
        /** Payload offset where the sockaddr goes. */
        public static final int ADDR_OFFSET = 1;
        /** Room there, at least the family's sockaddr size. */
        public static final int ADDR_CAPACITY = 2;

        private Getpeername() {
        }

        /** Issues {@link #GETPEERNAME} on {@code on}. */
        public static long call(Caller on, long fd, long addrOffset, long addrCapacity) throws DomainFailedException {
            return on.call(GETPEERNAME, fd, addrOffset, addrCapacity, 0, 0, 0);
        }
    }

    /** {@link #POLL}: waits until a socket is ready for one of the events asked; the events it is ready for. */
    public static final class Poll {
        /** The descriptor. */
        public static final int FD = 0;
        /** {@link NetCalls#POLLIN} and/or {@link NetCalls#POLLOUT}. */
        public static final int EVENTS = 1;
        /** {@link NetCalls#NO_WAIT} (answer 0 at once when none is ready) or 0. */
        public static final int FLAGS = 2;

        private Poll() {
        }

        /** Issues {@link #POLL} on {@code on}. */
        public static long call(Caller on, long fd, long events, long flags) throws DomainFailedException {
            return on.call(POLL, fd, events, flags, 0, 0, 0);
        }
    }

    /**
     * {@link #POLLSET}: waits until one of several descriptors is ready for the events asked of it; the number of
     * entries found ready, each entry's events found written beside it.
     */
    public static final class Pollset {
        /** Payload offset of the first entry. */
        public static final int ENTRIES_OFFSET = 0;
        /** How many entries (1..{@link NetCalls#MAX_POLLSET_ENTRIES}). */
        public static final int COUNT = 1;
        /** {@link NetCalls#NO_WAIT} (answer 0 at once when none is ready) or 0. */
        public static final int FLAGS = 2;

        private Pollset() {
        }

        /** Issues {@link #POLLSET} on {@code on}. */
        public static long call(Caller on, long entriesOffset, long count, long flags) throws DomainFailedException {
            return on.call(POLLSET, entriesOffset, count, flags, 0, 0, 0);
        }
    }

    /** {@link #WAKER}: makes a waker, a descriptor a pollset can wait on and {@link #WAKE} makes ready. */
    public static final class Waker {
        private Waker() {
        }

        /** Issues {@link #WAKER} on {@code on}. */
        public static long call(Caller on) throws DomainFailedException {
            return on.call(WAKER, 0, 0, 0, 0, 0, 0);
        }
    }

    /** {@link #WAKE}: makes a waker readable (once, however many wakes come before a pollset finds it). */
    public static final class Wake {
        /** The waker's descriptor. */
        public static final int FD = 0;

        private Wake() {
        }

        /** Issues {@link #WAKE} on {@code on}. */
        public static long call(Caller on, long fd) throws DomainFailedException {
            return on.call(WAKE, fd, 0, 0, 0, 0, 0);
        }
    }

    /**
     * {@link #WATCH}: changes a waker's interest set by the entries in the payload; the number applied, each entry's
     * revents 0 (applied) or {@link NetCalls#POLLNVAL} (not a socket of the session).
     */
    public static final class Watch {
        /** The waker whose set it changes. */
        public static final int FD = 0;
        /** Payload offset of the first entry. */
        public static final int ENTRIES_OFFSET = 1;
        /** How many entries (1..{@link NetCalls#MAX_POLLSET_ENTRIES}). */
        public static final int COUNT = 2;

        private Watch() {
        }

        /** Issues {@link #WATCH} on {@code on}. */
        public static long call(Caller on, long fd, long entriesOffset, long count) throws DomainFailedException {
            return on.call(WATCH, fd, entriesOffset, count, 0, 0, 0);
        }
    }

    /**
     * {@link #READY}: waits until a member of a waker's interest set is ready, or the waker is woken; the number of
     * entries written to the payload, each a member found ready (or the waker).
     */
    public static final class Ready {
        /** The waker whose set it waits on. */
        public static final int FD = 0;
        /** Payload offset where the first entry is written. */
        public static final int ENTRIES_OFFSET = 1;
        /** The most entries it writes (1..{@link NetCalls#MAX_POLLSET_ENTRIES}). */
        public static final int ROOM = 2;
        /** {@link NetCalls#NO_WAIT} (answer 0 at once when none is ready) or 0. */
        public static final int FLAGS = 3;

        private Ready() {
        }

        /** Issues {@link #READY} on {@code on}. */
        public static long call(Caller on, long fd, long entriesOffset, long room, long flags)
                throws DomainFailedException {
            return on.call(READY, fd, entriesOffset, room, flags, 0, 0);
        }
    }
}
