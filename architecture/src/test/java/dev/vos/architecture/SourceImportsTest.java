package dev.vos.architecture;

import dev.vos.architecture.SourceImports.Import;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VosRules}' boundaries and the absence of package cycles, checked on the {@code import} lines of every
 * main source file: a dependency made only of compile-time constants (a flag, a call number) is invisible in the
 * classes, where javac has copied the value. The perf counters' {@code perf -> perf.sys} cycle was one.
 */
class SourceImportsTest {

    private static List<Import> imports;

    @BeforeAll
    static void readSources() throws Exception {
        imports = SourceImports.read(Path.of(System.getProperty("vos.repository")));
    }

    @Test
    void everyModulesSources_areRead() {
        for (String pkg : List.of("dev.vos.sys", "dev.vos.ring.client", "dev.vos.storage.protocol",
                "dev.vos.storage.domain", "dev.vos.net.protocol", "dev.vos.net.domain", "dev.vos.perf.counting",
                "dev.vos.backend.xen.libxl", "dev.vos.client.fs", "dev.vos.client.net",
                "dev.vos.controlplane.supervisor", "dev.vos.cli", "dev.vos.demo", "dev.vos.bench.storage")) {
            assertTrue(imports.stream().anyMatch(i -> i.fromPackage().equals(pkg)), "no source of " + pkg + " read");
        }
        assertTrue(imports.stream().noneMatch(i -> i.file().contains("/src/test/")), "test sources were read");
    }

    @Test
    void imports_formNoPackageCycles() {
        assertNone(SourceImports.cycles(imports).stream().map(c -> "cycle:\n    " + c.stream()
                .map(Import::toString).collect(Collectors.joining("\n    "))).toList(), VosRules.NO_PACKAGE_CYCLES
                .getDescription());
    }

    @Test
    void imports_stayWithinTheLayers() {
        assertNone(SourceImports.beyondBoundaries(imports), "the table VosRules.MAY_USE: "
                + VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS.getDescription());
    }

    @Test
    void theProtocol_importsNoSystemCalls() {
        assertNone(SourceImports.protocolSystemCalls(imports),
                VosRules.PROTOCOL_MAKES_NO_SYSTEM_CALLS.getDescription());
    }

    @Test
    void onlyTheXenBackend_importsJna() {
        assertNone(SourceImports.jnaOutsideXen(imports), VosRules.ONLY_THE_XEN_BACKEND_LOADS_JNA.getDescription());
    }

    /** Each check finds what it is for, in sources written to break it. */
    @Test
    void eachCheck_failsOnSourcesThatBreakIt() {
        List<Import> bad = new ArrayList<>();
        bad.addAll(SourceImports.parse("perf/PerfEvent.java", """
                package dev.vos.perf;

                import static dev.vos.perf.sys.PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE;
                """));
        bad.addAll(SourceImports.parse("perf/sys/PerfEventAttr.java", """
                package dev.vos.perf.sys;

                import dev.vos.perf.PerfEvent;
                """));
        bad.addAll(SourceImports.parse("client/fs/OpenFlags.java", """
                package dev.vos.client.fs;

                import dev.vos.storage.domain.StorageSyscalls;
                """));
        bad.addAll(SourceImports.parse("storage/protocol/StorageFlags.java", """
                package dev.vos.storage.protocol;

                import static dev.vos.sys.Linux.SYS_GETPID;
                """));
        bad.addAll(SourceImports.parse("controlplane/Anything.java", """
                package dev.vos.controlplane;

                import com.sun.jna.*;
                """));
        assertEquals(List.of("[perf/PerfEvent.java: import dev.vos.perf.sys.PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE,"
                + " perf/sys/PerfEventAttr.java: import dev.vos.perf.PerfEvent]"),
                SourceImports.cycles(bad).stream().map(Object::toString).toList());
        assertEquals(List.of("client/fs/OpenFlags.java: import dev.vos.storage.domain.StorageSyscalls"),
                SourceImports.beyondBoundaries(bad).stream().map(Object::toString).toList(),
                "the protocol may name sys, and the control plane is under no layer's table");
        assertEquals(List.of("storage/protocol/StorageFlags.java: import dev.vos.sys.Linux.SYS_GETPID"),
                SourceImports.protocolSystemCalls(bad).stream().map(Object::toString).toList());
        assertEquals(List.of("controlplane/Anything.java: import com.sun.jna"),
                SourceImports.jnaOutsideXen(bad).stream().map(Object::toString).toList());
    }

    private static void assertNone(List<?> violations, String rule) {
        assertTrue(violations.isEmpty(), violations.size() + " finding(s) against the rule '" + rule + "':\n  "
                + violations.stream().map(Object::toString).collect(Collectors.joining("\n  ")));
    }
}
