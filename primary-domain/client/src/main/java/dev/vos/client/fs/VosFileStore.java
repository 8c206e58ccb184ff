package dev.vos.client.fs;

import dev.vos.storage.protocol.FileSystemStat;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;

/** The one store of a vos file system: the file system that holds the storage domain's export root. */
final class VosFileStore extends FileStore {

    private final VosFileSystem fs;

    VosFileStore(VosFileSystem fs) {
        this.fs = fs;
    }

    private FileSystemStat statfs() throws IOException {
        try {
            return fs.client().statfs();
        } catch (ErrnoException e) {
            throw e.translate(fs.getPath("/"));
        }
    }

    @Override
    public String name() {
        return "vos://" + fs.domain();
    }

    @Override
    public String type() {
        return "vos";
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public long getTotalSpace() throws IOException {
        return statfs().totalBytes();
    }

    @Override
    public long getUnallocatedSpace() throws IOException {
        return statfs().freeBytes();
    }

    @Override
    public long getUsableSpace() throws IOException {
        return statfs().availableBytes();
    }

    @Override
    public long getBlockSize() throws IOException {
        return statfs().blockSize();
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return VosFileSystem.VIEWS.contains(name);
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
        return switch (attribute) {
            case "totalSpace" -> getTotalSpace();
            case "usableSpace" -> getUsableSpace();
            case "unallocatedSpace" -> getUnallocatedSpace();
            default -> throw new UnsupportedOperationException("'" + attribute + "' not recognized");
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
