package dev.vos.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape of vos, checked on the main classes of every module as the build made them (this module depends on
 * all of them and runs last). The rules and their reasons are in {@link VosRules}.
 */
@AnalyzeClasses(packages = "dev.vos", importOptions = VosMainClasses.class)
final class ArchitectureTest {

    private ArchitectureTest() {
    }

    @ArchTest
    static final ArchRule NO_PACKAGE_CYCLES = VosRules.NO_PACKAGE_CYCLES;

    @ArchTest
    static final ArchRule SYS_IS_THE_BOTTOM = VosRules.SYS_IS_THE_BOTTOM;

    @ArchTest
    static final ArchRule RING_USES_ONLY_SYS = VosRules.RING_USES_ONLY_SYS;

    @ArchTest
    static final ArchRule CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS = VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS;

    @ArchTest
    static final ArchRule PROTOCOL_LINKS_ONLY_RING_SYS = VosRules.PROTOCOL_LINKS_ONLY_RING_SYS;

    @ArchTest
    static final ArchRule NET_PROTOCOL_LINKS_ONLY_RING_SYS = VosRules.NET_PROTOCOL_LINKS_ONLY_RING_SYS;

    @ArchTest
    static final ArchRule NET_DOMAIN_USES_ONLY_ITS_PROTOCOL_RING_SYS =
            VosRules.NET_DOMAIN_USES_ONLY_ITS_PROTOCOL_RING_SYS;

    @ArchTest
    static final ArchRule PROTOCOL_MAKES_NO_SYSTEM_CALLS = VosRules.PROTOCOL_MAKES_NO_SYSTEM_CALLS;

    @ArchTest
    static final ArchRule ONLY_THE_XEN_BACKEND_LOADS_JNA = VosRules.ONLY_THE_XEN_BACKEND_LOADS_JNA;

    @ArchTest
    static final ArchRule RING_CORE_USES_TRANSPORT_SPI_ONLY = VosRules.RING_CORE_USES_TRANSPORT_SPI_ONLY;

    @ArchTest
    static final ArchRule TRANSPORTS_STAY_UNDER_THE_RING = VosRules.TRANSPORTS_STAY_UNDER_THE_RING;

    @ArchTest
    static final ArchRule EACH_PACKAGE_IN_ONE_ARTIFACT = VosRules.EACH_PACKAGE_IN_ONE_ARTIFACT;

    /** The rules above pass vacuously on a class path that lacks a module: each module is seen, its tests are not. */
    @ArchTest
    static void everyModule_isImported_withoutTestClasses(JavaClasses classes) {
        for (String name : List.of("dev.vos.sys.Linux", "dev.vos.ring.client.RingClient",
                "dev.vos.storage.protocol.StorageCalls", "dev.vos.storage.domain.StorageHandlers",
                "dev.vos.net.protocol.NetCalls", "dev.vos.net.domain.NetHandlers",
                "dev.vos.perf.PerfEvent", "dev.vos.backend.DomainBackend", "dev.vos.client.DomainClient",
                "dev.vos.controlplane.ControlPlane", "dev.vos.backend.xen.XenBackend", "dev.vos.cli.VosCli",
                "dev.vos.demo.DemoMain", "dev.vos.bench.storage.HotPathCosts")) {
            assertTrue(classes.contain(name), name + " was not imported: is its module a dependency of this one?");
        }
        assertFalse(classes.contain("dev.vos.client.fs.StorageDomain"), "a test fixture was imported as main code");
        assertFalse(classes.contain(ArchitectureTest.class), "this module's tests were imported as main code");
    }
}
