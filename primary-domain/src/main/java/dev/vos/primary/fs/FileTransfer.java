package dev.vos.primary.fs;

import dev.vos.primary.fs.StorageClient.Descriptor;
import dev.vos.storage.FileStat;
import dev.vos.storage.StorageSyscalls;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;

/**
 * {@code Files.copy} within one vos file system, in the order of checks of the JDK's {@code UnixCopyFile}: the
 * source's attributes, then the target's (the same file: nothing to do; there and no REPLACE_EXISTING:
 * FileAlreadyExists; a full directory in the way: DirectoryNotEmpty), then a directory, a link or the bytes.
 * The bytes pass through the client, one payload chunk at a time (the domain has no copy call).
 */
final class FileTransfer {

    private FileTransfer() {
    }

    static void copy(VosPath source, VosPath target, CopyOption... options) throws IOException {
        boolean replace = false;
        boolean copyAttributes = false;
        boolean followLinks = true;
        for (CopyOption option : options) {
            if (option == StandardCopyOption.REPLACE_EXISTING) {
                replace = true;
            } else if (option == StandardCopyOption.COPY_ATTRIBUTES) {
                copyAttributes = true;
            } else if (option == LinkOption.NOFOLLOW_LINKS) {
                followLinks = false;
            } else if (option == null) {
                throw new NullPointerException("a copy option is null");
            } else {
                throw new UnsupportedOperationException("Unsupported copy option: " + option);
            }
        }
        VosFileSystemProvider provider = source.getFileSystem().provider();
        StorageClient client = source.getFileSystem().client();
        FileStat from = provider.attributes(source, followLinks).stat();
        FileStat existing = provider.statIfExists(target, false);
        if (existing != null) {
            if (existing.dev() == from.dev() && existing.ino() == from.ino()) {
                return;
            }
            if (!replace) {
                throw new FileAlreadyExistsException(target.forMessages());
            }
            try {
                client.unlink(target.domainPath(), existing.isDirectory());
            } catch (ErrnoException e) {
                if (existing.isDirectory() && (e.errno() == Errno.EEXIST || e.errno() == Errno.ENOTEMPTY)) {
                    throw new DirectoryNotEmptyException(target.forMessages());
                }
                throw e.translate(target);
            }
        }
        try {
            if (from.isDirectory()) {
                client.mkdir(target.domainPath(), from.mode() & 0777);
            } else if (from.isSymbolicLink()) {
                client.symlink(client.readlink(source.domainPath()), target.domainPath());
                return; // a link's own times and owner are left as made
            } else {
                copyBytes(client, source, target, from);
            }
        } catch (ErrnoException e) {
            throw e.translate(source, target);
        }
        if (copyAttributes) {
            VosAttributeView view = new VosAttributeView("posix", target, true);
            VosFileAttributes attrs = new VosFileAttributes(from);
            view.setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
        }
    }

    private static void copyBytes(StorageClient client, VosPath source, VosPath target, FileStat from)
            throws IOException, ErrnoException {
        Descriptor in = client.open(source.domainPath(), StorageSyscalls.O_RDONLY, 0);
        try {
            Descriptor out;
            try {
                out = client.open(target.domainPath(),
                        StorageSyscalls.O_WRONLY | StorageSyscalls.O_CREAT | StorageSyscalls.O_EXCL, from.mode() & 0777);
            } catch (ErrnoException e) {
                throw e.translate(target);
            }
            try {
                ByteBuffer buffer = ByteBuffer.allocateDirect((int) source.getFileSystem().chunkBytes());
                long at = 0;
                while (true) {
                    buffer.clear();
                    int n = client.pread(in, buffer, at);
                    if (n == 0) {
                        break;
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        client.pwrite(out, buffer, at + buffer.position());
                    }
                    at += n;
                }
            } finally {
                client.close(out);
            }
        } finally {
            client.close(in);
        }
    }
}
