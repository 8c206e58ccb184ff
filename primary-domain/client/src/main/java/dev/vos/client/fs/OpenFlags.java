package dev.vos.client.fs;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

import static dev.vos.storage.protocol.StorageFlags.*;

/**
 * {@link OpenOption}s as open(2) flags, with the default provider's rules (the JDK's {@code UnixChannelFactory}):
 * neither READ nor WRITE means READ (WRITE with APPEND); READ+APPEND and APPEND+TRUNCATE_EXISTING are refused;
 * CREATE, CREATE_NEW and TRUNCATE_EXISTING mean something only for writing.
 */
record OpenFlags(boolean read, boolean write, boolean append, boolean truncateExisting, boolean create,
                 boolean createNew, boolean deleteOnClose, boolean noFollowLinks, boolean sync, boolean dsync) {

    static OpenFlags of(Set<? extends OpenOption> options) {
        boolean read = false;
        boolean write = false;
        boolean append = false;
        boolean truncate = false;
        boolean create = false;
        boolean createNew = false;
        boolean deleteOnClose = false;
        boolean noFollow = false;
        boolean sync = false;
        boolean dsync = false;
        for (OpenOption option : options) {
            if (option == null) {
                throw new NullPointerException("an open option is null");
            }
            switch (option) {
                case StandardOpenOption.READ -> read = true;
                case StandardOpenOption.WRITE -> write = true;
                case StandardOpenOption.APPEND -> append = true;
                case StandardOpenOption.TRUNCATE_EXISTING -> truncate = true;
                case StandardOpenOption.CREATE -> create = true;
                case StandardOpenOption.CREATE_NEW -> createNew = true;
                case StandardOpenOption.DELETE_ON_CLOSE -> deleteOnClose = true;
                case StandardOpenOption.SPARSE -> { } // a hint the default provider ignores on Linux too
                case StandardOpenOption.SYNC -> sync = true;
                case StandardOpenOption.DSYNC -> dsync = true;
                case LinkOption.NOFOLLOW_LINKS -> noFollow = true;
                default -> throw new UnsupportedOperationException("open option " + option + " is not supported");
            }
        }
        if (!read && !write) {
            if (append) {
                write = true;
            } else {
                read = true;
            }
        }
        if (read && append) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && truncate) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        return new OpenFlags(read, write, append, truncate, create, createNew, deleteOnClose, noFollow, sync, dsync);
    }

    /** The open(2) flags these options mean. */
    int toOpenFlags() {
        int flags = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
        if (write) {
            if (truncateExisting) {
                flags |= O_TRUNC;
            }
            if (append) {
                flags |= O_APPEND;
            }
            if (createNew) {
                flags |= O_CREAT | O_EXCL; // O_EXCL also refuses a symbolic link in the way, as NOFOLLOW would
            } else if (create) {
                flags |= O_CREAT;
            }
        }
        if (noFollowLinks && !createNew) {
            flags |= O_NOFOLLOW;
        }
        if (dsync) {
            flags |= O_DSYNC;
        }
        if (sync) {
            flags |= O_SYNC;
        }
        return flags;
    }
}
