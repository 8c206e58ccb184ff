package dev.vos.ring.transport.xen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code IOCTL_GNTALLOC_ALLOC_GREF} answered {@code ENOSPC}: the gntalloc module's system-wide grant limit (module
 * parameter {@code limit}, 1,024 by default) would be exceeded. One line naming the pages asked for, the limit, and
 * the two ways out.
 */
public final class GrantLimitException extends IOException {

    /** Where the running module shows (and root may change) its limit. */
    public static final Path LIMIT_PARAMETER = Path.of("/sys/module/xen_gntalloc/parameters/limit");

    private final int pagesAsked;

    GrantLimitException(int pagesAsked) {
        super("gntalloc refused " + pagesAsked + " grants: its system-wide limit is " + currentLimit()
                + " (grants held by every ring of this domain count); take a smaller geometry (32 slots of 64 KiB"
                + " need 513 pages, 64 slots of 16 KiB 258) or raise the limit: echo N > " + LIMIT_PARAMETER
                + ", or modprobe xen-gntalloc limit=N");
        this.pagesAsked = pagesAsked;
    }

    /** Pages the ring asked for. */
    public int pagesAsked() {
        return pagesAsked;
    }

    /** The module's limit as {@link #LIMIT_PARAMETER} says, or "unknown" when it cannot be read. */
    static String currentLimit() {
        try {
            return Files.readString(LIMIT_PARAMETER).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown (" + LIMIT_PARAMETER + " unreadable; 1024 by default)";
        }
    }
}
