package dev.vos.client.fs;

import dev.vos.storage.protocol.FileStat;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The basic and POSIX attributes of a file, from the domain's {@link FileStat}; the same values the default
 * provider reads from stat(2): the creation time is the birth time where the file system records one, else the
 * last-modified time; the file key is the device and inode.
 */
record VosFileAttributes(FileStat stat) implements PosixFileAttributes {

    /** The file key: equal for two paths of the same file. */
    record FileKey(long dev, long ino) {
    }

    static FileTime time(long seconds, int nanos) {
        return FileTime.from(Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public FileTime lastModifiedTime() {
        return time(stat.mtimeSeconds(), stat.mtimeNanos());
    }

    @Override
    public FileTime lastAccessTime() {
        return time(stat.atimeSeconds(), stat.atimeNanos());
    }

    @Override
    public FileTime creationTime() {
        return stat.btimeSeconds() == FileStat.NO_BTIME ? lastModifiedTime()
                : time(stat.btimeSeconds(), stat.btimeNanos());
    }

    /** The status-change time (the "unix:ctime" of the default provider). */
    FileTime changeTime() {
        return time(stat.ctimeSeconds(), stat.ctimeNanos());
    }

    @Override
    public boolean isRegularFile() {
        return stat.isRegularFile();
    }

    @Override
    public boolean isDirectory() {
        return stat.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return stat.isSymbolicLink();
    }

    @Override
    public boolean isOther() {
        return !isRegularFile() && !isDirectory() && !isSymbolicLink();
    }

    @Override
    public long size() {
        return stat.size();
    }

    @Override
    public FileKey fileKey() {
        return new FileKey(stat.dev(), stat.ino());
    }

    @Override
    public UserPrincipal owner() {
        return PosixPrincipals.user(stat.uid());
    }

    @Override
    public GroupPrincipal group() {
        return PosixPrincipals.group(stat.gid());
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return PosixModes.toPermissions(stat.mode());
    }
}
