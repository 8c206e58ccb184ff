package dev.vos.backend.xen;

import dev.vos.backend.xen.libxl.ConfigSource;
import dev.vos.backend.xen.libxl.Json;
import dev.vos.backend.xen.libxl.LibxlException;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.vos.backend.xen.libxl.LibxlLayout.ERROR_INVAL;

/**
 * A PV guest as vos starts it: the settings of its xl.cfg that vos supports, with xl's meaning, turned into the
 * JSON of a {@code libxl_domain_config} (the form {@code libxl_domain_config_from_json} reads).
 *
 * <p>{@code xl} turns an xl.cfg into a domain config in its own code ({@code xl_parse.c}), not in a library, so vos
 * reads the file with xl's parser (libxlutil) and does this step itself, for the settings below. Any other setting
 * that would change the guest (disks, network, PCI, a bootloader, ...) is refused by name rather than ignored.
 *
 * @param name        the Xen domain's name: the vos domain's name (the xl.cfg's {@code name} is not used, so two vos
 *                    domains may share one xl.cfg)
 * @param type        "pv" (default) or "pvh"
 * @param kernel      {@code kernel}, required
 * @param ramdisk     {@code ramdisk}, or ""
 * @param cmdline     {@code cmdline}, else {@code root=ROOT EXTRA} from {@code root} and {@code extra}, as xl does
 * @param memoryMb    {@code memory}, MiB; default 128
 * @param maxMemoryMb {@code maxmem}, MiB; default {@code memory}
 * @param vcpus       {@code vcpus}; default 1
 * @param maxVcpus    {@code maxvcpus}; default {@code vcpus}
 * @param onPoweroff  {@code on_poweroff}, recorded in the config; vos's restart policy decides what happens next
 * @param onReboot    {@code on_reboot}, likewise
 * @param onCrash     {@code on_crash}, likewise
 */
