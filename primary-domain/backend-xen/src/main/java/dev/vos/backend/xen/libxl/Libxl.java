package dev.vos.backend.xen.libxl;

import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One libxl context and the calls vos makes through it, one method per libxl function (its C prototype is on the
 * mapping in {@link NativeLibxl}). Return codes become {@link LibxlException}s that name the call and carry libxl's
 * last error line; the strings libxl allocates are freed here.
 *
 * <p>libxl serialises calls on one context with its own lock, and {@link #waitEvent} releases it while it polls, so
 * one thread may wait for events while others destroy domains or list them; {@link #createDomain} uses a context
 * of its own (see there). Calls block (creating a domain takes seconds): make them from platform threads, not
 * virtual ones, which a native call would pin.
 *
 * <p>libxl's log goes through a {@code xentoollog_logger} whose three callbacks are Java objects; this class holds
 * them (and the vtable's memory) for as long as the context lives, so the garbage collector never frees a function
 * pointer libxl still has.
 */
public final class Libxl implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.vos.primary.backend.xen.libxl");
    private static final long DEATH_EVENTS = (1L << LibxlLayout.EVENT_TYPE_DOMAIN_SHUTDOWN)
            | (1L << LibxlLayout.EVENT_TYPE_DOMAIN_DEATH);

    /** How the libraries are found; tests replace it. */
    public interface Loader {
        /** Loads libxenlight, or throws UnsatisfiedLinkError. */
        Object xenlight();

        /** Loads libxlutil, or throws UnsatisfiedLinkError. */
        Object xlutil();
    }

    /** The real libraries, by their versioned sonames. */
    public static final Loader SYSTEM = new Loader() {
        @Override
        public Object xenlight() {
            return Native.load(LibxlLayout.LIBXENLIGHT, NativeLibxl.Xenlight.class);
        }

        @Override
        public Object xlutil() {
            return Native.load(LibxlLayout.LIBXLUTIL, NativeLibxl.Xlutil.class);
        }
    };

    private final NativeLibxl.Xenlight xl;
    private final NativeLibxl.Xlutil xlu;
    private final NativeLibxl.LibC libc;
    // Strong references to everything libxl holds a pointer to: the vtable and its three callbacks.
    private final Memory logger;
    private final NativeLibxl.VmessageCallback vmessage;
    private final NativeLibxl.ProgressCallback progress;
    private final NativeLibxl.DestroyCallback destroy;
    private final ThreadLocal<String> lastError = new ThreadLocal<>();
    private final String version;
    private Pointer ctx;

    private Libxl(NativeLibxl.Xenlight xl, NativeLibxl.Xlutil xlu) throws XenUnavailableException {
        this.xl = xl;
        this.xlu = xlu;
        this.libc = Native.load("c", NativeLibxl.LibC.class);
        this.vmessage = this::vmessage;
        this.progress = (lg, context, doingWhat, percent, done, total) -> { };
        this.destroy = lg -> { };
        this.logger = new Memory(LibxlLayout.SIZEOF_XENTOOLLOG_LOGGER);
        logger.clear();
        logger.setPointer(LibxlLayout.LOGGER_VMESSAGE_OFFSET, CallbackReference.getFunctionPointer(vmessage));
        logger.setPointer(LibxlLayout.LOGGER_PROGRESS_OFFSET, CallbackReference.getFunctionPointer(progress));
        logger.setPointer(LibxlLayout.LOGGER_DESTROY_OFFSET, CallbackReference.getFunctionPointer(destroy));
        PointerByReference pctx = new PointerByReference();
        int rc = xl.libxl_ctx_alloc(pctx, LibxlLayout.LIBXL_VERSION, 0, logger);
        if (rc != 0) {
            throw new XenUnavailableException("libxl_ctx_alloc failed: " + LibxlError.name(rc) + lastErrorSuffix()
                    + " (is xenstored running in this dom0?)");
        }
        this.ctx = pctx.getValue();
        this.version = readVersion();
    }

    /**
     * Opens a libxl context on this host, or says in one line why Xen cannot be driven from here: libxenlight 4.17
     * is not installed, or this is not a Xen dom0, or the hypervisor is not Xen 4.17.
     */
    public static Libxl open() throws XenUnavailableException {
        return open(SYSTEM, Path.of("/proc/xen"), Path.of("/dev/xen"));
    }

    /** {@link #open()} with the libraries and the Xen device folders given (tests). */
    public static Libxl open(Loader loader, Path procXen, Path devXen) throws XenUnavailableException {
        Object xenlight;
        Object xlutil;
        try {
            xenlight = loader.xenlight();
            xlutil = loader.xlutil();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new XenUnavailableException("libxenlight " + LibxlLayout.XEN_VERSION + " is not installed ("
                    + LibxlLayout.LIBXENLIGHT + " and " + LibxlLayout.LIBXLUTIL + " not found): on a Xen "
                    + LibxlLayout.XEN_VERSION + " dom0 install them with 'apt-get install libxenmisc4.17' (Debian 12),"
                    + " or use 'backend: process'", e);
        }
        if (!Files.exists(procXen.resolve("privcmd")) && !Files.exists(devXen.resolve("privcmd"))) {
            throw new XenUnavailableException("libxenlight is installed but there is no Xen hypervisor here ("
                    + procXen.resolve("privcmd") + " and " + devXen.resolve("privcmd") + " are missing): run vos in a"
                    + " Xen dom0 (with xenfs mounted on /proc/xen), try it in the lab (lab/xen/run.sh), or use"
                    + " 'backend: process'");
        }
        if (!(xenlight instanceof NativeLibxl.Xenlight x) || !(xlutil instanceof NativeLibxl.Xlutil u)) {
            throw new XenUnavailableException("the loaded libraries are not libxenlight and libxlutil");
        }
        Libxl libxl = new Libxl(x, u);
        if (!libxl.version.startsWith(LibxlLayout.XEN_VERSION + ".")) {
            libxl.close();
            throw new XenUnavailableException("this hypervisor is Xen " + libxl.version + ", but vos's libxl bindings"
                    + " were checked against Xen " + LibxlLayout.XEN_VERSION + " headers; refusing to guess");
        }
        return libxl;
    }

    /** The hypervisor's version, "4.17.7" (from {@code libxl_get_version_info}, read as JSON). */
    public String xenVersion() {
        return version;
    }

    private String readVersion() {
        Map<String, Object> info = Json.object(string(xl.libxl_version_info_to_json(ctx,
                xl.libxl_get_version_info(ctx))));
        return Json.number(info, "xen_version_major", 0) + "." + Json.number(info, "xen_version_minor", 0)
                + (info.get("xen_version_extra") instanceof String extra ? extra : "");
    }

    /**
     * Creates a domain from a {@code libxl_domain_config} in libxl's JSON ({@code libxl_domain_config_from_json},
     * then {@code libxl_domain_create_new}); it is left paused. Returns its domid.
     */
    public int createDomain(String configJson) throws LibxlException {
        checkedCtx();
        // A context of its own: libxl builds the domain (decompresses and copies the kernel: seconds, minutes under
        // emulation) holding its context's lock, and on the shared context that would stall everything else on it,
        // death events and the timers of other creates included (they then time out waiting for their consoles).
        PointerByReference pctx = new PointerByReference();
        lastError.remove();
        int rc = xl.libxl_ctx_alloc(pctx, LibxlLayout.LIBXL_VERSION, 0, logger);
        if (rc != 0) {
            throw failure("libxl_ctx_alloc", rc);
        }
        Pointer own = pctx.getValue();
        Memory config = new Memory(LibxlLayout.SIZEOF_DOMAIN_CONFIG);
        xl.libxl_domain_config_init(config);
        try {
            rc = xl.libxl_domain_config_from_json(own, config, configJson);
            if (rc != 0) {
                throw failure("libxl_domain_config_from_json", rc);
            }
            IntByReference domid = new IntByReference(-1);
            rc = xl.libxl_domain_create_new(own, config, domid, null, null);
            if (rc != 0) {
                LibxlException failed = failure("libxl_domain_create_new", rc);
                int half = domid.getValue();
                if (half > 0 && half < 0x7FF0) {
                    xl.libxl_domain_destroy(own, half, null); // ERROR_ABORTED may leave it half-created
                }
                throw failed;
            }
            return domid.getValue();
        } finally {
            xl.libxl_domain_config_dispose(config);
            xl.libxl_ctx_free(own);
        }
    }

    /** {@code libxl_domain_pause}: the guest's vCPUs are descheduled until it is unpaused ({@code xl pause}). */
    public void pause(int domid) throws LibxlException {
        check("libxl_domain_pause(" + domid + ")", xl.libxl_domain_pause(checkedCtx(), domid, null));
    }

    /** {@code libxl_domain_unpause}. */
    public void unpause(int domid) throws LibxlException {
        check("libxl_domain_unpause(" + domid + ")", xl.libxl_domain_unpause(checkedCtx(), domid, null));
    }

    /** {@code libxl_domain_shutdown}: asks the guest to power off (it must have PV drivers, and honour it). */
    public void shutdown(int domid) throws LibxlException {
        check("libxl_domain_shutdown(" + domid + ")", xl.libxl_domain_shutdown(checkedCtx(), domid, null));
    }

    /** {@code libxl_domain_destroy}: the domain is gone (or dying) when it returns. */
    public void destroy(int domid) throws LibxlException {
        check("libxl_domain_destroy(" + domid + ")", xl.libxl_domain_destroy(checkedCtx(), domid, null));
    }

    /** {@code libxl_send_sysrq}: a Linux guest runs the magic SysRq key (fault injection: 'c' crashes it). */
    public void sysrq(int domid, char key) throws LibxlException {
        check("libxl_send_sysrq(" + domid + ", '" + key + "')", xl.libxl_send_sysrq(checkedCtx(), domid, (byte) key));
    }

    /** {@code libxl_list_domain}: every domain, Domain-0 included. */
    public List<DomainInfo> listDomains() throws LibxlException {
        IntByReference count = new IntByReference();
        Pointer list = xl.libxl_list_domain(checkedCtx(), count);
        if (list == null) {
            throw failure("libxl_list_domain", LibxlLayout.ERROR_FAIL); // it returns NULL, no code
        }
        try {
            List<DomainInfo> domains = new ArrayList<>(count.getValue());
            for (int i = 0; i < count.getValue(); i++) {
                Pointer info = list.share((long) i * LibxlLayout.SIZEOF_DOMINFO);
                String json = string(xl.libxl_dominfo_to_json(ctx, info));
                int domid = (int) Json.number(Json.object(json), "domid", 0); // left out when 0 (Domain-0)
                domains.add(DomainInfo.fromJson(name(domid), json));
            }
            return domains;
        } finally {
            xl.libxl_dominfo_list_free(list, count.getValue());
        }
    }

    /** {@code libxl_domain_info}: the domain, or empty once it is gone ({@code ERROR_DOMAIN_NOTFOUND}). */
    public Optional<DomainInfo> domainInfo(int domid) throws LibxlException {
        Memory info = new Memory(LibxlLayout.SIZEOF_DOMINFO);
        xl.libxl_dominfo_init(info);
        try {
            int rc = xl.libxl_domain_info(checkedCtx(), info, domid);
            if (rc == LibxlLayout.ERROR_DOMAIN_NOTFOUND) {
                return Optional.empty();
            }
            check("libxl_domain_info(" + domid + ")", rc);
            return Optional.of(DomainInfo.fromJson(name(domid), string(xl.libxl_dominfo_to_json(ctx, info))));
        } finally {
            xl.libxl_dominfo_dispose(info);
        }
    }

    /** libxl's name of a shutdown reason code ({@code libxl_shutdown_reason_to_string}): "crash". */
    private String shutdownReason(int code) {
        String name = xl.libxl_shutdown_reason_to_string(code);
        return name == null ? "code " + code : name.toLowerCase(java.util.Locale.ROOT);
    }

    private String name(int domid) {
        Pointer name = xl.libxl_domid_to_name(ctx, domid);
        return name == null ? "" : string(name);
    }

    /**
     * {@code libxl_evenable_domain_death}: from now on {@link #waitEvent} reports this domain's shutdown (once per
     * shutdown) and its death, tagged with {@code user}. Call {@link DeathWatch#close} once it is dead.
     */
    public DeathWatch watchDeath(int domid, long user) throws LibxlException {
        PointerByReference evgen = new PointerByReference();
        check("libxl_evenable_domain_death(" + domid + ")",
                xl.libxl_evenable_domain_death(checkedCtx(), domid, user, evgen));
        return new DeathWatch(evgen.getValue());
    }

    /** A domain's death events, enabled; closing disables them ({@code libxl_evdisable_domain_death}). */
    public final class DeathWatch implements AutoCloseable {
        private Pointer evgen;

        private DeathWatch(Pointer evgen) {
            this.evgen = evgen;
        }

        @Override
        public synchronized void close() {
            if (evgen != null && ctx != null) {
                xl.libxl_evdisable_domain_death(ctx, evgen);
            }
            evgen = null;
        }
    }

    /**
     * {@code libxl_event_wait} for {@code DOMAIN_SHUTDOWN} or {@code DOMAIN_DEATH}, read with
     * {@code libxl_event_to_json} and freed with {@code libxl_event_free}. Blocks until one happens.
     */
    public DomainEvent waitEvent() throws LibxlException {
        PointerByReference event = new PointerByReference();
        check("libxl_event_wait", xl.libxl_event_wait(checkedCtx(), event, DEATH_EVENTS, null, null));
        return take(event.getValue());
    }

    /** {@code libxl_event_check}: an event that has already happened, or empty. Does not poll libxl's fds. */
    public Optional<DomainEvent> checkEvent() throws LibxlException {
        PointerByReference event = new PointerByReference();
        int rc = xl.libxl_event_check(checkedCtx(), event, DEATH_EVENTS, null, null);
        if (rc == LibxlLayout.ERROR_NOT_READY) {
            return Optional.empty();
        }
        check("libxl_event_check", rc);
        return Optional.of(take(event.getValue()));
    }

    private DomainEvent take(Pointer event) {
        try {
            String json = string(xl.libxl_event_to_json(ctx, event));
            LOG.log(Level.DEBUG, "event {0}", json);
            return DomainEvent.fromJson(json, this::shutdownReason);
        } finally {
            xl.libxl_event_free(ctx, event);
        }
    }

    /**
     * Reads an xl.cfg file with xl's own parser ({@code xlu_cfg_readfile}); the syntax errors it reports become the
     * exception's message.
     */
    public XlConfigFile readXlConfig(Path file) throws LibxlException {
        return XlConfigFile.read(xlu, libc, file);
    }

    /** Frees the context. Nothing may use it afterwards, and no thread may be in {@link #waitEvent}. */
    @Override
    public synchronized void close() {
        if (ctx != null) {
            xl.libxl_ctx_free(ctx);
            ctx = null;
        }
    }

    private synchronized Pointer checkedCtx() {
        if (ctx == null) {
            throw new IllegalStateException("the libxl context is closed");
        }
        return ctx;
    }

    private void check(String call, int rc) throws LibxlException {
        if (rc != 0) {
            throw failure(call, rc);
        }
    }

    private LibxlException failure(String call, int rc) {
        return new LibxlException(call + " failed: " + LibxlError.name(rc) + lastErrorSuffix(), rc);
    }

    private String lastErrorSuffix() {
        String last = lastError.get();
        lastError.remove();
        return last == null ? "" : ": " + last;
    }

    /** A string libxl allocated, read as UTF-8 and freed. */
    private String string(Pointer p) {
        if (p == null) {
            return "";
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            libc.free(p);
        }
    }

    /** The logger's vmessage: formats libxl's printf-style message with vsnprintf and logs it. */
    private void vmessage(Pointer lg, int level, int errnoval, Pointer context, Pointer format, Pointer args) {
        try {
            byte[] buffer = new byte[1024];
            int n = libc.vsnprintf(buffer, new NativeLong(buffer.length), format, args);
            String text = new String(buffer, 0, Math.max(0, Math.min(n, buffer.length - 1)), StandardCharsets.UTF_8);
            if (errnoval >= 0) {
                text += " (errno " + errnoval + ")";
            }
            Level mapped = level >= LibxlLayout.XTL_ERROR ? Level.ERROR : level >= LibxlLayout.XTL_WARN ? Level.WARNING
                    : level >= LibxlLayout.XTL_INFO ? Level.INFO : level >= LibxlLayout.XTL_DETAIL ? Level.DEBUG
                    : Level.TRACE;
            if (level >= LibxlLayout.XTL_ERROR) {
                lastError.set(text);
            }
            LOG.log(mapped, "{0}: {1}", context == null ? "libxl" : context.getString(0), text);
        } catch (RuntimeException e) {
            // never let an exception unwind into libxl's C frames
        }
    }
}
