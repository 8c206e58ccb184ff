package dev.vos.client.fs;

import dev.vos.sys.Errno;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * A storage call answered {@code -errno}. Internal, as the JDK's own {@code UnixException}: it never leaves the
 * provider; {@link #translate} turns it into the exception the default file system throws for the same errno, so
 * that code written against the default provider sees the same types and the same reasons.
 */
final class ErrnoException extends Exception {

    private final int errno;

    ErrnoException(int errno) {
        super(null, null, false, false); // a result code: the stack trace is irrelevant
        this.errno = errno;
    }

    int errno() {
        return errno;
    }

    /** The exception {@code sun.nio.fs.UnixException.translateToIOException} gives for this errno. */
    IOException translate(VosPath file, VosPath other) {
        String a = file == null ? null : file.forMessages();
        String b = other == null ? null : other.forMessages();
        return switch (errno) {
            case Errno.EACCES -> new AccessDeniedException(a, b, null);
            case Errno.ENOENT -> new NoSuchFileException(a, b, null);
            case Errno.EEXIST -> new FileAlreadyExistsException(a, b, null);
            case Errno.ELOOP -> new FileSystemException(a, b,
                    Errno.message(errno) + " or unable to access attributes of symbolic link");
            case Errno.EXDEV -> new FileSystemException(a, b,
                    "the path leaves the storage domain's export root (" + Errno.message(errno) + ")");
            default -> new FileSystemException(a, b, Errno.message(errno));
        };
    }

    /**
     * The exception of an I/O call on an open channel: a plain {@code IOException} with the C library's text, as
     * the JDK's FileChannel throws (a channel's read of a directory is "Is a directory", not a FileSystemException).
     */
    IOException forChannel() {
        return new IOException(Errno.message(errno));
    }

    IOException translate(VosPath file) {
        return translate(file, null);
    }

    @Override
    public String getMessage() {
        return Errno.name(errno) + ": " + Errno.message(errno);
    }
}
