package dev.vos.client.fs;

import dev.vos.client.DomainClient;
import dev.vos.ring.client.CallSource;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files of one storage domain, as a {@link FileSystem}: "/" is the domain's export root. It owns the
 * {@link DomainClient} that follows the domain across restarts, so paths keep working when the domain comes
 * back; closing the file system closes the client (and its open channels). Embedded uses may instead hand it a
 * ring of their own ({@link VosFileSystemProvider#ENV_CALL_SOURCE}), which it then uses but never closes.
 */
final class VosFileSystem extends FileSystem {

    static final Set<String> VIEWS = Set.of("basic", "posix", "owner", "unix");

    private final VosFileSystemProvider provider;
    private final String domain;
    private final long chunkBytes;
    /** What this file system owns and closes with itself: the domain client, or nothing for a caller's ring. */
    private final AutoCloseable owned;
    private final StorageClient client;
    private final VosFileStore store = new VosFileStore(this);
    private final LockTable locks = new LockTable();
    /** Open channels and directory streams, closed with the file system (as jimfs and the JDK's zipfs do). */
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean isOpen = true;

    VosFileSystem(VosFileSystemProvider provider, String domain, DomainClient domainClient) {
        this(provider, domain, domainClient, domainClient.chunkBytes(), domainClient);
    }

    VosFileSystem(VosFileSystemProvider provider, String domain, CallSource calls, long chunkBytes,
                  AutoCloseable owned) {
        this.provider = provider;
        this.domain = domain;
        this.chunkBytes = chunkBytes;
        this.owned = owned;
        this.client = new StorageClient(domain, calls);
    }

    String domain() {
        return domain;
    }

    StorageClient client() {
        if (!isOpen) {
            throw new ClosedFileSystemException();
        }
        return client;
    }

    LockTable locks() {
        return locks;
    }

    /** The payload one call moves at most. */
    long chunkBytes() {
        return chunkBytes;
    }

    @Override
    public VosFileSystemProvider provider() {
        return provider;
    }

    /** Registers a channel or stream to close with this file system; refused once it is closed. */
    void opened(Closeable resource) {
        open.add(resource);
        if (!isOpen) {
            open.remove(resource);
            throw new ClosedFileSystemException();
        }
    }

    void closed(Closeable resource) {
        open.remove(resource);
    }

    @Override
    public void close() throws IOException {
        if (!isOpen) {
            return;
        }
        isOpen = false;
        // Their descriptors end with the client's session; closing them marks them closed for their users.
        for (Closeable resource : List.copyOf(open)) {
            resource.close();
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        provider.forget(this);
    }

    @Override
    public boolean isOpen() {
        return isOpen;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(getPath("/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of(store);
    }

    FileStore store() {
        return store;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return VIEWS;
    }

    @Override
    public VosPath getPath(String first, String... more) {
        StringBuilder joined = new StringBuilder(first);
        for (String part : more) {
            if (!part.isEmpty()) {
                if (!joined.isEmpty()) {
                    joined.append('/');
                }
                joined.append(part);
            }
        }
        return new VosPath(this, joined.toString());
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        // The default provider's glob and regex matchers work on a path's string, which is POSIX syntax here too.
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(Path.of(path.toString()));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return PosixPrincipals.LOOKUP;
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("the storage domain does not deliver file events (no inotify)");
    }

    @Override
    public String toString() {
        return "vos://" + domain;
    }
}
