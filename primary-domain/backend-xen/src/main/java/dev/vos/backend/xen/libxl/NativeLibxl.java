package dev.vos.backend.xen.libxl;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The raw JNA mappings, one method per C function, its prototype (Xen 4.17) as the comment. Callers use
 * {@link Libxl}, which owns the context, maps return codes and frees what libxl allocates. {@code uint32_t} domids
 * are Java ints; {@code char *} results that the caller must free are Pointers.
 */
final class NativeLibxl {

    private NativeLibxl() {
    }

    /** libxenlight.so.4.17. */
    interface Xenlight extends Library {
        /** int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags, xentoollog_logger *lg) */
        int libxl_ctx_alloc(PointerByReference pctx, int version, int flags, Pointer logger);

        /** int libxl_ctx_free(libxl_ctx *ctx) */
        int libxl_ctx_free(Pointer ctx);

        /** const libxl_version_info *libxl_get_version_info(libxl_ctx *ctx) */
        Pointer libxl_get_version_info(Pointer ctx);

        /** char *libxl_version_info_to_json(libxl_ctx *ctx, libxl_version_info *p) */
        Pointer libxl_version_info_to_json(Pointer ctx, Pointer info);

        /** void libxl_domain_config_init(libxl_domain_config *d_config) */
        void libxl_domain_config_init(Pointer config);

        /** void libxl_domain_config_dispose(libxl_domain_config *d_config) */
        void libxl_domain_config_dispose(Pointer config);

        /** int libxl_domain_config_from_json(libxl_ctx *ctx, libxl_domain_config *p, const char *s) */
        int libxl_domain_config_from_json(Pointer ctx, Pointer config, String json);

        /** char *libxl_domain_config_to_json(libxl_ctx *ctx, libxl_domain_config *p) */
        Pointer libxl_domain_config_to_json(Pointer ctx, Pointer config);

        /**
         * int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid,
         * const libxl_asyncop_how *ao_how, const libxl_asyncprogress_how *aop_console_how)
         */
        int libxl_domain_create_new(Pointer ctx, Pointer config, IntByReference domid, Pointer aoHow,
                                    Pointer consoleHow);

        /** int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how) */
        int libxl_domain_pause(Pointer ctx, int domid, Pointer aoHow);

        /** int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how) */
        int libxl_domain_unpause(Pointer ctx, int domid, Pointer aoHow);

        /** int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how) */
        int libxl_domain_shutdown(Pointer ctx, int domid, Pointer aoHow);

        /** int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how) */
        int libxl_domain_destroy(Pointer ctx, int domid, Pointer aoHow);

        /** int libxl_send_sysrq(libxl_ctx *ctx, uint32_t domid, char sysrq) */
        int libxl_send_sysrq(Pointer ctx, int domid, byte sysrq);

        /** libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out) */
        Pointer libxl_list_domain(Pointer ctx, IntByReference count);

        /** void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain) */
        void libxl_dominfo_list_free(Pointer list, int count);

        /** void libxl_dominfo_init(libxl_dominfo *p) */
        void libxl_dominfo_init(Pointer info);

        /** void libxl_dominfo_dispose(libxl_dominfo *p) */
        void libxl_dominfo_dispose(Pointer info);

        /** int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid) */
        int libxl_domain_info(Pointer ctx, Pointer info, int domid);

        /** char *libxl_dominfo_to_json(libxl_ctx *ctx, libxl_dominfo *p) */
        Pointer libxl_dominfo_to_json(Pointer ctx, Pointer info);

        /**
         * int libxl_evenable_domain_death(libxl_ctx *ctx, uint32_t domid, libxl_ev_user user,
         * libxl_evgen_domain_death **evgen_out)
         */
        int libxl_evenable_domain_death(Pointer ctx, int domid, long user, PointerByReference evgen);

        /** void libxl_evdisable_domain_death(libxl_ctx *ctx, libxl_evgen_domain_death *evgen) */
        void libxl_evdisable_domain_death(Pointer ctx, Pointer evgen);

