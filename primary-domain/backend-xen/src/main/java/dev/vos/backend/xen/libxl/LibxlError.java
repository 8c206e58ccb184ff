package dev.vos.backend.xen.libxl;

import java.util.Map;

/** The names of libxl's error codes ({@code libxl_error} in {@code _libxl_types.h}, Xen 4.17), for messages. */
public final class LibxlError {

    // The codes vos acts on are named in LibxlLayout (checked against the headers); the rest are for messages only.
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(-1, "NONSPECIFIC"), Map.entry(-2, "VERSION"), Map.entry(LibxlLayout.ERROR_FAIL, "FAIL"),
            Map.entry(-4, "NI"), Map.entry(LibxlLayout.ERROR_NOMEM, "NOMEM"),
            Map.entry(LibxlLayout.ERROR_INVAL, "INVAL"), Map.entry(-7, "BADFAIL"), Map.entry(-8, "GUEST_TIMEDOUT"),
            Map.entry(LibxlLayout.ERROR_TIMEDOUT, "TIMEDOUT"), Map.entry(-10, "NOPARAVIRT"),
            Map.entry(LibxlLayout.ERROR_NOT_READY, "NOT_READY"), Map.entry(-12, "OSEVENT_REG_FAIL"),
            Map.entry(-13, "BUFFERFULL"), Map.entry(-14, "UNKNOWN_CHILD"), Map.entry(-15, "LOCK_FAIL"),
            Map.entry(-16, "JSON_CONFIG_EMPTY"), Map.entry(-17, "DEVICE_EXISTS"),
            Map.entry(LibxlLayout.ERROR_DOMAIN_NOTFOUND, "DOMAIN_NOTFOUND"), Map.entry(-22, "ABORTED"),
            Map.entry(-23, "NOTFOUND"), Map.entry(-24, "DOMAIN_DESTROYED"), Map.entry(-25, "FEATURE_REMOVED"));

    private LibxlError() {
    }

    /** "ERROR_DOMAIN_NOTFOUND (-21)". */
    public static String name(int rc) {
        return "ERROR_" + NAMES.getOrDefault(rc, "UNKNOWN") + " (" + rc + ")";
    }
}
