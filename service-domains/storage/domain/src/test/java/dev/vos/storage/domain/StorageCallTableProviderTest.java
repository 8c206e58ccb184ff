package dev.vos.storage.domain;

import dev.vos.ring.agent.CallTableProvider;
import dev.vos.ring.server.CallTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/** The provider: found by the agent's ServiceLoader, and strict about its export root. */
class StorageCallTableProviderTest {

    @TempDir
    Path dir;

    @Test
    void isRegisteredForKindStorage() {
        assertTrue(ServiceLoader.load(CallTableProvider.class).stream()
                .anyMatch(p -> p.type() == StorageCallTableProvider.class && p.get().kind().equals("storage")));
    }

    @Test
    void aMissingOrBadExportRoot_isRefusedClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertRefused(Map.of(), "exportRoot");
        assertRefused(Map.of("exportRoot", ""), "exportRoot");
        assertRefused(Map.of("exportRoot", "relative/dir"), "absolute");
        assertRefused(Map.of("exportRoot", dir.resolve("missing").toString()), "existing directory");
        assertRefused(Map.of("exportRoot", file.toString()), "existing directory");
    }

    private static void assertRefused(Map<String, String> options, String mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StorageCallTableProvider().register(CallTable.builder(), options));
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }
}
