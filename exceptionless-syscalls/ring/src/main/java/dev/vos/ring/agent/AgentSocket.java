package dev.vos.ring.agent;

import dev.vos.ring.server.ClientCredentials;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.UnixSockets;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One end of an agent connection, through {@link UnixSockets}: lines of the handshake ({@link AgentProtocol}), the
 * descriptor passed with the {@code ATTACH} line, the peer's credentials, and the wait for end-of-file that makes
 * the connection a session's lifeline.
 *
 * <p>Reads block the calling OS thread: one platform thread reads a socket at a time (the handshake's, then the
 * lifeline's). Any thread may {@link #shutdown()} it to wake that reader; only the owner {@link #close()}s it, once
 * its reader is done, so that no thread ever uses a descriptor number the kernel has given to another file.
 */
final class AgentSocket implements AutoCloseable {

    /** Descriptors one read accepts: one is the protocol; a few more fit, so that extras are seen and closed. */
    private static final int MAX_DESCRIPTORS = 4;

    private final int fd;
    /** Bytes read past the end of the last line (a client that sends more than the protocol says). */
    private byte[] ahead = new byte[0];
    /** Descriptors received and not yet taken; closed with the socket. */
    private int[] received = new int[0];
    private boolean truncatedControl;
    private boolean closed;

    private AgentSocket(int fd) {
        this.fd = fd;
    }

    /** The socket of a connection {@code accept4} made. */
    static AgentSocket adopt(int fd) {
        return new AgentSocket(fd);
    }

    /**
     * Connects to the agent at {@code path}, with {@code timeout} as the longest wait of every later read and write
     * (and of the connect itself, when a hung agent's backlog is full).
     */
    static AgentSocket connect(Path path, Duration timeout) throws IOException {
        int fd = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket: " + Errno.message(-fd));
        }
        AgentSocket socket = new AgentSocket(fd);
        try {
            socket.setTimeout(timeout);
            int r;
            do {
                r = UnixSockets.connect(fd, path.toString());
            } while (r == -Errno.EINTR);
            if (r == -Errno.EAGAIN) {
                throw new SocketTimeoutException("no agent took the connection within " + timeout.toMillis()
                        + " ms (is it hung?)");
            }
            if (r < 0) {
                throw new IOException(Errno.message(-r) + " (" + Errno.name(-r) + ")");
            }
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sets the longest wait of a read and of a write; {@link Duration#ZERO} waits forever. */
    void setTimeout(Duration timeout) throws IOException {
        for (int option : new int[] {UnixSockets.SO_RCVTIMEO, UnixSockets.SO_SNDTIMEO}) {
            int r = UnixSockets.setTimeout(fd, option, timeout.toNanos());
            if (r < 0) {
                throw new IOException("setsockopt: " + Errno.message(-r));
            }
        }
    }

    /** The peer as it was when it connected ({@code SO_PEERCRED}, {@code SO_PEERGROUPS}). */
    Peer peer() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(UnixSockets.UCRED_SIZE, 4);
            long r = UnixSockets.getsockopt(fd, UnixSockets.SOL_SOCKET, UnixSockets.SO_PEERCRED, ucred);
            if (r < 0) {
                throw new IOException("SO_PEERCRED: " + Errno.message((int) -r));
            }
            int[] groups = UnixSockets.peerGroups(fd);
            return new Peer(ucred.get(JAVA_INT, UnixSockets.UCRED_PID_OFFSET),
                    ucred.get(JAVA_INT, UnixSockets.UCRED_UID_OFFSET),
                    ucred.get(JAVA_INT, UnixSockets.UCRED_GID_OFFSET), groups == null ? new int[0] : groups);
        }
    }

    /** {@code SO_PEERPIDFD} (Linux 6.5): a pidfd of the peer, as it was when it connected. */
    private static final int SO_PEERPIDFD = 77;

    /**
     * A pidfd of the peer (the caller owns it), or -1 (a kernel before 6.5). SO_PEERCRED gives the peer's pid in the
     * agent's pid namespace, where a client outside (the usual case: a domain has a pid namespace of its own) is 0;
     * a pidfd names the process whatever namespace reads it: {@code /proc/AGENT/fdinfo/PIDFD} read through the
     * control plane's {@code /proc} says its pid there ({@code vos net ss}).
     */
    int peerPidfd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            return UnixSockets.getsockopt(fd, UnixSockets.SOL_SOCKET, SO_PEERPIDFD, value) < 0 ? -1
                    : value.get(JAVA_INT, 0);
        }
    }

    /**
     * Who connected, as the kernel recorded it at {@code connect}: not what the peer says about itself.
     *
     * @param groups its supplementary groups
     */
    record Peer(int pid, int uid, int gid, int[] groups) {
        /** What a served ring's handlers are told of this peer. */
        ClientCredentials credentials() {
            return new ClientCredentials(pid, uid, gid);
        }

        @Override
        public String toString() {
            return "pid " + pid + " uid " + uid + " gid " + gid;
        }
    }

    /** Writes {@code line} and a newline. */
    void writeLine(String line) throws IOException {
        write(line, -1, 0);
    }

    /** Writes {@code line} and a newline, with {@code descriptor} passed along ({@code SCM_RIGHTS}). */
    void writeLine(String line, int descriptor) throws IOException {
        write(line, descriptor, 0);
    }

    /**
     * Writes {@code line} without waiting: for a refusal from a thread that serves everyone (a fresh connection's
     * buffer has room for a line; if not, the peer simply sees the connection close).
     */
    void tryWriteLine(String line) {
        try {
            write(line, -1, UnixSockets.MSG_DONTWAIT);
        } catch (IOException e) {
            // the peer learns of the refusal from the closed connection instead
        }
    }

    private void write(String line, int descriptor, int flags) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            long at = 0;
            int pass = descriptor;
            while (at < bytes.length) {
                long r = UnixSockets.send(fd, data.asSlice(at), pass, flags);
                if (r == -Errno.EINTR) {
                    continue;
                }
                if (r == -Errno.EAGAIN) {
                    throw new SocketTimeoutException("the peer took no data within the socket's timeout");
                }
                if (r < 0) {
                    throw new IOException(Errno.message((int) -r) + " (" + Errno.name((int) -r) + ")");
                }
                at += r;
                pass = -1; // sent with the first byte
            }
        }
    }

    /**
     * Reads one line (without its newline). Descriptors that arrive meanwhile are kept for {@link
     * #takeDescriptors()}.
     *
     * @throws EOFException           if the peer closed the connection first
     * @throws SocketTimeoutException if nothing came within the socket's timeout
     * @throws IOException            if the line is longer than {@link AgentProtocol#MAX_LINE}, or the read fails
     */
    String readLine() throws IOException {
        byte[] line = ahead;
        while (true) {
            for (int i = 0; i < line.length; i++) {
                if (line[i] == '\n') {
                    ahead = Arrays.copyOfRange(line, i + 1, line.length);
                    return new String(line, 0, i, StandardCharsets.UTF_8);
                }
            }
            if (line.length > AgentProtocol.MAX_LINE) {
                throw new IOException("handshake line longer than " + AgentProtocol.MAX_LINE + " bytes");
            }
            byte[] more = receive(AgentProtocol.MAX_LINE + 1 - line.length);
            if (more == null) {
                throw new EOFException("the peer closed the connection");
            }
            byte[] joined = Arrays.copyOf(line, line.length + more.length);
            System.arraycopy(more, 0, joined, line.length, more.length);
            line = joined;
        }
    }

    /**
     * Waits for end-of-file: what a lifeline does once the handshake is over. Whatever the peer sends meanwhile is
     * read and dropped, descriptors included (closed at once).
     *
     * @throws IOException if the read fails otherwise (a reset connection)
     */
    void awaitEnd() throws IOException {
        while (receive(AgentProtocol.MAX_LINE) != null) {
            closeAll(takeDescriptors());
        }
    }

    /** One read of at most {@code max} bytes; {@code null} at end-of-file. */
    private byte[] receive(int max) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment into = arena.allocate(max);
            UnixSockets.Received got;
            do {
                got = UnixSockets.receive(fd, into, MAX_DESCRIPTORS, 0);
            } while (got.result() == -Errno.EINTR);
            keep(got.descriptors());
            truncatedControl |= (got.flags() & UnixSockets.MSG_CTRUNC) != 0;
            if (got.result() == -Errno.EAGAIN) {
                throw new SocketTimeoutException("nothing came within the socket's timeout");
            }
            if (got.result() < 0) {
                int errno = (int) -got.result();
                throw new IOException(Errno.message(errno) + " (" + Errno.name(errno) + ")");
            }
            return got.result() == 0 ? null : into.asSlice(0, got.result()).toArray(JAVA_BYTE);
        }
    }

    private synchronized void keep(int[] descriptors) {
        if (closed) { // the owner closed the socket while this read returned: nobody will take these
            closeAll(descriptors);
            return;
        }
        int[] all = Arrays.copyOf(received, received.length + descriptors.length);
        System.arraycopy(descriptors, 0, all, received.length, descriptors.length);
        received = all;
    }

    /** The descriptors received so far and not yet taken; the caller owns them now. */
    synchronized int[] takeDescriptors() {
        int[] taken = received;
        received = new int[0];
        return taken;
    }

    /** Whether the peer passed more descriptors than a read had room for (the kernel closed the rest). */
    boolean sentTooManyDescriptors() {
        return truncatedControl;
    }

    static void closeAll(int[] descriptors) {
        for (int d : descriptors) {
            Linux.close(d);
        }
    }

    /** Ends both directions: a thread blocked reading this socket wakes with end-of-file. Any thread, any time. */
    synchronized void shutdown() {
        if (!closed) {
            UnixSockets.shutdown(fd, UnixSockets.SHUT_RDWR);
        }
    }

    /** Closes the socket and any descriptor received and not taken; for the owner, once no thread reads it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(received);
        received = new int[0];
        Linux.close(fd);
    }
}
