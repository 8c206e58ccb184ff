package dev.vos.client.fs.mount;

import dev.vos.sys.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What crosses a mount's border: a copy or move between the host and a domain (or two domains), done as the
 * default provider does one between two devices, and exceptions, which name the paths the program gave rather
 * than the domain's.
 */
final class Borders {

    /** The reason the default provider gives for a rename or link between two devices. */
    static final String CROSS_DEVICE = Errno.message(Errno.EXDEV);

    private Borders() {
    }

    /**
     * Copies, or moves, {@code source} to {@code target} of another file system: as the JDK's
     * {@code UnixFileSystem.move} when rename(2) answers EXDEV, an atomic move is refused, a directory must be
     * empty to move (only it is copied, not its entries), then the copy, its times (for a move, or with
     * COPY_ATTRIBUTES) and the source's deletion. A link is copied as a link (its target's text).
     */
    static void copyAcross(Path source, Path target, boolean move, CopyOption... options) throws IOException {
        boolean replace = false;
        boolean attributes = move;
        boolean follow = !move;
        for (CopyOption option : options) {
            if (option == StandardCopyOption.REPLACE_EXISTING) {
                replace = true;
            } else if (option == StandardCopyOption.COPY_ATTRIBUTES && !move) {
                attributes = true;
            } else if (option == LinkOption.NOFOLLOW_LINKS) {
                follow = false;
            } else if (option == StandardCopyOption.ATOMIC_MOVE && move) {
                throw new AtomicMoveNotSupportedException(source.toString(), target.toString(), CROSS_DEVICE);
            } else if (option == null) {
                throw new NullPointerException("a copy option is null");
            } else {
                throw new UnsupportedOperationException("Unsupported copy option: " + option);
            }
        }
        LinkOption[] links = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        BasicFileAttributes from = Files.readAttributes(source, BasicFileAttributes.class, links);
        if (replace) {
            Files.deleteIfExists(target);
        } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        if (move && from.isDirectory()) {
            try (var entries = Files.newDirectoryStream(source)) {
                if (entries.iterator().hasNext()) {
                    throw new DirectoryNotEmptyException(source.toString());
                }
            }
        }
        if (from.isDirectory()) {
            Files.createDirectory(target);
        } else if (from.isSymbolicLink()) {
            Files.createSymbolicLink(target, target.getFileSystem().getPath(Files.readSymbolicLink(source).toString()));
        } else {
            try (InputStream in = Files.newInputStream(source)) {
                Files.copy(in, target);
            }
        }
        if (attributes && !from.isSymbolicLink()) {
            Files.getFileAttributeView(target, BasicFileAttributeView.class)
                    .setTimes(from.lastModifiedTime(), from.lastAccessTime(), null);
        }
        if (move) {
            try {
                Files.delete(source);
            } catch (IOException e) {
                Files.deleteIfExists(target); // the source stays: the move did not happen
                throw e;
            }
        }
    }

    /**
     * {@code e} naming the program's paths: a path a domain named is named as the host path it stands for. A
     * failure of the domain itself (down, restarted, a lost descriptor) is passed on as it is, the same exception a
     * {@code vos://} path gives.
     */
    static IOException named(IOException e, MountedPath a, MountedPath b, MountedFileSystemProvider provider) {
        if (!(e instanceof FileSystemException f)) {
            return e;
        }
        String file = rename(f.getFile(), a, b, provider);
        String other = rename(f.getOtherFile(), a, b, provider);
        String reason = f.getReason();
        if (java.util.Objects.equals(file, f.getFile()) && java.util.Objects.equals(other, f.getOtherFile())) {
            return e;
        }
        FileSystemException renamed = switch (f) {
            case NoSuchFileException x -> new NoSuchFileException(file, other, reason);
            case FileAlreadyExistsException x -> new FileAlreadyExistsException(file, other, reason);
            case AccessDeniedException x -> new AccessDeniedException(file, other, reason);
            case DirectoryNotEmptyException x -> new DirectoryNotEmptyException(file);
            case NotDirectoryException x -> new NotDirectoryException(file);
            case NotLinkException x -> new NotLinkException(file, other, reason);
            case AtomicMoveNotSupportedException x -> new AtomicMoveNotSupportedException(file, other, reason);
            case FileSystemLoopException x -> new FileSystemLoopException(file);
            default -> f.getClass() == FileSystemException.class ? new FileSystemException(file, other, reason) : f;
        };
        if (renamed != f) {
            renamed.setStackTrace(f.getStackTrace());
        }
        return renamed;
    }

    private static String rename(String name, MountedPath a, MountedPath b, MountedFileSystemProvider provider) {
        if (name == null) {
            return null;
        }
        for (MountedPath p : new MountedPath[] {a, b}) {
            if (p == null) {
                continue;
            }
            boolean onHost = p.served() == p.platform();
            if (onHost && name.equals(p.toString())) {
                return name; // a host path of a copy across the border: the host's name already
            }
            if (!onHost && name.equals(p.served().toString())) {
                return p.toString();
            }
        }
        for (MountedPath p : new MountedPath[] {a, b}) {
            if (p != null && p.served() != p.platform()) {
                String host = provider.mountOf(p).hostPath(name);
                if (host != null) {
                    return host;
                }
            }
        }
        return name;
    }
}
