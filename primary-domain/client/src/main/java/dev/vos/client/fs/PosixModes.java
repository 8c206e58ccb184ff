package dev.vos.client.fs;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** POSIX permission bits and {@link PosixFilePermission} sets, both ways. */
final class PosixModes {

    /** The bit of each permission, in the enum's order (OWNER_READ ... OTHERS_EXECUTE). */
    private static final int[] BITS = {0400, 0200, 0100, 040, 020, 010, 04, 02, 01};

    private PosixModes() {
    }

    static Set<PosixFilePermission> toPermissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & BITS[p.ordinal()]) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    static int toMode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= BITS[p.ordinal()];
        }
        return mode;
    }

    /**
     * The mode an initial "posix:permissions" attribute asks for, or {@code defaultMode}; any other attribute is
     * refused with {@link UnsupportedOperationException}, as the default provider refuses it.
     */
    @SuppressWarnings("unchecked")
    static int initialMode(int defaultMode, FileAttribute<?>... attrs) {
        int mode = defaultMode;
        for (FileAttribute<?> attr : attrs) {
            String name = attr.name();
            if (!name.equals("posix:permissions") && !name.equals("unix:permissions")) {
                throw new UnsupportedOperationException("'" + name + "' not supported as initial attribute");
            }
            mode = toMode((Set<PosixFilePermission>) attr.value());
        }
        return mode;
    }
}
