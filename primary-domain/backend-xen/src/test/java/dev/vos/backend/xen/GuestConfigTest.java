package dev.vos.backend.xen;

import dev.vos.backend.xen.libxl.ConfigSource;
import dev.vos.backend.xen.libxl.Json;
import dev.vos.backend.xen.libxl.LibxlException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** An xl.cfg's settings (as libxlutil types them) to the libxl_domain_config JSON vos hands to libxl. */
class GuestConfigTest {

    /** Settings as xlu_cfg_get_* would return them: strings, numbers, lists. */
    private record Settings(Map<String, Object> values) implements ConfigSource {
        @Override
        public Path file() {
            return Path.of("/etc/xen/guest.cfg");
        }

        @Override
        public Optional<String> string(String name) throws LibxlException {
            Object v = values.get(name);
            if (v != null && !(v instanceof String)) {
                throw new LibxlException(file() + ": '" + name + "' must be a string", 22);
            }
            return Optional.ofNullable((String) v);
        }

        @Override
        public Optional<Long> number(String name) throws LibxlException {
            Object v = values.get(name);
            if (v != null && !(v instanceof Long)) {
                throw new LibxlException(file() + ": '" + name + "' must be a number", 22);
            }
            return Optional.ofNullable((Long) v);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Optional<List<String>> list(String name) {
            return Optional.ofNullable((List<String>) values.get(name));
        }

        @Override
        public boolean has(String name) {
            return values.containsKey(name);
        }
    }

    @Test
    void pvGuest_toLibxlJson() throws Exception {
        GuestConfig g = GuestConfig.read(new Settings(Map.of("kernel", "/lab/vmlinuz", "ramdisk", "/lab/guest.cpio.gz",
                "memory", 96L, "vcpus", 2L, "extra", "console=hvc0 vos.fate=sleep", "on_crash", "coredump-destroy")),
                "svc-a");
        Map<String, Object> json = Json.object(g.toLibxlJson());
        assertEquals(Map.of("type", "pv", "name", "svc-a"), json.get("c_info"));
        Map<String, Object> b = Json.member(json, "b_info");
        assertEquals(2, ((Number) b.get("max_vcpus")).intValue());
        assertEquals(List.of(0, 1), b.get("avail_vcpus"));
        assertEquals(96 * 1024, ((Number) b.get("max_memkb")).intValue());
        assertEquals(96 * 1024, ((Number) b.get("target_memkb")).intValue());
        assertEquals("/lab/vmlinuz", b.get("kernel"));
        assertEquals("/lab/guest.cpio.gz", b.get("ramdisk"));
        assertEquals("console=hvc0 vos.fate=sleep", b.get("cmdline"));
        assertEquals(Map.of(), b.get("type.pv"));
        assertEquals("destroy", json.get("on_poweroff"));
        assertEquals("restart", json.get("on_reboot"));
        assertEquals("coredump_destroy", json.get("on_crash"));
    }

    @Test
    void defaults_likeXl() throws Exception {
        GuestConfig g = GuestConfig.read(new Settings(Map.of("kernel", "/k")), "g");
        assertEquals(new GuestConfig("g", "pv", "/k", "", "", 128, 128, 1, 1, "destroy", "restart", "destroy"), g);
        assertFalse(g.toLibxlJson().contains("ramdisk"));
    }

    @Test
    void cmdline_fromRootAndExtra_asXlBuildsIt() throws Exception {
        assertEquals("root=/dev/xvda1 ro quiet", GuestConfig.read(new Settings(Map.of("kernel", "/k", "root",
                "/dev/xvda1 ro", "extra", "quiet")), "g").cmdline());
        assertEquals("console=hvc0", GuestConfig.read(new Settings(Map.of("kernel", "/k", "root", "/dev/xvda1",
                "cmdline", "console=hvc0")), "g").cmdline());
    }

    @Test
    void agentKind_isTheLastVosAgentWordOfTheCommandLine() throws Exception {
        assertEquals(Optional.of("storage"), GuestConfig.read(new Settings(Map.of("kernel", "/k", "extra",
                "console=hvc0 vos.agent=storage quiet")), "g").agentKind());
        assertEquals(Optional.of("net"), GuestConfig.read(new Settings(Map.of("kernel", "/k", "extra",
                "vos.agent=storage vos.agent=net")), "g").agentKind());
        assertEquals(Optional.empty(), GuestConfig.read(new Settings(Map.of("kernel", "/k", "extra",
                "console=hvc0 vos.fate=sleep xvos.agent=storage")), "g").agentKind(), "a guest without an agent");
    }

    @Test
    void renameRestart_isLibxlsRestartRename() throws Exception {
        String json = GuestConfig.read(new Settings(Map.of("kernel", "/k", "on_reboot", "rename-restart")), "g")
                .toLibxlJson();
        assertEquals("restart_rename", Json.object(json).get("on_reboot"));
    }

    @Test
    void unsupportedSetting_isRefusedByName() {
        LibxlException e = assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel",
                "/k", "disk", List.of("phy:/dev/vg/g,xvda,w"))), "g"));
        assertEquals("/etc/xen/guest.cfg: 'disk' is not supported by vos's xen backend yet (it starts PV guests from"
                + " a kernel, a ramdisk and a command line); remove it", e.getMessage());
    }

    @Test
    void missingKernel_hvmType_badAction_badNumbers() {
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of()), "g"))
                .getMessage().contains("'kernel' is missing"));
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel", "/k",
                "type", "hvm")), "g")).getMessage().contains("type \"hvm\" is not supported"));
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel", "/k",
                "on_crash", "explode")), "g")).getMessage().contains("'on_crash' is \"explode\"; expected one of"));
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel", "/k",
                "memory", 0L)), "g")).getMessage().contains("'memory' must be at least 1"));
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel", "/k",
                "memory", 256L, "maxmem", 128L)), "g")).getMessage().contains("maxmem must be at least memory"));
        assertTrue(assertThrows(LibxlException.class, () -> GuestConfig.read(new Settings(Map.of("kernel", "/k",
                "memory", "lots")), "g")).getMessage().contains("'memory' must be a number"));
    }

    @Test
    void quotesInPaths_areEscaped() throws Exception {
        GuestConfig g = GuestConfig.read(new Settings(Map.of("kernel", "/k \"x\"", "extra", "a\\b")), "g");
        Map<String, Object> b = Json.member(Json.object(g.toLibxlJson()), "b_info");
        assertEquals("/k \"x\"", b.get("kernel"));
        assertEquals("a\\b", b.get("cmdline"));
    }
}
