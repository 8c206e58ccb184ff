package dev.vos.backend.xen.libxl;

/**
 * The few facts about libxenlight 4.17's C types that its JSON entry points cannot stand in for: how big a
 * {@code libxl_dominfo} and a {@code libxl_domain_config} are (the caller allocates them, and
 * {@code libxl_list_domain} returns an array of dominfos), the logger's vtable, and some enum values. Everything
 * else crosses the boundary as JSON ({@code libxl_domain_config_from_json}, {@code libxl_dominfo_to_json},
 * {@code libxl_event_to_json}).
 *
 * <p>Read from Debian 12's {@code libxen-dev} 4.17.7 headers ({@code _libxl_types.h}, {@code libxl.h},
 * {@code libxl_event.h}, {@code xentoollog.h}) on x86_64; {@code LibxlLayoutTest} compiles a C program against the
 * installed headers and fails if any of them differs, so another Xen version fails loudly instead of reading garbage.
 * At run time {@link Libxl#open} also refuses a hypervisor whose version is not 4.17.
 */
public final class LibxlLayout {

    private LibxlLayout() {
    }

    /** The Xen version these facts were checked against (major.minor), and the soname's suffix. */
    public static final String XEN_VERSION = "4.17";
    /** The library, by its versioned soname: a libxl of another version is not silently picked up. */
    public static final String LIBXENLIGHT = "libxenlight.so." + XEN_VERSION;
    /** xl.cfg parsing (libxlutil), same version. */
    public static final String LIBXLUTIL = "libxlutil.so." + XEN_VERSION;

    /** {@code #define LIBXL_VERSION 0} (libxl.h): the version argument of {@code libxl_ctx_alloc}. */
    public static final int LIBXL_VERSION = 0;

    /** {@code sizeof(libxl_dominfo)}: the stride of {@code libxl_list_domain}'s array. */
    public static final int SIZEOF_DOMINFO = 120;
    /** {@code sizeof(libxl_domain_config)}: the block {@code libxl_domain_config_init} fills. */
    public static final int SIZEOF_DOMAIN_CONFIG = 1288;

    /** {@code sizeof(xentoollog_logger)}: three function pointers, vmessage, progress, destroy. */
    public static final int SIZEOF_XENTOOLLOG_LOGGER = 24;
    /** {@code offsetof(xentoollog_logger, vmessage)}. */
    public static final int LOGGER_VMESSAGE_OFFSET = 0;
    /** {@code offsetof(xentoollog_logger, progress)}. */
    public static final int LOGGER_PROGRESS_OFFSET = 8;
    /** {@code offsetof(xentoollog_logger, destroy)}. */
    public static final int LOGGER_DESTROY_OFFSET = 16;

    /** {@code LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN}: the bit {@code 1 << 1} of an event type mask. */
    public static final int EVENT_TYPE_DOMAIN_SHUTDOWN = 1;
    /** {@code LIBXL_EVENT_TYPE_DOMAIN_DEATH}. */
    public static final int EVENT_TYPE_DOMAIN_DEATH = 2;

    /** {@code XTL_DEBUG} .. {@code XTL_CRITICAL} are 1 .. 9; these are the ones vos maps. */
    public static final int XTL_DETAIL = 3;
    /** {@code XTL_INFO}. */
    public static final int XTL_INFO = 5;
    /** {@code XTL_WARN}. */
    public static final int XTL_WARN = 7;
    /** {@code XTL_ERROR}. */
    public static final int XTL_ERROR = 8;

    /** {@code ERROR_FAIL} (libxl_error): a failure libxl gives no finer code for; vos uses it for its own too. */
    public static final int ERROR_FAIL = -3;
    /** {@code ERROR_NOMEM} (libxl_error): vos's code when libxlutil cannot allocate. */
    public static final int ERROR_NOMEM = -5;
    /** {@code ERROR_INVAL} (libxl_error): vos's code for an xl.cfg it refuses. */
    public static final int ERROR_INVAL = -6;
    /** {@code ERROR_TIMEDOUT} (libxl_error): vos's code for a destroyed domain that never went away. */
    public static final int ERROR_TIMEDOUT = -9;
    /** {@code ERROR_NOT_READY} (libxl_error): {@code libxl_event_check} found no event. */
    public static final int ERROR_NOT_READY = -11;
    /** {@code ERROR_DOMAIN_NOTFOUND} (libxl_error): {@code libxl_domain_info} of a domain that is gone. */
    public static final int ERROR_DOMAIN_NOTFOUND = -21;
}
