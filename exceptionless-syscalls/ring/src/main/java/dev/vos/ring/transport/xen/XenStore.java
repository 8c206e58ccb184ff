package dev.vos.ring.transport.xen;

import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.vos.ring.transport.xen.XsSockmsg.LEN_OFFSET;
import static dev.vos.ring.transport.xen.XsSockmsg.PAYLOAD_MAX;
import static dev.vos.ring.transport.xen.XsSockmsg.REQ_ID_OFFSET;
import static dev.vos.ring.transport.xen.XsSockmsg.SIZE;
import static dev.vos.ring.transport.xen.XsSockmsg.TX_ID_OFFSET;
import static dev.vos.ring.transport.xen.XsSockmsg.TYPE_OFFSET;

/**
 * A xenstore connection over the kernel's {@code /dev/xen/xenbus} (or xenfs's {@code /proc/xen/xenbus}): the wire
 * protocol of {@code xs_wire.h} ({@link XsSockmsg}), one request at a time, without libxenstore. A request is one
 * {@code write} of header and payload; the reply is read until its header and {@code len} bytes are in, and checked
 * before use: the same {@code req_id}, the request's type or {@code XS_ERROR}, no more than {@code PAYLOAD_MAX}.
 * Only what the rendezvous needs: read, write, mkdir, rm, directory, set-perms, outside transactions.
 */
public final class XenStore implements AutoCloseable {

    /** Where the kernel offers the xenstore device: the misc device, then xenfs's file. */
    static final List<String> DEVICES = List.of("/dev/xen/xenbus", "/proc/xen/xenbus");

    private final int fd;
    private final String device;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(SIZE + PAYLOAD_MAX, 8);
    private int nextRequest = 1;
    private boolean closed;

    private XenStore(int fd, String device) {
        this.fd = fd;
        this.device = device;
    }

    /** Opens the first xenstore device there is. */
    public static XenStore open() throws IOException {
        StringBuilder tried = new StringBuilder();
        for (String device : DEVICES) {
            int fd = DeviceCalls.open(device, 0);
            if (fd >= 0) {
                return new XenStore(fd, device);
            }
            tried.append(tried.isEmpty() ? "" : ", ").append(device).append(": ").append(Errno.name(-fd));
        }
        throw new IOException("no xenstore device (" + tried + "): not in a Xen domain, or xenfs not mounted");
    }

    /** The value at {@code path}, or empty if there is none (ENOENT). */
    public synchronized Optional<String> read(String path) throws IOException {
        byte[] reply = request(XsSockmsg.XS_READ, path, nul(path), true);
        return reply == null ? Optional.empty() : Optional.of(new String(reply, StandardCharsets.UTF_8));
    }

    /** Writes {@code value} at {@code path}, making the path's missing parents. */
    public synchronized void write(String path, String value) throws IOException {
        byte[] p = nul(path);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[p.length + v.length];
        System.arraycopy(p, 0, payload, 0, p.length);
        System.arraycopy(v, 0, payload, p.length, v.length);
        request(XsSockmsg.XS_WRITE, path, payload, false);
    }

    /** Makes the node {@code path} (and its parents); an existing one is fine. */
    public synchronized void mkdir(String path) throws IOException {
        request(XsSockmsg.XS_MKDIR, path, nul(path), false);
    }

    /** Removes {@code path} and everything under it; a missing one is fine. */
    public synchronized void rm(String path) throws IOException {
        request(XsSockmsg.XS_RM, path, nul(path), true);
    }

    /** The names of {@code path}'s children; empty if there is no such node. */
    public synchronized List<String> directory(String path) throws IOException {
        byte[] reply = request(XsSockmsg.XS_DIRECTORY, path, nul(path), true);
        return reply == null ? List.of() : strings(reply);
    }

    /**
     * Sets {@code path}'s permissions: the first entry names the owner and what every other domain may do
     * ({@code n0}: owned by dom0, no one else), each later one a domain's access ({@code r5}: domain 5 may read).
     */
    public synchronized void setPerms(String path, List<String> perms) throws IOException {
        byte[] payload = nul(path);
        for (String perm : perms) {
            if (!perm.matches("[nrwb][0-9]+")) {
                throw new IllegalArgumentException("perm=" + perm + ": a permission is n, r, w or b and a domid");
            }
            byte[] p = nul(perm);
            byte[] joined = new byte[payload.length + p.length];
            System.arraycopy(payload, 0, joined, 0, payload.length);
            System.arraycopy(p, 0, joined, payload.length, p.length);
            payload = joined;
        }
        request(XsSockmsg.XS_SET_PERMS, path, payload, false);
    }

