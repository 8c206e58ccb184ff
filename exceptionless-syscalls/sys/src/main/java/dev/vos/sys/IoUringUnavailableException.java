package dev.vos.sys;

/**
 * The kernel refused to set up an io_uring (ENOSYS: too old or built without it; EPERM: turned off by
 * {@code kernel.io_uring_disabled} or a seccomp filter; ENOMEM, EMFILE). Callers fall back to plain system calls.
 */
public final class IoUringUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The errno io_uring_setup (or a mapping of its rings) answered. */
    private final int errno;

    /** For {@code errno}, the reason io_uring_setup or its mmap failed. */
    public IoUringUnavailableException(final int errno) {
        super("io_uring is unavailable: " + Errno.name(errno));
        this.errno = errno;
    }

    /** The errno the kernel answered. */
    public int errno() {
        return errno;
    }
}
