package dev.vos.client.fs;

import dev.vos.client.DomainHandle;
import dev.vos.storage.protocol.FileStat;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;

/**
 * {@code Files.copy} and {@code Files.move} within one vos file system, in the order of checks of the JDK's
 * {@code UnixFileSystem.copy} and {@code move}, because that order decides which exception a caller sees: the
 * source's attributes (ENOTDIR reported as ENOENT), its access, the target's attributes (the same file: nothing to
 * do; there without REPLACE_EXISTING: FileAlreadyExists; a full directory in the way: DirectoryNotEmpty), then a
 * rename, or a directory, a link or the bytes. Bytes pass through the client one payload chunk at a time (the
 * domain has no copy call).
 */
final class FileTransfer {

    private static final int R_OK = 4;
    private static final int W_OK = 2;

    /** The copy and move options, as the JDK's {@code UnixFileSystem.Flags}. */
    private record Flags(boolean replace, boolean copyAttributes, boolean followLinks, boolean atomic) {

        static Flags of(boolean move, CopyOption... options) {
            boolean replace = false;
            boolean attributes = move;
            boolean follow = !move;
            boolean atomic = false;
            for (CopyOption option : options) {
                if (option == StandardCopyOption.REPLACE_EXISTING) {
                    replace = true;
                } else if (option == StandardCopyOption.COPY_ATTRIBUTES && !move) {
                    attributes = true;
                } else if (option == LinkOption.NOFOLLOW_LINKS) {
                    follow = false;
                } else if (option == StandardCopyOption.ATOMIC_MOVE && move) {
                    atomic = true;
                } else if (option == null) {
                    throw new NullPointerException("a copy option is null");
                } else {
                    throw new UnsupportedOperationException("Unsupported copy option: " + option);
                }
            }
            return new Flags(replace, attributes, follow, atomic);
        }
    }

    private FileTransfer() {
    }

    static void copy(VosPath source, VosPath target, CopyOption... options) throws IOException {
        Flags flags = Flags.of(false, options);
        StorageClient client = source.getFileSystem().client();
        FileStat from = sourceStat(client, source, flags.followLinks());
        if (!from.isSymbolicLink() || flags.followLinks()) {
            access(client, source, R_OK);
        }
        if (!clearTarget(client, from, target, flags)) {
            return;
        }
        copyInto(client, source, from, target, flags);
    }

