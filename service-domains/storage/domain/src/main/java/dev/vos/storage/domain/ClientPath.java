package dev.vos.storage.domain;

import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.vos.storage.protocol.StorageCalls.PATH_MAX;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A path a client sent: UTF-8 bytes from the payload, copied out of the shared data area before anything checks
 * them (the client can rewrite the payload while the handler runs; a check on shared bytes proves nothing about
 * what the kernel later reads). The bytes are never decoded: the kernel sees exactly what the client sent.
 */
record ClientPath(byte[] bytes) {

    /**
     * Copies the path at payload {@code [offset, offset + length)} of {@code call}. Returns the path, or
     * {@code null} with the refusal in {@code errno[0]}: ENAMETOOLONG for a path that
     * would not fit in PATH_MAX with its NUL, EFAULT for a range outside the data area, EINVAL for a NUL byte
     * inside (the kernel would silently cut the path there), ENOENT for an empty path (as the kernel answers).
     */
    static ClientPath copy(ServerCall call, long offset, long length, int[] errno) {
        if (length >= PATH_MAX) {
            errno[0] = Errno.ENAMETOOLONG;
            return null;
        }
        MemorySegment shared = call.data(offset, length);
        if (shared == null) {
            errno[0] = Errno.EFAULT;
            return null;
        }
        byte[] bytes = shared.toArray(JAVA_BYTE); // the one read of the shared bytes
        if (bytes.length == 0) {
            errno[0] = Errno.ENOENT;
            return null;
        }
        for (byte b : bytes) {
            if (b == 0) {
                errno[0] = Errno.EINVAL;
                return null;
            }
        }
        return new ClientPath(bytes);
    }

    /** The path as a NUL-terminated native string in {@code arena}. */
    MemorySegment toNative(Arena arena) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, 0, bytes.length);
        s.set(JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    /** Position of the last '/', or -1. */
    private int lastSlash() {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The directory part, for the calls whose kernel interface has no RESOLVE flags: "." for "name", "/" for
     * "/name" (which the confined open of the parent then refuses with EXDEV), "a/b" for "a/b/name".
     */
    ClientPath parent() {
        int slash = lastSlash();
        if (slash < 0) {
            return new ClientPath(new byte[] {'.'});
        }
        if (slash == 0) {
            return new ClientPath(new byte[] {'/'});
        }
        return new ClientPath(Arrays.copyOf(bytes, slash));
    }

    /**
     * The last component, or {@code null} when it is not a name a *at call may act on: "" (a trailing '/'), "."
     * or "..". Those would make unlinkat/mkdirat/renameat2 act on the parent itself or on the parent's parent,
     * which no confined open has checked.
     */
    ClientPath lastComponent() {
        int slash = lastSlash();
        byte[] name = Arrays.copyOfRange(bytes, slash + 1, bytes.length);
        boolean dot = name.length == 1 && name[0] == '.';
        boolean dotDot = name.length == 2 && name[0] == '.' && name[1] == '.';
        return name.length == 0 || dot || dotDot ? null : new ClientPath(name);
    }
}
