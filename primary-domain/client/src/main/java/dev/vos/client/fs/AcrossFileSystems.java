package dev.vos.client.fs;

import dev.vos.sys.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * A copy or move between two file systems, as the default provider does one between two devices: two storage
 * domains' ({@code vos://storage0/a} to {@code vos://storage1/b}, which no rename can do, since each domain
 * resolves names beneath its own export root), or the host's and a domain's (a mount's border). The source is read
 * through its own file system and the target written through its own, with {@code Files}, so each end is served
 * by the domain (or host) it names.
 */
public final class AcrossFileSystems {

    /** The reason the default provider gives for a rename or link between two devices: "Invalid cross-device link". */
    public static final String CROSS_DEVICE = Errno.message(Errno.EXDEV);

    private AcrossFileSystems() {
    }

    /**
     * Copies, or moves, {@code source} to {@code target} of another file system: as the JDK's
     * {@code UnixFileSystem.move} when rename(2) answers EXDEV, an atomic move is refused, a directory must be
     * empty to move (only it is copied, not its entries), then the copy, its permissions and times (for a move,
     * or with COPY_ATTRIBUTES) and the source's deletion; if the source cannot be deleted, the copy is, and the
     * move did not happen. A link is copied as a link (its target's text) in a move or with NOFOLLOW_LINKS.
     *
     * @throws AtomicMoveNotSupportedException for ATOMIC_MOVE, before anything is read or written
     */
    public static void copy(Path source, Path target, boolean move, CopyOption... options) throws IOException {
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
            copyAttributes(source, from, target, links);
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
     * The permissions (when both ends have POSIX ones) and the times, as the JDK's copy between two devices does;
     * not the owner, which a domain (running as its own user) could not give away.
     */
    private static void copyAttributes(Path source, BasicFileAttributes from, Path target, LinkOption... links)
            throws IOException {
        PosixFileAttributeView sourcePosix = Files.getFileAttributeView(source, PosixFileAttributeView.class, links);
        PosixFileAttributeView targetPosix = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (sourcePosix != null && targetPosix != null) {
            targetPosix.setPermissions(sourcePosix.readAttributes().permissions());
        }
        Files.getFileAttributeView(target, BasicFileAttributeView.class)
                .setTimes(from.lastModifiedTime(), from.lastAccessTime(), null);
    }
}
