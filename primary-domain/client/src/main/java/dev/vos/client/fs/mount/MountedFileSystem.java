package dev.vos.client.fs.mount;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The default file system when vos is its provider: the platform's, whose paths are {@link MountedPath}s. Like
 * the platform's default file system it cannot be closed.
 */
final class MountedFileSystem extends FileSystem {

    private final MountedFileSystemProvider provider;
    private final FileSystem platform;

    MountedFileSystem(MountedFileSystemProvider provider, FileSystem platform) {
        this.provider = provider;
        this.platform = platform;
    }

    FileSystem platform() {
        return platform;
    }

    @Override
    public MountedFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() throws IOException {
        platform.close(); // UnsupportedOperationException, as for the platform's default file system
    }

    @Override
    public boolean isOpen() {
        return platform.isOpen();
    }

    @Override
    public boolean isReadOnly() {
        return platform.isReadOnly();
    }

    @Override
    public String getSeparator() {
        return platform.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        for (Path root : platform.getRootDirectories()) {
            roots.add(new MountedPath(this, root));
        }
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return platform.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return platform.supportedFileAttributeViews();
    }

    @Override
    public MountedPath getPath(String first, String... more) {
        // One name given (Path.of(String), File.toPath): its text, the path's own when it is normal, is kept.
        return new MountedPath(this, platform.getPath(first, more), more.length == 0 ? first : null);
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = platform.getPathMatcher(syntaxAndPattern);
        return path -> path instanceof MountedPath p ? matcher.matches(p.platform()) : matcher.matches(path);
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return platform.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() throws IOException {
        return platform.newWatchService();
    }

    @Override
    public String toString() {
        return platform.toString();
    }
}
