package dev.vos.client.fs.mount;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/**
 * A path of the default file system when vos is its provider: the platform's own path (its syntax, its string,
 * its comparisons) and, found on first use, where it is served: by the platform (the path itself) or by a storage
 * domain (a path of the domain's vos file system). Every syntactic operation is the platform path's, so a program
 * sees the same names, parents and comparisons as without vos.
 */
final class MountedPath implements Path {

    private final MountedFileSystem fs;
    private final Path platform;
    /**
     * The text the program gave for this path ({@code Path.of(String)}), or null: when it is already absolute and
     * normal, where the path is served is decided on it, without the platform path's text (which its bytes are
     * decoded into on each new path).
     */
    private final String given;
    /** Where this path is served: {@link #platform} itself for the host, else a vos path; set on first use. */
    private Path served;

    MountedPath(MountedFileSystem fs, Path platform) {
        this(fs, platform, null);
    }

    MountedPath(MountedFileSystem fs, Path platform, String given) {
        this.fs = fs;
        this.platform = platform;
        this.given = given;
    }

    /** The platform's path this one wraps. */
    Path platform() {
        return platform;
    }

    /**
     * Where this path is served. A race makes at most one extra lookup; the answer is the same, and a vos path's
     * fields are final, so it is safely published without a lock.
     */
    Path served() {
        Path s = served;
        if (s == null) {
            s = fs.provider().serve(platform, given);
            served = s;
        }
        return s;
    }

    static MountedPath check(Path path) {
        if (Objects.requireNonNull(path, "path") instanceof MountedPath p) {
            return p;
        }
        throw new ProviderMismatchException("not a path of the default file system: " + path.getClass().getName());
    }

    private MountedPath wrap(Path p) {
        return p == null ? null : new MountedPath(fs, p);
    }

    /** The platform path of {@code other}: one of ours, or one the platform made (a watch event's context). */
    private Path unwrap(Path other) {
        if (other instanceof MountedPath p) {
            return p.platform;
        }
        if (Objects.requireNonNull(other, "other").getFileSystem() == platform.getFileSystem()) {
            return other;
        }
        throw new ProviderMismatchException("not a path of the default file system: " + other.getClass().getName());
    }

    @Override
    public MountedFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return platform.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(platform.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(platform.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(platform.getParent());
    }

    @Override
    public int getNameCount() {
        return platform.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(platform.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(platform.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof MountedPath p && platform.startsWith(p.platform);
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof MountedPath p && platform.endsWith(p.platform);
    }

    @Override
    public Path normalize() {
        return wrap(platform.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(platform.resolve(unwrap(other)));
    }

    @Override
    public Path resolve(String other) {
        return wrap(platform.resolve(other));
    }

    @Override
    public Path resolveSibling(String other) {
        return wrap(platform.resolveSibling(other));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(platform.relativize(unwrap(other)));
    }

    @Override
    public URI toUri() {
        return platform.toUri();
    }

    @Override
    public Path toAbsolutePath() {
        return platform.isAbsolute() ? this : wrap(platform.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return fs.provider().realPath(this, options);
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        return served().register(watcher, events, modifiers);
    }

    @Override
    public int compareTo(Path other) {
        return platform.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MountedPath p && platform.equals(p.platform);
    }

    @Override
    public int hashCode() {
        return platform.hashCode();
    }

    @Override
    public String toString() {
        return platform.toString();
    }
}