    /**
     * Sends one request and returns the reply's payload; null when the reply is {@code ENOENT} and {@code
     * absentIsNull}.
     *
     * @throws XenStoreException for any other error reply
     */
    private byte[] request(int type, String path, byte[] payload, boolean absentIsNull) throws IOException {
        if (closed) {
            throw new IOException(device + ": closed");
        }
        if (payload.length > PAYLOAD_MAX) {
            throw new IllegalArgumentException(path + ": " + payload.length + " bytes of payload, more than "
                    + PAYLOAD_MAX);
        }
        int id = nextRequest++;
        buffer.set(ValueLayout.JAVA_INT, TYPE_OFFSET, type);
        buffer.set(ValueLayout.JAVA_INT, REQ_ID_OFFSET, id);
        buffer.set(ValueLayout.JAVA_INT, TX_ID_OFFSET, 0);
        buffer.set(ValueLayout.JAVA_INT, LEN_OFFSET, payload.length);
        MemorySegment.copy(payload, 0, buffer, ValueLayout.JAVA_BYTE, SIZE, payload.length);
        long message = SIZE + payload.length;
        long written = Linux.write(fd, buffer.asSlice(0, message));
        if (written != message) {
            throw new IOException(device + ": writing a request for " + path + ": "
                    + (written < 0 ? Errno.message((int) -written) : written + " of " + message + " bytes"));
        }
        fill(0, SIZE, path);
        // Each field read once into a local, then checked: the reply is not trusted to be well formed.
        int replyType = buffer.get(ValueLayout.JAVA_INT, TYPE_OFFSET);
        int replyId = buffer.get(ValueLayout.JAVA_INT, REQ_ID_OFFSET);
        int length = buffer.get(ValueLayout.JAVA_INT, LEN_OFFSET);
        if (length < 0 || length > PAYLOAD_MAX) {
            throw new IOException(device + ": a reply of " + Integer.toUnsignedString(length)
                    + " bytes, more than " + PAYLOAD_MAX);
        }
        fill(SIZE, length, path);
        byte[] reply = buffer.asSlice(SIZE, length).toArray(ValueLayout.JAVA_BYTE);
        if (replyId != id) {
            throw new IOException(device + ": reply to request " + Integer.toUnsignedString(replyId) + ", expected "
                    + id);
        }
        if (replyType == XsSockmsg.XS_ERROR) {
            String error = strings(reply).stream().findFirst().orElse("");
            if (absentIsNull && error.equals("ENOENT")) {
                return null;
            }
            throw new XenStoreException(type, path, error);
        }
        if (replyType != type) {
            throw new IOException(device + ": reply of type " + replyType + " to a request of type " + type);
        }
        return reply;
    }

    /** Reads until {@code bytes} bytes are at {@code offset} of the buffer. */
    private void fill(long offset, long bytes, String path) throws IOException {
        long have = 0;
        while (have < bytes) {
            long n = Linux.read(fd, buffer.asSlice(offset + have, bytes - have));
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n <= 0) {
                throw new IOException(device + ": reading the reply for " + path + ": "
                        + (n == 0 ? "end of file" : Errno.message((int) -n)));
            }
            have += n;
        }
    }

    private static byte[] nul(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** The nul-separated strings of a payload (a trailing nul ends the last one). */
    static List<String> strings(byte[] payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= payload.length; i++) {
            if (i == payload.length || payload[i] == 0) {
                if (i > start || i < payload.length) {
                    out.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Linux.close(fd);
            arena.close();
        }
    }

    /** xenstore answered a request with an error ({@code XS_ERROR}): the errno's name, as the daemon sent it. */
    public static final class XenStoreException extends IOException {
        private final String error;

        XenStoreException(int type, String path, String error) {
            super("xenstore " + typeName(type) + " " + path + ": " + error);
            this.error = error;
        }

        /** The error's name: {@code EACCES}, {@code ENOENT}, ... */
        public String error() {
            return error;
        }

        private static String typeName(int type) {
            return switch (type) {
                case XsSockmsg.XS_READ -> "read";
                case XsSockmsg.XS_WRITE -> "write";
                case XsSockmsg.XS_MKDIR -> "mkdir";
                case XsSockmsg.XS_RM -> "rm";
                case XsSockmsg.XS_DIRECTORY -> "directory";
                case XsSockmsg.XS_SET_PERMS -> "set-perms";
                default -> "type " + type;
            };
        }
    }
}