public record GuestConfig(String name, String type, String kernel, String ramdisk, String cmdline, long memoryMb,
                          long maxMemoryMb, long vcpus, long maxVcpus, String onPoweroff, String onReboot,
                          String onCrash) {

    /** Settings vos reads. */
    static final Set<String> SUPPORTED = Set.of("name", "type", "builder", "kernel", "ramdisk", "cmdline", "root",
            "extra", "memory", "maxmem", "vcpus", "maxvcpus", "on_poweroff", "on_reboot", "on_crash", "on_watchdog");
    /** Settings of xl.cfg that would change the guest and that vos does not carry out (yet): refused by name. */
    static final List<String> UNSUPPORTED = List.of("disk", "vif", "pci", "vfb", "vkb", "vtpm", "channel", "usbctrl",
            "usbdev", "p9", "pvcalls", "vdispl", "vsnd", "dtdev", "iomem", "ioports", "irqs", "bootloader",
            "bootloader_args", "device_model_version", "device_model_override", "soundhw", "serial", "usb",
            "usbdevice", "cpus", "cpus_soft", "cpuid", "vnuma", "uuid", "seclabel", "init_seclabel", "pool", "rdm",
            "nestedhvm", "acpi", "apic", "hap", "pae", "viridian", "boot", "firmware", "bios", "xenstore_domain");
    /** The kernel parameter that tells the guest's init to start the vos agent of a kind. */
    static final String AGENT_PARAMETER = "vos.agent=";
    private static final Set<String> ACTIONS = Set.of("destroy", "restart", "rename-restart", "preserve",
            "coredump-destroy", "coredump-restart", "soft-reset");

    public GuestConfig {
        if (memoryMb < 1 || maxMemoryMb < memoryMb) {
            throw new IllegalArgumentException("memory " + memoryMb + " MiB, maxmem " + maxMemoryMb + " MiB");
        }
        if (vcpus < 1 || maxVcpus < vcpus || maxVcpus > 128) {
            throw new IllegalArgumentException("vcpus " + vcpus + ", maxvcpus " + maxVcpus);
        }
    }

    /** Reads the guest of vos domain {@code name} from an xl.cfg; the message of a problem names file and setting. */
    public static GuestConfig read(ConfigSource cfg, String name) throws LibxlException {
        String where = cfg.file() + ": ";
        for (String key : UNSUPPORTED) {
            if (cfg.has(key)) {
                throw new LibxlException(where + "'" + key + "' is not supported by vos's xen backend yet (it starts"
                        + " PV guests from a kernel, a ramdisk and a command line); remove it", ERROR_INVAL);
            }
        }
        String type = cfg.string("type").or(() -> builderType(cfg)).orElse("pv");
        if (!type.equals("pv") && !type.equals("pvh")) {
            throw new LibxlException(where + "type \"" + type + "\" is not supported by vos's xen backend; use"
                    + " \"pv\" (or \"pvh\" on a host with hardware virtualisation)", ERROR_INVAL);
        }
        String kernel = cfg.string("kernel").orElseThrow(() -> new LibxlException(where
                + "'kernel' is missing: vos starts guests from a kernel image (no bootloader)", ERROR_INVAL));
        String cmdline = cfg.string("cmdline").orElse(null);
        if (cmdline == null) {
            String root = cfg.string("root").map(r -> "root=" + r).orElse("");
            String extra = cfg.string("extra").orElse("");
            cmdline = (root + " " + extra).strip();
        }
        long memory = positive(cfg, "memory", cfg.number("memory").orElse(128L));
        long maxmem = positive(cfg, "maxmem", cfg.number("maxmem").orElse(memory));
        long vcpus = positive(cfg, "vcpus", cfg.number("vcpus").orElse(1L));
        long maxvcpus = positive(cfg, "maxvcpus", cfg.number("maxvcpus").orElse(vcpus));
        if (maxmem < memory || maxvcpus < vcpus) {
            throw new LibxlException(where + "maxmem must be at least memory, and maxvcpus at least vcpus",
                    ERROR_INVAL);
        }
        return new GuestConfig(name, type, kernel, cfg.string("ramdisk").orElse(""), cmdline, memory, maxmem, vcpus,
                maxvcpus, action(cfg, "on_poweroff", "destroy"), action(cfg, "on_reboot", "restart"),
                action(cfg, "on_crash", "destroy"));
    }

    private static Optional<String> builderType(ConfigSource cfg) {
        try {
            return cfg.string("builder").map(b -> b.equals("generic") || b.equals("linux") ? "pv" : b);
        } catch (LibxlException e) {
            return Optional.empty();
        }
    }

    private static long positive(ConfigSource cfg, String key, long value) throws LibxlException {
        if (value < 1) {
            throw new LibxlException(cfg.file() + ": '" + key + "' must be at least 1, not " + value, ERROR_INVAL);
        }
        return value;
    }

    private static String action(ConfigSource cfg, String key, String otherwise) throws LibxlException {
        String value = cfg.string(key).orElse(otherwise);
        if (!ACTIONS.contains(value)) {
            throw new LibxlException(cfg.file() + ": '" + key + "' is \"" + value + "\"; expected one of "
                    + ACTIONS.stream().sorted().collect(Collectors.joining(", ")), ERROR_INVAL);
        }
        return value;
    }

    /**
     * The kind of vos agent the guest runs: {@code vos.agent=KIND} on its kernel command line, which the guest's
     * init reads to start {@code XenGuestAgentMain --kind KIND} (the lab's {@code guest/init}); empty for a guest
     * that runs none. The last such word counts, as the kernel's own parameters do.
     */
    public Optional<String> agentKind() {
        String kind = null;
        for (String word : cmdline.split("\\s+")) {
            if (word.startsWith(AGENT_PARAMETER)) {
                kind = word.substring(AGENT_PARAMETER.length());
            }
        }
        return Optional.ofNullable(kind);
    }

    /**
     * The {@code libxl_domain_config} in libxl's JSON: {@code c_info} (type, name), {@code b_info} (vCPUs as a
     * bitmap of the online ones, memory in KiB, kernel, ramdisk, cmdline, and the keyed union {@code "type.pv"}),
     * and the {@code on_*} actions with libxl's spelling ({@code coredump_destroy}, {@code restart_rename}).
     */
    public String toLibxlJson() {
        String online = IntStream.range(0, (int) vcpus).mapToObj(Integer::toString).collect(Collectors.joining(","));
        StringBuilder b = new StringBuilder();
        b.append("{\"c_info\":{\"type\":").append(Json.quote(type)).append(",\"name\":").append(Json.quote(name))
                .append("},\"b_info\":{\"max_vcpus\":").append(maxVcpus).append(",\"avail_vcpus\":[").append(online)
                .append("],\"max_memkb\":").append(maxMemoryMb * 1024).append(",\"target_memkb\":")
                .append(memoryMb * 1024).append(",\"kernel\":").append(Json.quote(kernel));
        if (!ramdisk.isEmpty()) {
            b.append(",\"ramdisk\":").append(Json.quote(ramdisk));
        }
        if (!cmdline.isEmpty()) {
            b.append(",\"cmdline\":").append(Json.quote(cmdline));
        }
        b.append(",\"type.").append(type).append("\":{}}");
        b.append(",\"on_poweroff\":").append(Json.quote(libxlAction(onPoweroff)))
                .append(",\"on_reboot\":").append(Json.quote(libxlAction(onReboot)))
                .append(",\"on_crash\":").append(Json.quote(libxlAction(onCrash))).append('}');
        return b.toString();
    }

    /** xl's spelling to libxl's enum name ({@code libxl_action_on_shutdown}): "rename-restart" is RESTART_RENAME. */
    private static String libxlAction(String xlAction) {
        return xlAction.equals("rename-restart") ? "restart_rename" : xlAction.replace('-', '_');
    }
}
