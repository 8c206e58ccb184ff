package dev.vos.architecture;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.vos.archviolation.UsesJna;
import dev.vos.archviolation.cycle.a.Left;
import dev.vos.archviolation.cycle.b.Right;
import dev.vos.client.DomainClient;
import dev.vos.client.archviolation.ClientUsesControlPlane;
import dev.vos.client.archviolation.ClientUsesMicrometer;
import dev.vos.client.archviolation.ClientUsesNetDomain;
import dev.vos.net.domain.archviolation.NetDomainUsesStorageDomain;
import dev.vos.net.protocol.archviolation.NetProtocolCallsLinux;
import dev.vos.net.protocol.archviolation.NetProtocolUsesNetDomain;
import dev.vos.ring.archviolation.RingUsesClient;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.archviolation.ClientUsesProcessTransport;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerCall;
import dev.vos.ring.server.SplitPackageProbe;
import dev.vos.ring.transport.archviolation.TransportUsesServer;
import dev.vos.storage.protocol.archviolation.ProtocolCallsLinux;
import dev.vos.storage.protocol.archviolation.ProtocolUsesStorageDomain;
import dev.vos.sys.archviolation.SysUsesRing;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rule that cannot fail proves nothing: each rule of {@link VosRules}, run on a class that breaks it (the
 * {@code archviolation} test classes), fails, names the class, and says why the rule exists.
 */
class RulesCanFailTest {

    @Test
    void noPackageCycles_failsOnTwoPackagesThatUseEachOther() {
        assertFails(VosRules.NO_PACKAGE_CYCLES, "Left", Left.class, Right.class);
    }

    @Test
    void sysIsTheBottom_failsOnSysUsingTheRing() {
        assertFails(VosRules.SYS_IS_THE_BOTTOM, "SysUsesRing", SysUsesRing.class);
    }

    @Test
    void ringUsesOnlySys_failsOnTheRingUsingTheClient() {
        assertFails(VosRules.RING_USES_ONLY_SYS, "RingUsesClient", RingUsesClient.class);
    }

    @Test
    void clientLinksOnlyRingProtocolSys_failsOnTheControlPlane() {
        assertFails(VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS, "ClientUsesControlPlane",
                ClientUsesControlPlane.class);
    }

    @Test
    void clientLinksOnlyRingProtocolSys_failsOnTheNetDomain() {
        assertFails(VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS, "ClientUsesNetDomain", ClientUsesNetDomain.class);
    }

    @Test
    void clientLinksOnlyRingProtocolSys_failsOnAThirdPartyLibrary() {
        assertFails(VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS, "ClientUsesMicrometer", ClientUsesMicrometer.class);
    }

    @Test
    void protocolLinksOnlyRingSys_failsOnTheStorageDomain() {
        assertFails(VosRules.PROTOCOL_LINKS_ONLY_RING_SYS, "ProtocolUsesStorageDomain",
                ProtocolUsesStorageDomain.class);
    }

    @Test
    void protocolMakesNoSystemCalls_failsOnLinux() {
        assertFails(VosRules.PROTOCOL_MAKES_NO_SYSTEM_CALLS, "ProtocolCallsLinux", ProtocolCallsLinux.class);
    }

    @Test
    void netProtocolLinksOnlyRingSys_failsOnTheNetDomain() {
        assertFails(VosRules.NET_PROTOCOL_LINKS_ONLY_RING_SYS, "NetProtocolUsesNetDomain",
                NetProtocolUsesNetDomain.class);
    }

    @Test
    void netDomainUsesOnlyItsProtocolRingSys_failsOnTheStorageDomain() {
        assertFails(VosRules.NET_DOMAIN_USES_ONLY_ITS_PROTOCOL_RING_SYS, "NetDomainUsesStorageDomain",
                NetDomainUsesStorageDomain.class);
    }

    @Test
    void protocolMakesNoSystemCalls_failsOnLinuxInTheNetProtocol() {
        assertFails(VosRules.PROTOCOL_MAKES_NO_SYSTEM_CALLS, "NetProtocolCallsLinux", NetProtocolCallsLinux.class);
    }

    @Test
    void onlyTheXenBackendLoadsJna_failsOnJnaElsewhere() {
        assertFails(VosRules.ONLY_THE_XEN_BACKEND_LOADS_JNA, "UsesJna", UsesJna.class);
    }

    @Test
    void eachPackageInOneArtifact_failsOnAClassInTheRingsPackageFromAnotherJar() {
        assertFails(VosRules.EACH_PACKAGE_IN_ONE_ARTIFACT, "SplitPackageProbe", SplitPackageProbe.class,
                RingServer.class);
    }

    @Test
    void ringCoreUsesTransportSpiOnly_failsOnAClientClassNamingTheProcessTransport() {
        assertFails(VosRules.RING_CORE_USES_TRANSPORT_SPI_ONLY, "ClientUsesProcessTransport",
                ClientUsesProcessTransport.class);
    }

    @Test
    void transportsStayUnderTheRing_failsOnATransportUsingTheServer() {
        assertFails(VosRules.TRANSPORTS_STAY_UNDER_THE_RING, "TransportUsesServer", TransportUsesServer.class);
    }

    @Test
    void theRules_passOnClassesThatKeepThem() {
        VosRules.CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS.check(new ClassFileImporter().importClasses(DomainClient.class));
        VosRules.RING_CORE_USES_TRANSPORT_SPI_ONLY.check(new ClassFileImporter().importClasses(CallSlot.class,
                ServerCall.class));
        VosRules.EACH_PACKAGE_IN_ONE_ARTIFACT.check(new ClassFileImporter().importClasses(RingServer.class));
    }

    private static void assertFails(ArchRule rule, String culprit, Class<?>... classes) {
        AssertionError failure = assertThrows(AssertionError.class,
                () -> rule.check(new ClassFileImporter().importClasses(classes)));
        String message = failure.getMessage();
        assertTrue(message.contains(culprit), "the failure does not name " + culprit + ":\n" + message);
        assertTrue(message.contains(", because "), "the failure does not say why the rule exists:\n" + message);
    }
}
