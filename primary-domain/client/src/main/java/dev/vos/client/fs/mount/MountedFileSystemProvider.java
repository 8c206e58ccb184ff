package dev.vos.client.fs.mount;

import dev.vos.client.fs.AcrossFileSystems;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * vos as the JDK's default file system provider: paths beneath a mount of the {@link MountTable} are served by a
 * storage domain, every other path by the platform's provider, untouched. Started with
 *
 * <pre>
 * java -Djava.nio.file.spi.DefaultFileSystemProvider=dev.vos.client.fs.mount.MountedFileSystemProvider \
 *      -Dvos.mountTable=/etc/vos/mounts ...        (or -Dvos.mounts="/srv/data storage0:/")
 * </pre>
 *
 * <p>The JDK builds it on the first use of a path (not before {@code main}: see {@link MountTableAgent}, which
 * reads the table before it), with the application class loader, and hands it the platform's provider. So its
 * construction reads the table through that provider (the default file system is not built yet), logs nothing,
 * and reaches no domain. A table with a problem is never half used: the construction fails with every problem,
 * {@code FILE:LINE:COLUMN}, and the JDK fails that first use and every later one, so no path is served.
 *
 * <p>Like the JDK's own provider it only dispatches: where a path is served is decided once per path
 * ({@link #serve}, one comparison of its text with each prefix), then the call goes to the platform's provider
 * or to the domain's vos file system; what crosses a mount's border (a copy or move between the host and a
 * domain, or two domains) is {@link AcrossFileSystems}'s.
 */
public final class MountedFileSystemProvider extends FileSystemProvider {

    /** System property: the mount table's file. */
    public static final String TABLE_PROPERTY = "vos.mountTable";
    /** System property: the mount table itself, entries separated by ';'. */
    public static final String INLINE_PROPERTY = "vos.mounts";

    private final FileSystemProvider platform;
    private final MountTable table;
    private final MountedFileSystem fs;
    private final MountedDomains domains = new MountedDomains();
    /** Where a relative path starts, as for the platform: the working directory at start-up. */
    private final String workingDirectory;

    /**
     * The constructor the JDK calls at start-up, with its own provider: reads the table named by the system
     * properties.
     *
     * @throws IllegalStateException with every problem of the table, one per line (no path is served)
     */
    public MountedFileSystemProvider(FileSystemProvider platform) {
        this(platform, readTable(platform));
    }

    /** A provider over {@code platform} with {@code table} (for embedding, tests and benchmarks). */
    public MountedFileSystemProvider(FileSystemProvider platform, MountTable table) {
        this.platform = platform;
        this.table = table;
        this.fs = new MountedFileSystem(this, platform.getFileSystem(URI.create("file:///")));
        this.workingDirectory = System.getProperty("user.dir", "/");
    }

    private static MountTable readTable(FileSystemProvider platform) {
        String inline = System.getProperty(INLINE_PROPERTY);
        String file = System.getProperty(TABLE_PROPERTY);
        try {
            if (inline != null && file != null) {
                throw new MountTableException(java.util.List.of("-D" + INLINE_PROPERTY + ": give the mounts either"
                        + " inline or in a file (-D" + TABLE_PROPERTY + "), not both"));
            }
            if (inline != null) {
                return MountTable.parse("-D" + INLINE_PROPERTY, inline, true);
            }
            if (file == null) {
                return MountTable.EMPTY;
            }
            // The platform's own path: Path.of would ask for the default file system this provider is building.
            Path path = platform.getFileSystem(URI.create("file:///")).getPath(file);
            String text;
            try (InputStream in = platform.newInputStream(path)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new MountTableException(java.util.List.of(file + ": cannot be read: " + e));
            }
            return MountTable.parse(file, text, false);
        } catch (MountTableException e) {
            // Said here as well: the JDK reports a provider that fails as an Error whose cause holds this text, and
            // MountTableAgent, which reads the table before main, stops the JVM without that Error's stack trace.
            System.err.println("vos: the mount table has problems, so no path is served:\n" + e.getMessage());
            throw new IllegalStateException("vos mount table:\n" + e.getMessage(), e);
        }
    }

    /** The mounts this provider serves. */
    public MountTable mountTable() {
        return table;
    }

    // ---- where a path is served ----

    /**
     * Where {@code path} (a platform path) is served: itself, for the host, or a path of a domain's vos file
     * system. A path whose text holds "." or ".." names is first made normal, as the kernel's walk would take it,
     * so "/srv/data/../etc" is the host's "/srv/etc" and "/srv/./data/x" is the mount's. {@code given} is the text
     * the program gave for the path, or null: used as it is when it is absolute and normal (then it is the
     * platform path's own text), which spares decoding the platform path's bytes into a new string per new path.
     */
    Path serve(Path path, String given) {
        if (table.mounts().isEmpty()) {
            return path;
        }
        String text = given != null && isAbsoluteAndNormal(given) ? given : normalText(path);
        Mount mount = table.find(text);
        return mount == null ? path : domains.of(mount).getPath(mount.domainPath(text));
    }

    /** Whether {@code text} starts with '/' and has no empty, "." or ".." name and no trailing '/' (one scan). */
    static boolean isAbsoluteAndNormal(String text) {
        int n = text.length();
        if (n == 0 || text.charAt(0) != '/') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = text.charAt(i);
            if ((c == '/' || c == '.') && text.charAt(i - 1) == '/') {
                return false;
            }
        }
        return n == 1 || text.charAt(n - 1) != '/';
    }

    private String normalText(Path path) {
        String text = path.toString();
        if (!path.isAbsolute()) {
            text = text.isEmpty() ? workingDirectory : workingDirectory + "/" + text;
        }
        if (text.contains("/.")) {
            text = fs.platform().getPath(text).normalize().toString();
        }
        return text;
    }

    /** The mount of a path that is served by a domain. */
    Mount mountOf(MountedPath path) {
        return table.find(normalText(path.platform()));
    }

    private static boolean onHost(MountedPath p, Path served) {
        return served == p.platform();
    }

    private MountedPath wrap(Path platformPath) {
        return new MountedPath(fs, platformPath);
    }

    // ---- the file system ----

    @Override
    public String getScheme() {
        return platform.getScheme();
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        return platform.newFileSystem(uri, env); // FileSystemAlreadyExistsException, as the platform says
    }

    @Override
    public FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
        return platform.newFileSystem(MountedPath.check(path).platform(), env);
    }

    @Override
    public MountedFileSystem getFileSystem(URI uri) {
        platform.getFileSystem(uri); // its checks of the URI
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        return wrap(platform.getPath(uri));
    }

    // ---- files ----

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.newByteChannel(s, options, attrs);
        }
        try {
            return domains.provider().newByteChannel(s, options, attrs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.newFileChannel(s, options, attrs);
        }
        try {
            return domains.provider().newFileChannel(s, options, attrs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.newAsynchronousFileChannel(s, options, executor, attrs);
        }
        try {
            return domains.provider().newAsynchronousFileChannel(s, options, executor, attrs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.newInputStream(s, options);
        }
        try {
            return domains.provider().newInputStream(s, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.newOutputStream(s, options);
        }
        try {
            return domains.provider().newOutputStream(s, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        MountedPath p = MountedPath.check(dir);
        Path s = p.served();
        if (onHost(p, s)) {
            return new MountedDirectoryStream(platform.newDirectoryStream(s, e -> filter.accept(wrap(e))),
                    e -> e, fs);
        }
        // A domain's entries are named again beneath the host path the program listed.
        try {
            return new MountedDirectoryStream(domains.provider().newDirectoryStream(s,
                    e -> filter.accept(p.resolve(e.getFileName().toString()))),
                    e -> p.platform().resolve(e.getFileName().toString()), fs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        MountedPath p = MountedPath.check(dir);
        Path s = p.served();
        if (onHost(p, s)) {
            platform.createDirectory(s, attrs);
            return;
        }
        try {
            domains.provider().createDirectory(s, attrs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        MountedPath p = MountedPath.check(link);
        Path s = p.served();
        Path t = MountedPath.check(target).platform();
        if (onHost(p, s)) {
            platform.createSymbolicLink(s, t, attrs);
            return;
        }
        try {
            // The target is text the domain keeps; it resolves in the domain (relative targets stay within).
            domains.provider().createSymbolicLink(s, s.getFileSystem().getPath(t.toString()), attrs);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        MountedPath a = MountedPath.check(link);
        MountedPath b = MountedPath.check(existing);
        Path sa = a.served();
        Path sb = b.served();
        if (onHost(a, sa) && onHost(b, sb)) {
            platform.createLink(sa, sb);
        } else if (sa.getFileSystem() == sb.getFileSystem()) {
            domains.provider().createLink(sa, sb);
        } else {
            throw new FileSystemException(a.toString(), b.toString(), AcrossFileSystems.CROSS_DEVICE);
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            platform.delete(s);
            return;
        }
        try {
            domains.provider().delete(s);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.deleteIfExists(s);
        }
        try {
            return domains.provider().deleteIfExists(s);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        MountedPath p = MountedPath.check(link);
        Path s = p.served();
        if (onHost(p, s)) {
            return wrap(platform.readSymbolicLink(s));
        }
        try {
            return wrap(fs.platform().getPath(domains.provider().readSymbolicLink(s).toString()));
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        MountedPath a = MountedPath.check(source);
        MountedPath b = MountedPath.check(target);
        Path sa = a.served();
        Path sb = b.served();
        if (onHost(a, sa) && onHost(b, sb)) {
            platform.copy(sa, sb, options);
            return;
        }
        try {
            if (sa.getFileSystem() == sb.getFileSystem()) {
                domains.provider().copy(sa, sb, options);
            } else {
                AcrossFileSystems.copy(sa, sb, false, options);
            }
        } catch (IOException e) {
            throw Borders.named(e, a, b, this);
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        MountedPath a = MountedPath.check(source);
        MountedPath b = MountedPath.check(target);
        Path sa = a.served();
        Path sb = b.served();
        if (onHost(a, sa) && onHost(b, sb)) {
            platform.move(sa, sb, options);
            return;
        }
        try {
            if (sa.getFileSystem() == sb.getFileSystem()) {
                domains.provider().move(sa, sb, options);
            } else {
                AcrossFileSystems.copy(sa, sb, true, options);
            }
        } catch (IOException e) {
            throw Borders.named(e, a, b, this);
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        MountedPath a = MountedPath.check(path);
        if (a.equals(path2)) {
            return true;
        }
        if (!(path2 instanceof MountedPath b)) {
            return false;
        }
        Path sa = a.served();
        Path sb = b.served();
        if (sa.getFileSystem() != sb.getFileSystem()) {
            return false; // a host file and a domain's are never the same file, as files of two devices
        }
        try {
            return sa.getFileSystem().provider().isSameFile(sa, sb);
        } catch (IOException e) {
            throw Borders.named(e, a, b, this);
        }
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        return onHost(p, s) ? platform.isHidden(s) : domains.provider().isHidden(s);
    }

    /** A domain's store is named after the domain, so that a program can tell where its files live. */
    @Override
    public FileStore getFileStore(Path path) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.getFileStore(s);
        }
        try {
            return domains.provider().getFileStore(s);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            platform.checkAccess(s, modes);
            return;
        }
        try {
            domains.provider().checkAccess(s, modes);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    // ---- attributes ----

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.getFileAttributeView(s, type, options);
        }
        V view = domains.provider().getFileAttributeView(s, type, options);
        if (view instanceof BasicFileAttributeView served && type.isAssignableFrom(MountedAttributeView.class)) {
            return type.cast(new MountedAttributeView(view.name(), served, p, this));
        }
        return view;
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.readAttributes(s, type, options);
        }
        try {
            return domains.provider().readAttributes(s, type, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.readAttributes(s, attributes, options);
        }
        try {
            return domains.provider().readAttributes(s, attributes, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            platform.setAttribute(s, attribute, value, options);
            return;
        }
        try {
            domains.provider().setAttribute(s, attribute, value, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    @Override
    public boolean exists(Path path, LinkOption... options) {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        return onHost(p, s) ? platform.exists(s, options) : domains.provider().exists(s, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributesIfExists(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        MountedPath p = MountedPath.check(path);
        Path s = p.served();
        if (onHost(p, s)) {
            return platform.readAttributesIfExists(s, type, options);
        }
        try {
            return domains.provider().readAttributesIfExists(s, type, options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
    }

    // ---- the real path ----

    /**
     * The real path: the platform's for a host path; for a mounted one, the domain's real path (whose ".." stops at
     * the export root, as the domain confines every walk) named beneath the mount's prefix again. A real path that
     * lands outside the mount's directory in the domain is refused rather than named as a host path it is not.
     */
    Path realPath(MountedPath p, LinkOption... options) throws IOException {
        Path s = p.served();
        if (onHost(p, s)) {
            return wrap(s.toRealPath(options));
        }
        Mount mount = mountOf(p);
        Path real;
        try {
            real = s.toRealPath(options);
        } catch (IOException e) {
            throw Borders.named(e, p, null, this);
        }
        String host = mount.hostPath(real.toString());
        if (host == null) {
            throw new FileSystemException(p.toString(), null, "its real path " + real + " in " + mount.domain()
                    + " lies outside the mount's directory " + mount.directory());
        }
        return wrap(fs.platform().getPath(host));
    }

    @Override
    public String toString() {
        return "vos mounts over the platform's provider: " + table.mounts();
    }
}
