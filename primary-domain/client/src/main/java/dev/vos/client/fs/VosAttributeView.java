package dev.vos.client.fs;

import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The "basic", "owner" and "posix" views of one path: reads are a stat of the domain's file, writes are
 * utimens, chmod and chown calls. The view holds the path, not an open file, as the default provider's does.
 */
final class VosAttributeView implements PosixFileAttributeView {

    private final String name;
    private final VosPath path;
    private final boolean followLinks;

    VosAttributeView(String name, VosPath path, boolean followLinks) {
        this.name = name;
        this.path = path;
        this.followLinks = followLinks;
    }

    private StorageClient client() {
        return path.getFileSystem().client();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VosFileAttributes readAttributes() throws IOException {
        return path.getFileSystem().provider().attributes(path, followLinks);
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
        if (lastModifiedTime == null && lastAccessTime == null) {
            return; // the creation time cannot be set on Linux; the default provider ignores it as well
        }
        try {
            client().utimens(path.domainPath(), nanos(lastAccessTime), nanos(lastModifiedTime), followLinks);
        } catch (ErrnoException e) {
            throw e.translate(path);
        }
    }

    private static long nanos(FileTime time) {
        return time == null ? StorageCalls.UTIME_UNCHANGED : time.to(TimeUnit.NANOSECONDS);
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
        return readAttributes().owner();
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
        if (owner == null) {
            throw new NullPointerException("'owner' is null");
        }
        chown(PosixPrincipals.uidOf(owner), -1);
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
        if (group == null) {
            throw new NullPointerException("'group' is null");
        }
        chown(-1, PosixPrincipals.gidOf(group));
    }

    private void chown(int uid, int gid) throws IOException {
        try {
            client().chown(path.domainPath(), uid, gid, followLinks);
        } catch (ErrnoException e) {
            throw e.translate(path);
        }
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> permissions) throws IOException {
        int mode = PosixModes.toMode(permissions);
        if (!followLinks && readAttributes().isSymbolicLink()) {
            // Linux has no permissions of its own for a link: the default provider fails the same way (ELOOP).
            throw new ErrnoException(Errno.ELOOP).translate(path);
        }
        try {
            client().chmod(path.domainPath(), mode);
        } catch (ErrnoException e) {
            throw e.translate(path);
        }
    }
}
