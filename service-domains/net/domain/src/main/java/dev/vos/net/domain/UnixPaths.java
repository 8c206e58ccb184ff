package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The directories in which a net domain's clients may bind and connect Unix domain sockets (the spec's
 * {@code net.unix}), and the domain's binds there. A path is let in only when its parent is one of the directories,
 * exactly: absolute, normalised (no {@code .}, {@code ..} or {@code //}), one name below it. Anything else is EACCES,
 * as the kernel answers a path its caller may not reach; the abstract namespace is not served (EINVAL).
 *
 * <p><b>Why the directories are checked once, at start.</b> The kernel has no bind relative to a directory
 * descriptor, so a bind names the absolute path and the kernel walks it again. The walk is safe only if no one but
 * the domain's user can change the directories on it: each directory given, and every directory above it, must be
 * owned by root or the domain's user and writable by no one else (a sticky directory such as {@code /tmp} may be
 * world-writable: others cannot rename or remove what is not theirs). A directory that fails is refused at start.
 * A connect does not rely on it: it opens the socket's file with {@code O_PATH | O_NOFOLLOW}, checks that it is a
 * socket, and connects through {@code /proc/self/fd/N}, so a symbolic link put there by anyone is never followed.
 *
 * <p><b>Names are the domain's.</b> On Linux a socket's file outlives the socket, and whoever may write the
 * directory removes it. Here only the domain may, so it does: when a socket it bound closes (or its session ends),
 * its file is removed, if it is still the file the bind made (same device and inode). Otherwise clients could fill
 * the directory with names no one can remove. A file left by a generation that died is taken back by the next bind
 * of its path: a socket that no open socket of this domain has bound and on which no one listens (a connect is
 * refused) is removed first. A path bound by an open socket of the domain is EADDRINUSE, as the kernel answers.
 * A socket file the domain makes is owner-only (0600) whatever its umask, as every socket of vos is.
 */
final class UnixPaths {

    /** The prefix of a name the domain chooses for a bind that asked for none (the JDK's {@code bind(null)}). */
    static final String CHOSEN_PREFIX = "vos-";

    private final List<Path> directories;
    /** The paths open sockets of this process have bound, and the file each bind made. Guarded by itself. */
    private final Map<String, FileId> bound = new HashMap<>();

    /** A file's identity: {@code st_dev} and {@code st_ino}. */
    private record FileId(long device, long inode) {
    }

    private UnixPaths(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    /** No directory: every Unix domain socket path is EACCES. */
    static UnixPaths none() {
        return new UnixPaths(List.of());
    }

    /**
     * The policy of the agent option {@code unix}: absolute directories separated by commas. A directory that does
     * not exist is made (mode 0755, with any parent missing), below an existing directory that passes the checks.
     *
     * @throws IllegalArgumentException for a path that is not absolute and normalised, is {@code /}, or fails the
     *                                  ownership checks of the class comment
     */
    static UnixPaths parse(String option) {
        Set<Path> directories = new LinkedHashSet<>();
        int user = Linux.geteuid();
        for (String item : option.split(",", -1)) {
            String text = item.strip();
            Path dir = Path.of(text);
            if (!dir.isAbsolute() || !dir.normalize().toString().equals(text) || dir.getParent() == null) {
                throw new IllegalArgumentException("option " + NetCallTableProvider.UNIX + ": '" + text
                        + "' is not an absolute, normalised directory below /");
            }
            try {
                if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    Path existing = dir.getParent();
                    while (Files.notExists(existing, LinkOption.NOFOLLOW_LINKS)) {
                        existing = existing.getParent();
                    }
                    trusted(existing, user); // what is made below it is the domain's own
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwxr-xr-x")));
                }
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("option " + NetCallTableProvider.UNIX + ": " + dir
                            + " is not a directory");
                }
                if ((mode(dir) & (GROUP_WRITE | OTHER_WRITE)) != 0) {
                    throw new IllegalArgumentException("option " + NetCallTableProvider.UNIX + ": " + dir
                            + " is writable by its group or others: only the domain may name sockets there");
                }
                trusted(dir, user);
            } catch (IOException e) {
                throw new UncheckedIOException("option " + NetCallTableProvider.UNIX + ": " + dir, e);
            }
            directories.add(dir);
        }
        return new UnixPaths(List.copyOf(directories));
    }

    private static final int GROUP_WRITE = 0020;
    private static final int OTHER_WRITE = 0002;
    private static final int STICKY = 01000;

    /** Checks {@code dir} and every directory above it (see the class comment). */
    private static void trusted(Path dir, int user) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new IllegalArgumentException("option " + NetCallTableProvider.UNIX + ": " + p
                        + " is a symbolic link");
            }
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int mode = mode(p);
            boolean othersWrite = (mode & (GROUP_WRITE | OTHER_WRITE)) != 0 && (mode & STICKY) == 0;
            if (owner != 0 && owner != user || othersWrite) {
                throw new IllegalArgumentException("option " + NetCallTableProvider.UNIX + ": " + p
                        + " may be changed by a user other than root and the domain's (uid " + owner + ", mode "
                        + Integer.toOctalString(mode & 07777) + ")");
            }
        }
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    /** The directories, in the option's order. */
    List<Path> directories() {
        return directories;
    }

    /**
     * {@code path} if a client may bind or connect there (the class comment's rule), else null.
     */
    String admit(String path) {
        if (!path.startsWith("/") || path.indexOf('\0') >= 0
                || path.getBytes(StandardCharsets.UTF_8).length >= SockaddrLayout.UN_PATH_BYTES) {
            return null;
        }
        Path p = Path.of(path);
        Path parent = p.getParent();
        if (!p.normalize().toString().equals(path) || parent == null || !directories.contains(parent)) {
            return null;
        }
        return path;
    }

    /** What a bind did: the path now the socket's (release it when the socket closes), or the errno. */
    record Bound(String path, long result) {
    }

    /**
     * Binds the kernel socket {@code fd} to {@code address}, which the client sent; the empty path asks the domain
     * to choose a name in the first directory. 0 and the path, or -errno.
     */
    Bound bind(int fd, UnixDomainSocketAddress address) {
        String wanted = address.getPath().toString();
        if (wanted.isEmpty()) {
            if (directories.isEmpty()) {
                return new Bound(null, -Errno.EACCES);
            }
            wanted = directories.getFirst().resolve(CHOSEN_PREFIX + Long.toHexString(
                    ThreadLocalRandom.current().nextLong() >>> 1) + ".sock").toString();
        }
        String path = admit(wanted);
        if (path == null) {
            return new Bound(null, -Errno.EACCES);
        }
        synchronized (bound) {
            if (bound.containsKey(path)) {
                return new Bound(null, -Errno.EADDRINUSE);
            }
            long r = bindPath(fd, path);
            if (r == -Errno.EADDRINUSE && leftBehind(path)) {
                unlinkAt(path);
                r = bindPath(fd, path);
            }
            if (r != 0) {
                return new Bound(null, r);
            }
            FileId made = ownerOnly(path);
            if (made == null) {
                unlinkAt(path); // cannot happen to a file just made; if it did, no one else may reach it either
                return new Bound(null, -Errno.EIO);
            }
            bound.put(path, made);
            return new Bound(path, 0);
        }
    }

    /**
     * The socket that bound {@code path} closed: its file is removed if it is still the one the bind made, and the
     * path may be bound again.
     */
    void release(String path) {
        synchronized (bound) {
            FileId made = bound.remove(path);
            if (made != null && made.equals(identity(path))) {
                unlinkAt(path);
            }
        }
    }

    /**
     * Makes the socket file a bind just made at {@code path} owner-only (0600), through its {@code /proc/self/fd}
     * name, as every socket and segment of vos is: the domain's clients reach it through the domain, and no other
     * user of the host reaches it at all. Done before the bind answers, so before any listen: nothing can connect
     * while the mode the umask gave stands. Its identity, or null.
     */
    private static FileId ownerOnly(String path) {
        FileId[] made = new FileId[1];
        long r = onSocketFile(path, (name, stat, arena) -> {
            made[0] = new FileId(stat.get(JAVA_LONG, STAT_DEV_OFFSET), stat.get(JAVA_LONG, STAT_INO_OFFSET));
            return NetSyscalls.chmod(arena.allocateFrom(name).address(), 0600);
        });
        return r == 0 ? made[0] : null;
    }

    private static void unlinkAt(String path) {
        try (Arena arena = Arena.ofConfined()) {
            NetSyscalls.unlink(arena.allocateFrom(path).address());
        }
    }

    /** The identity of the file at {@code path} (not followed if a link), or null if there is none. */
    private static FileId identity(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_BYTES, 8);
            long file = openNoFollow(path, stat, arena);
            if (file < 0) {
                return null;
            }
            NetSyscalls.close((int) file);
            return new FileId(stat.get(JAVA_LONG, STAT_DEV_OFFSET), stat.get(JAVA_LONG, STAT_INO_OFFSET));
        }
    }

    /**
     * Opens the file at {@code path} {@code O_PATH | O_NOFOLLOW} (a link opens as itself) and reads its
     * {@code struct stat} into {@code stat}: the descriptor, which the caller closes, or -errno.
     */
    private static long openNoFollow(String path, MemorySegment stat, Arena arena) {
        long file = NetSyscalls.openat(AT_FDCWD, arena.allocateFrom(path).address(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (file < 0) {
            return file;
        }
        long r = NetSyscalls.fstat((int) file, stat.address());
        if (r < 0) {
            NetSyscalls.close((int) file);
            return r;
        }
        return file;
    }

    private static long bindPath(int fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SockaddrLayout.UN_BYTES, 8);
            int size = SockaddrLayout.encode(UnixDomainSocketAddress.of(path), address);
            return NetSyscalls.bind(fd, address.address(), size);
        }
    }

    /** Whether the file at {@code path} is a socket on which no one listens. Under {@link #bound}'s lock. */
    private static boolean leftBehind(String path) {
        long probe = NetSyscalls.socket(SockaddrLayout.AF_UNIX, NetCalls.SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (probe < 0) {
            return false;
        }
        try {
            return connectNoFollow((int) probe, path) == -Errno.ECONNREFUSED;
        } finally {
            NetSyscalls.close((int) probe);
        }
    }

    /**
     * Connects the kernel socket {@code fd} to {@code address}: 0, or -errno (EACCES outside the directories; ENOENT
     * for no file; ECONNREFUSED for a file that is no socket, or one no one listens on, as the kernel answers).
     */
    long connect(int fd, UnixDomainSocketAddress address) {
        String path = admit(address.getPath().toString());
        if (path == null) {
            return address.getPath().toString().isEmpty() ? -Errno.EINVAL : -Errno.EACCES;
        }
        long r = connectNoFollow(fd, path);
        return r == -Errno.ENOTSOCK ? -Errno.ECONNREFUSED : r;
    }

    /** connect(2) to the socket file at {@code path}, never through a link ({@link #onSocketFile}). */
    private static long connectNoFollow(int fd, String path) {
        return onSocketFile(path, (name, stat, arena) -> {
            MemorySegment address = arena.allocate(SockaddrLayout.UN_BYTES, 8);
            int size = SockaddrLayout.encode(UnixDomainSocketAddress.of(name), address);
            return NetSyscalls.connect(fd, address.address(), size);
        });
    }

    /** What is done to a socket's file, named {@code procName}; the result in the kernel's convention. */
    @FunctionalInterface
    private interface SocketFileOp {
        long apply(String procName, MemorySegment stat, Arena arena);
    }

    /**
     * {@code op} on the socket file at {@code path}, without following a symbolic link there: the file is opened
     * {@code O_PATH | O_NOFOLLOW} (a link opens as itself), checked to be a socket (ENOTSOCK if not), and named to
     * {@code op} by its {@code /proc/self/fd} name, which the kernel resolves to that very file. The open's errno,
     * ENOTSOCK, or what {@code op} answered.
     */
    private static long onSocketFile(String path, SocketFileOp op) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(STAT_BYTES, 8);
            long file = openNoFollow(path, stat, arena);
            if (file < 0) {
                return file;
            }
            try {
                if ((stat.get(JAVA_INT, STAT_MODE_OFFSET) & S_IFMT) != S_IFSOCK) {
                    return -Errno.ENOTSOCK;
                }
                return op.apply("/proc/self/fd/" + file, stat, arena);
            } finally {
                NetSyscalls.close((int) file);
            }
        }
    }
}
