package dev.vos.client.fs.mount;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * What crosses a mount's border: exceptions, which name the paths the program gave rather than the domain's. (A
 * copy or move between the host and a domain, or two domains, is {@link dev.vos.client.fs.AcrossFileSystems}'s.)
 */
final class Borders {

    private Borders() {
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
        // Each name is first matched with its own path: across two domains both may be the same domain path text.
        String file = rename(f.getFile(), a, b, provider);
        String other = rename(f.getOtherFile(), b, a, provider);
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
