package dev.vos.backend.xen.libxl;

import java.util.Map;

/** The names of libxl's error codes ({@code libxl_error} in {@code _libxl_types.h}, Xen 4.17), for messages. */
public final class LibxlError {

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(-1, "NONSPECIFIC"),
            Map.entry(-2, "VERSION"), Map.entry(-3, "FAIL"), Map.entry(-4, "NI"), Map.entry(-5, "NOMEM"),
            Map.entry(-6, "INVAL"), Map.entry(-7, "BADFAIL"), Map.entry(-8, "GUEST_TIMEDOUT"),
            Map.entry(-9, "TIMEDOUT"), Map.entry(-10, "NOPARAVIRT"), Map.entry(-11, "NOT_READY"),
            Map.entry(-12, "OSEVENT_REG_FAIL"), Map.entry(-13, "BUFFERFULL"), Map.entry(-14, "UNKNOWN_CHILD"),
            Map.entry(-15, "LOCK_FAIL"), Map.entry(-16, "JSON_CONFIG_EMPTY"), Map.entry(-17, "DEVICE_EXISTS"),
            Map.entry(-21, "DOMAIN_NOTFOUND"), Map.entry(-22, "ABORTED"), Map.entry(-23, "NOTFOUND"),
            Map.entry(-24, "DOMAIN_DESTROYED"), Map.entry(-25, "FEATURE_REMOVED"));

    private LibxlError() {
    }

    /** "ERROR_DOMAIN_NOTFOUND (-21)". */
    public static String name(int rc) {
        return "ERROR_" + NAMES.getOrDefault(rc, "UNKNOWN") + " (" + rc + ")";
    }
}
