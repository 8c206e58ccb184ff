package dev.vos.backend.xen.libxl;

/**
 * A libxl or libxlutil call that failed; the message names the call, the domain if any, the code and libxl's
 * reason.
 */
public final class LibxlException extends Exception {

    private final int rc;

    public LibxlException(String message, int rc) {
        super(message);
        this.rc = rc;
    }

    /** libxl's error code (negative), or an errno from libxlutil (positive). */
    public int rc() {
        return rc;
    }
}