        /**
         * int libxl_event_wait(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask,
         * libxl_event_predicate *predicate, void *predicate_user)
         */
        int libxl_event_wait(Pointer ctx, PointerByReference event, long typemask, Pointer predicate, Pointer user);

        /** int libxl_event_check(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask, ...) */
        int libxl_event_check(Pointer ctx, PointerByReference event, long typemask, Pointer predicate, Pointer user);

        /** void libxl_event_free(libxl_ctx *ctx, libxl_event *event) */
        void libxl_event_free(Pointer ctx, Pointer event);

        /** char *libxl_event_to_json(libxl_ctx *ctx, libxl_event *p) */
        Pointer libxl_event_to_json(Pointer ctx, Pointer event);

        /** const char *libxl_shutdown_reason_to_string(libxl_shutdown_reason p): static, not to be freed */
        String libxl_shutdown_reason_to_string(int reason);

        /** char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid) (libxl_utils.h) */
        Pointer libxl_domid_to_name(Pointer ctx, int domid);
    }

    /** libxlutil.so.4.17: xl's own config file reader. */
    interface Xlutil extends Library {
        /** XLU_Config *xlu_cfg_init(FILE *report, const char *report_filename) */
        Pointer xlu_cfg_init(Pointer report, String reportFilename);

        /** int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename) */
        int xlu_cfg_readfile(Pointer cfg, String filename);

        /** void xlu_cfg_destroy(XLU_Config *cfg) */
        void xlu_cfg_destroy(Pointer cfg);

        /** int xlu_cfg_get_string(const XLU_Config *cfg, const char *n, const char **value_r, int dont_warn) */
        int xlu_cfg_get_string(Pointer cfg, String name, PointerByReference value, int dontWarn);

        /** int xlu_cfg_get_long(const XLU_Config *cfg, const char *n, long *value_r, int dont_warn) */
        int xlu_cfg_get_long(Pointer cfg, String name, NativeLongByReference value, int dontWarn);

        /**
         * int xlu_cfg_get_list(const XLU_Config *cfg, const char *n, XLU_ConfigList **list_r, int *entries_r,
         * int dont_warn)
         */
        int xlu_cfg_get_list(Pointer cfg, String name, PointerByReference list, IntByReference entries, int dontWarn);

        /** const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry) */
        String xlu_cfg_get_listitem(Pointer list, int entry);
    }

    /** The C library: memory streams for libxlutil's error report, free, and vsnprintf for the logger. */
    interface LibC extends Library {
        /** FILE *open_memstream(char **ptr, size_t *sizeloc) */
        Pointer open_memstream(PointerByReference buffer, NativeLongByReference size);

        /** int fclose(FILE *stream) */
        int fclose(Pointer stream);

        /** void free(void *ptr) */
        void free(Pointer pointer);

        /** int vsnprintf(char *str, size_t size, const char *format, va_list ap) */
        int vsnprintf(byte[] buffer, NativeLong size, Pointer format, Pointer ap);
    }

    /**
     * {@code void (*vmessage)(xentoollog_logger *logger, xentoollog_level level, int errnoval, const char *context,
     * const char *format, va_list al)}. On x86_64 a {@code va_list} parameter is a pointer.
     */
    interface VmessageCallback extends Callback {
        void invoke(Pointer logger, int level, int errnoval, Pointer context, Pointer format, Pointer args);
    }

    /**
     * {@code void (*progress)(xentoollog_logger *logger, const char *context, const char *doing_what, int percent,
     * unsigned long done, unsigned long total)}.
     */
    interface ProgressCallback extends Callback {
        void invoke(Pointer logger, Pointer context, Pointer doingWhat, int percent, NativeLong done,
                    NativeLong total);
    }

    /** {@code void (*destroy)(xentoollog_logger *logger)}. */
    interface DestroyCallback extends Callback {
        void invoke(Pointer logger);
    }
}