    static void move(VosPath source, VosPath target, CopyOption... options) throws IOException {
        Flags flags = Flags.of(true, options);
        StorageClient client = source.getFileSystem().client();
        if (flags.atomic()) {
            try {
                client.rename(source.domainPath(), target.domainPath(), 0);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EXDEV) {
                    throw new AtomicMoveNotSupportedException(source.forMessages(), target.forMessages(),
                            Errno.message(e.errno()));
                }
                throw e.translate(source, target);
            }
            return;
        }
        FileStat from = sourceStat(client, source, false);
        if (from.isDirectory()) {
            access(client, source, W_OK);
        }
        if (!clearTarget(client, from, target, flags)) {
            return;
        }
        try {
            client.rename(source.domainPath(), target.domainPath(), 0);
            return;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EXDEV && e.errno() != Errno.EISDIR) {
                throw e.translate(source, target);
            }
        }
        // rename could not: copy, then delete the source (as the JDK does across file systems)
        if (from.isDirectory()) {
            ensureEmptyDirectory(source);
        }
        copyInto(client, source, from, target, flags);
        try {
            client.unlink(source.domainPath(), from.isDirectory());
        } catch (ErrnoException e) {
            try {
                client.unlink(target.domainPath(), from.isDirectory());
            } catch (ErrnoException ignore) {
                // the first failure is the one to report
            }
            if (from.isDirectory() && (e.errno() == Errno.EEXIST || e.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(source.forMessages());
            }
            throw e.translate(source);
        }
    }

    private static FileStat sourceStat(StorageClient client, VosPath source, boolean followLinks) throws IOException {
        try {
            return client.stat(source.domainPath(), followLinks);
        } catch (ErrnoException e) {
            throw (e.errno() == Errno.ENOTDIR ? new ErrnoException(Errno.ENOENT) : e).translate(source);
        }
    }

    private static void access(StorageClient client, VosPath path, int mode) throws IOException {
        try {
            client.access(path.domainPath(), mode);
        } catch (ErrnoException e) {
            throw e.translate(path);
        }
    }

    /** Deals with an existing target; returns false when source and target are the same file (nothing to do). */
    private static boolean clearTarget(StorageClient client, FileStat from, VosPath target, Flags flags)
            throws IOException {
        FileStat existing;
        try {
            existing = client.stat(target.domainPath(), false);
        } catch (ErrnoException e) {
            return true; // any failure means "not there" here, as in the JDK
        }
        if (existing.dev() == from.dev() && existing.ino() == from.ino()) {
            return false;
        }
        if (!flags.replace()) {
            throw new FileAlreadyExistsException(target.forMessages());
        }
        try {
            client.unlink(target.domainPath(), existing.isDirectory());
        } catch (ErrnoException e) {
            if (existing.isDirectory() && (e.errno() == Errno.EEXIST || e.errno() == Errno.ENOTEMPTY)) {
                throw new DirectoryNotEmptyException(target.forMessages());
            }
            if (e.errno() != Errno.ENOENT) {
                throw e.translate(target);
            }
        }
        return true;
    }

    private static void ensureEmptyDirectory(VosPath dir) throws IOException {
        try (var entries = dir.getFileSystem().provider().newDirectoryStream(dir, p -> true)) {
            if (entries.iterator().hasNext()) {
                throw new DirectoryNotEmptyException(dir.forMessages());
            }
        }
    }

    private static void copyInto(StorageClient client, VosPath source, FileStat from, VosPath target, Flags flags)
            throws IOException {
        if (from.isDirectory()) {
            try {
                client.mkdir(target.domainPath(), from.mode() & 0777);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EEXIST && flags.replace()) {
                    throw new FileSystemException(target.toString());
                }
                throw e.translate(target);
            }
        } else if (from.isSymbolicLink()) {
            String linkTarget;
            try {
                linkTarget = client.readlink(source.domainPath());
            } catch (ErrnoException e) {
                throw e.translate(source);
            }
            try {
                client.symlink(linkTarget, target.domainPath());
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EEXIST && flags.replace()) {
                    throw new FileSystemException(target.toString());
                }
                throw e.translate(target);
            }
            return; // a link's own times are left as made
        } else {
            copyBytes(client, source, from, target, flags);
        }
        if (flags.copyAttributes()) {
            VosFileAttributes attrs = new VosFileAttributes(from);
            new VosAttributeView("basic", target, true).setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(),
                    null);
        }
    }

    private static void copyBytes(StorageClient client, VosPath source, FileStat from, VosPath target, Flags flags)
            throws IOException {
        DomainHandle in;
        try {
            in = client.open(source.domainPath(), StorageFlags.O_RDONLY, 0);
        } catch (ErrnoException e) {
            throw e.translate(source);
        }
        try {
            DomainHandle out;
            try {
                out = client.open(target.domainPath(),
                        StorageFlags.O_WRONLY | StorageFlags.O_CREAT | StorageFlags.O_EXCL, from.mode() & 0777);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EEXIST && flags.replace()) {
                    throw new FileSystemException(target.toString());
                }
                throw e.translate(target);
            }
            boolean done = false;
            try {
                if (client.copyInDomain(in, 0, out, 0, Long.MAX_VALUE) < 0) {
                    copyThroughRing(client, in, out, source.getFileSystem().chunkBytes());
                }
                done = true;
            } catch (ErrnoException e) {
                throw e.forChannel();
            } finally {
                closeQuietly(client, out);
                if (!done) {
                    try {
                        client.unlink(target.domainPath(), false);
                    } catch (ErrnoException ignore) {
                        // the copy's own failure is the one to report
                    }
                }
            }
        } finally {
            closeQuietly(client, in);
        }
    }

    /** Copies {@code in}'s file into {@code out}'s by pread and pwrite, a chunk at a time through the ring. */
    private static void copyThroughRing(StorageClient client, DomainHandle in, DomainHandle out, long chunk)
            throws IOException, ErrnoException {
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) chunk);
        long at = 0;
        while (true) {
            buffer.clear();
            int n = client.pread(in, buffer, at);
            if (n == 0) {
                return;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                client.pwrite(out, buffer, at + buffer.position());
            }
            at += n;
        }
    }

    private static void closeQuietly(StorageClient client, DomainHandle d) throws IOException {
        try {
            client.close(d);
        } catch (ErrnoException e) {
            // a close that fails leaves nothing for the caller to do
        }
    }
}
