package dev.vos.client.fs.mount;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * A domain's attribute view of a mounted path, whose failures name the path the program gave (the domain's view
 * names the domain's path). Serves the basic, owner and posix views: the ones the domain serves.
 */
final class MountedAttributeView implements PosixFileAttributeView {

    private final String name;
    private final BasicFileAttributeView served;
    private final MountedPath path;
    private final MountedFileSystemProvider provider;

    MountedAttributeView(String name, BasicFileAttributeView served, MountedPath path,
                         MountedFileSystemProvider provider) {
        this.name = name;
        this.served = served;
        this.path = path;
        this.provider = provider;
    }

    private IOException named(IOException e) {
        return Borders.named(e, path, null, provider);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
        try {
            return (PosixFileAttributes) served.readAttributes();
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
            throws IOException {
        try {
            served.setTimes(lastModifiedTime, lastAccessTime, createTime);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
        try {
            ((PosixFileAttributeView) served).setPermissions(perms);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
        try {
            ((PosixFileAttributeView) served).setGroup(group);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
        try {
            return ((FileOwnerAttributeView) served).getOwner();
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
        try {
            ((FileOwnerAttributeView) served).setOwner(owner);
        } catch (IOException e) {
            throw named(e);
        }
    }
}
