package dev.vos.client.fs;

import dev.vos.client.DomainClient;
import dev.vos.client.DomainHandle;
import dev.vos.ring.client.RingClient;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The {@code vos} scheme: {@code vos://DOMAIN/path} names a file beneath the export root of the storage domain
 * DOMAIN. Registered in {@code META-INF/services}, so that {@code Path.of(URI.create("vos://storage0/data"))}
 * works in code that knows nothing of vos, and everything after that is the JDK's own {@code Files},
 * {@code FileChannel} and attribute API.
 *
 * <p>Like jimfs's provider, this class is a dispatcher: it checks the path, turns options into flags, makes the
 * storage call and translates an errno into the exception the default provider throws for it, following the
 * JDK's {@code UnixFileSystemProvider} and {@code UnixCopyFile} step by step where the order of checks decides
 * which exception a caller sees.
 *
 * <p>Where the domain is found: the environment map of {@link #newFileSystem(URI, Map)} may name
 * {@value #ENV_SOCKET} (the domain agent's socket) or {@value #ENV_STATE_DIR} (a control plane's state
 * directory); without either, and for a file system made on first use by {@link #getPath(URI)}, the state
 * directory is the system property {@code vos.stateDir}, else {@code $VOS_STATE_DIR}, else vos's default.
 */
public final class VosFileSystemProvider extends FileSystemProvider {

    public static final String SCHEME = "vos";
    /** Environment key: the control plane's state directory (a Path or a String). */
    public static final String ENV_STATE_DIR = "stateDir";
    /** Environment key: the domain agent's socket (a Path or a String), for a domain without a control plane. */
    public static final String ENV_SOCKET = "socket";
    /**
     * Environment key: a {@link dev.vos.ring.client.RingClient} the caller has attached and keeps (benchmarks,
     * embedding): the file system calls through it and never closes it; it does not follow restarts.
     */
    public static final String ENV_CALL_SOURCE = "ring";

    private static final int DEFAULT_FILE_MODE = 0666; // the umask applies in the domain, as in any process
    private static final int DEFAULT_DIR_MODE = 0777;
    private static final int MAX_SYMLINK_HOPS = 40; // Linux's MAXSYMLINKS

    private final Map<String, VosFileSystem> systems = new ConcurrentHashMap<>();

    @Override
    public String getScheme() {
        return SCHEME;
    }

    private static String domainOf(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
        }
        String domain = uri.getHost() != null ? uri.getHost() : uri.getAuthority();
        if (domain == null || domain.isEmpty()) {
            throw new IllegalArgumentException("URI names no domain (expected vos://DOMAIN/path): " + uri);
        }
        return domain;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        String domain = domainOf(uri);
        synchronized (systems) {
            if (systems.containsKey(domain)) {
                throw new FileSystemAlreadyExistsException("vos://" + domain);
            }
            VosFileSystem fs = env.get(ENV_CALL_SOURCE) instanceof RingClient ring
                    ? new VosFileSystem(this, domain, ring, ring.geometry().dataBytesPerSlot(), null)
                    : new VosFileSystem(this, domain, clientFor(domain, env));
            systems.put(domain, fs);
            return fs;
        }
    }

    private static DomainClient clientFor(String domain, Map<String, ?> env) {
        Object socket = env.get(ENV_SOCKET);
        if (socket != null) {
            return DomainClient.forSocket(domain, Path.of(socket.toString()), DomainClient.Options.DEFAULT);
        }
        Object stateDir = env.get(ENV_STATE_DIR);
        Path dir = stateDir != null ? Path.of(stateDir.toString()) : defaultStateDir();
        return DomainClient.forDomain(dir, domain, DomainClient.Options.DEFAULT);
    }

    private static Path defaultStateDir() {
        return DomainClient.stateDirFromEnvironment();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        VosFileSystem fs = systems.get(domainOf(uri));
        if (fs == null) {
            throw new FileSystemNotFoundException("vos://" + domainOf(uri));
        }
        return fs;
    }

    /** The path of a URI; the first use of a domain makes its file system with the default state directory. */
    @Override
    public Path getPath(URI uri) {
        String domain = domainOf(uri);
        VosFileSystem fs;
        synchronized (systems) {
            fs = systems.get(domain);
            if (fs == null) {
                fs = new VosFileSystem(this, domain, clientFor(domain, Map.of()));
                systems.put(domain, fs);
            }
        }
        String path = uri.getPath();
        return fs.getPath(path == null || path.isEmpty() ? "/" : path);
    }

    void forget(VosFileSystem fs) {
        systems.remove(fs.domain(), fs);
    }

    // ---- files and channels ----

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return open(VosPath.check(path), OpenFlags.of(options), attrs);
    }

    /**
     * A channel whose reads, writes and locks run on {@code executor}'s threads (a virtual thread each when it is
     * null): {@link VosAsynchronousFileChannel}. APPEND is refused, as the default provider refuses it.
     */
    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        VosPath file = VosPath.check(path);
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed"); // as UnixChannelFactory
        }
        return new VosAsynchronousFileChannel(open(file, OpenFlags.of(options), attrs), executor);
    }

    private VosFileChannel open(VosPath file, OpenFlags flags, FileAttribute<?>... attrs) throws IOException {
        int mode = PosixModes.initialMode(DEFAULT_FILE_MODE, attrs);
        try {
            DomainHandle d = file.getFileSystem().client().open(file.domainPath(), flags.toOpenFlags(), mode);
            return new VosFileChannel(file.getFileSystem(), file, d, flags);
        } catch (ErrnoException e) {
            if (flags.createNew() && e.errno() == Errno.EISDIR) {
                throw new ErrnoException(Errno.EEXIST).translate(file); // as UnixChannelFactory
            }
            if (e.errno() == Errno.ELOOP && flags.noFollowLinks()) {
                throw new FileSystemException(file.forMessages(), null,
                        Errno.message(e.errno()) + " (NOFOLLOW_LINKS specified)");
            }
            throw e.translate(file);
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        VosPath path = VosPath.check(dir);
        try {
            DomainHandle d = path.getFileSystem().client().open(path.domainPath(),
                    StorageFlags.O_RDONLY | StorageFlags.O_DIRECTORY, 0);
            return new VosDirectoryStream(path, d, filter,
                    (int) Math.min(32 * 1024, path.getFileSystem().chunkBytes()));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOTDIR) {
                throw new NotDirectoryException(path.forMessages());
            }
            throw e.translate(path);
        }
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        VosPath path = VosPath.check(dir);
        int mode = PosixModes.initialMode(DEFAULT_DIR_MODE, attrs);
        try {
            path.getFileSystem().client().mkdir(path.domainPath(), mode);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EISDIR) {
                throw new FileAlreadyExistsException(path.forMessages());
            }
            throw e.translate(path);
        }
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        VosPath linkPath = VosPath.check(link);
        VosPath targetPath = VosPath.check(target);
        if (attrs.length > 0) {
            PosixModes.initialMode(0, attrs); // refuses what it does not know
            throw new UnsupportedOperationException(
                    "Initial file attributes not supported when creating symbolic link");
        }
        try {
            linkPath.getFileSystem().client().symlink(targetPath.toString(), linkPath.domainPath());
        } catch (ErrnoException e) {
            throw e.translate(linkPath);
        }
    }

    @Override
    public void createLink(Path link, Path existing) {
        throw new UnsupportedOperationException("the storage domain does not serve hard links yet");
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        VosPath path = VosPath.check(link);
        try {
            return path.getFileSystem().getPath(path.getFileSystem().client().readlink(path.domainPath()));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL) {
                throw new NotLinkException(path.forMessages());
            }
            throw e.translate(path);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        delete(VosPath.check(path), true);
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return delete(VosPath.check(path), false);
    }

    /** As the JDK's implDelete: lstat to choose rmdir or unlink, and a full directory is DirectoryNotEmpty. */
    private boolean delete(VosPath path, boolean failIfNotExists) throws IOException {
        StorageClient client = path.getFileSystem().client();
        FileStat stat;
        try {
            stat = client.stat(path.domainPath(), false);
        } catch (ErrnoException e) {
            if (!failIfNotExists && e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e.translate(path);
        }
        try {
            client.unlink(path.domainPath(), stat.isDirectory());
            return true;
        } catch (ErrnoException e) {
            if (!failIfNotExists && e.errno() == Errno.ENOENT) {
                return false;
            }
            if (stat.isDirectory() && (e.errno() == Errno.EEXIST || e.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(path.forMessages());
            }
            throw e.translate(path);
        }
    }

    /**
     * Within one domain, {@link FileTransfer}'s calls to that domain; between two domains' file systems (whose
     * calls each resolve names beneath their own export root), a copy read through one and written through the
     * other, as the default provider copies between two devices.
     */
    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        VosPath from = VosPath.check(source);
        VosPath to = VosPath.check(target);
        if (from.getFileSystem() != to.getFileSystem()) {
            AcrossFileSystems.copy(from, to, false, options);
            return;
        }
        FileTransfer.copy(from, to, options);
    }

    /** As {@link #copy}: a rename within one domain; a copy and a delete between two (no atomic move). */
    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        VosPath from = VosPath.check(source);
        VosPath to = VosPath.check(target);
        if (from.getFileSystem() != to.getFileSystem()) {
            AcrossFileSystems.copy(from, to, true, options);
            return;
        }
        FileTransfer.move(from, to, options);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        VosPath a = VosPath.check(path);
        if (a.equals(path2)) {
            return true;
        }
        if (!(path2 instanceof VosPath b) || b.getFileSystem() != a.getFileSystem()) {
            return false;
        }
        VosFileAttributes x = attributes(a, true);
        VosFileAttributes y = attributes(b, true);
        return x.fileKey().equals(y.fileKey());
    }

    @Override
    public boolean isHidden(Path path) {
        VosPath name = VosPath.check(path).getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        VosPath p = VosPath.check(path);
        attributes(p, true); // NoSuchFileException for a file that is not there, as the default provider
        return p.getFileSystem().store();
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        VosPath p = VosPath.check(path);
        int mode = 0; // F_OK
        for (AccessMode m : modes) {
            mode |= switch (m) {
                case READ -> 4;
                case WRITE -> 2;
                case EXECUTE -> 1;
            };
        }
        try {
            p.getFileSystem().client().access(p.domainPath(), mode);
        } catch (ErrnoException e) {
            throw notDirectoryAsMissing(e).translate(p);
        }
    }

    // ---- attributes ----

    VosFileAttributes attributes(VosPath path, boolean followLinks) throws IOException {
        try {
            return new VosFileAttributes(path.getFileSystem().client().stat(path.domainPath(), followLinks));
        } catch (ErrnoException e) {
            throw notDirectoryAsMissing(e).translate(path);
        }
    }

    /** As the JDK's attribute views and checkAccess: "a/b" where "a" is a file is reported as no such file. */
    private static ErrnoException notDirectoryAsMissing(ErrnoException e) {
        return e.errno() == Errno.ENOTDIR ? new ErrnoException(Errno.ENOENT) : e;
    }

    static boolean followLinks(LinkOption... options) {
        boolean follow = true;
        for (LinkOption option : options) {
            if (option == LinkOption.NOFOLLOW_LINKS) {
                follow = false;
            } else if (option == null) {
                throw new NullPointerException("a link option is null");
            }
        }
        return follow;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        VosPath p = VosPath.check(path);
        boolean follow = followLinks(options);
        if (type == BasicFileAttributeView.class) {
            return (V) new VosAttributeView("basic", p, follow);
        }
        if (type == PosixFileAttributeView.class) {
            return (V) new VosAttributeView("posix", p, follow);
        }
        if (type == FileOwnerAttributeView.class) {
            return (V) new VosAttributeView("owner", p, follow);
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type == BasicFileAttributes.class || type == PosixFileAttributes.class) {
            return (A) attributes(VosPath.check(path), followLinks(options));
        }
        if (type == null) {
            throw new NullPointerException("type");
        }
        throw new UnsupportedOperationException("attributes of type " + type.getName() + " are not supported");
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        VosPath p = VosPath.check(path);
        return AttributeNames.read(attributes, () -> attributes(p, followLinks(options)));
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        VosPath p = VosPath.check(path);
        AttributeNames.set(new VosAttributeView("posix", p, followLinks(options)), attribute, value);
    }

    // ---- the real path ----

    /** As realpath(3), component by component: each symbolic link's target replaces it, up to 40 hops. */
    VosPath realPath(VosPath path, LinkOption... options) throws IOException {
        VosPath absolute = path.toAbsolutePath();
        if (!followLinks(options)) {
            VosPath normal = absolute.normalize();
            attributes(normal, false);
            return normal;
        }
        VosFileSystem fs = path.getFileSystem();
        VosPath resolved = fs.getPath("/");
        ArrayDeque<String> pending = new ArrayDeque<>(absolute.nameList());
        int hops = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.equals(".") || name.isEmpty()) {
                continue;
            }
            if (name.equals("..")) {
                VosPath parent = resolved.getParent();
                resolved = parent == null ? resolved : parent;
                continue;
            }
            VosPath next = resolved.resolve(name);
            FileStat stat;
            try {
                stat = fs.client().stat(next.domainPath(), false);
            } catch (ErrnoException e) {
                throw e.translate(path);
            }
            if (!stat.isSymbolicLink()) {
                resolved = next;
                continue;
            }
            if (++hops > MAX_SYMLINK_HOPS) {
                throw new ErrnoException(Errno.ELOOP).translate(path);
            }
            String target;
            try {
                target = fs.client().readlink(next.domainPath());
            } catch (ErrnoException e) {
                throw e.translate(path);
            }
            VosPath targetPath = fs.getPath(target);
            if (targetPath.isAbsolute()) {
                resolved = fs.getPath("/");
            }
            List<String> names = targetPath.nameList();
            for (int i = names.size() - 1; i >= 0; i--) {
                pending.addFirst(names.get(i));
            }
        }
        return resolved;
    }
}
