package dev.vos.backend.xen;

import dev.vos.backend.DomainLaunch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The record a Xen domain's directory gets before its guest is created ({@code xen-guest}), which a client of the
 * state directory reads to attach over the Xen transport (the client's side: {@code DomainClientXenGuestTest};
 * the whole way, the Xen lab's {@code XenSupervisedGuestIT}).
 */
class GuestRecordTest {

    @TempDir
    Path stateDir;

    @Test
    void recordGuest_namesTheGuestByTheDomainsName_andReplacesAnOldRecord() throws Exception {
        Path workDir = stateDir.resolve("domains/storage-y");
        DomainLaunch launch = new DomainLaunch("storage-y", "storage", 2, workDir, workDir.resolve("agent.sock"), 96,
                List.of(), Set.of(), Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(5), OptionalInt.empty(),
                List.of(), Map.of());
        Files.createDirectories(workDir);
        Files.writeString(workDir.resolve("xen-guest"), "xen-domain=an-old-name-of-a-longer-length\n");
        XenBackend.recordGuest(launch);
        assertEquals("xen-domain=storage-y\n", Files.readString(workDir.resolve("xen-guest")));
    }
}
