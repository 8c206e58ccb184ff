package dev.vos.backend.xen.libxl;

/**
 * Xen cannot be driven from here: libxenlight is not installed, or it is but this is not a Xen dom0. The message
 * is one line that says which, and what to do.
 */
public final class XenUnavailableException extends Exception {

    public XenUnavailableException(String message) {
        super(message);
    }

    public XenUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
