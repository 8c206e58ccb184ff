package dev.vos.controlplane.spec;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The example in the repository parses as it is, so the docs' first step cannot silently rot. */
class ExampleSpecTest {

    @Test
    void examplesHostYaml_parses() throws Exception {
        Path example = repositoryRoot().resolve("examples/host.yaml");

        HostSpec spec = SpecParser.parse(example);

        assertEquals(List.of("storage0", "net0"), spec.domains().stream().map(DomainSpec::name).toList());
        DomainSpec storage0 = spec.domain("storage0").orElseThrow();
        assertEquals(repositoryRoot().resolve("examples/data/storage0").toAbsolutePath().normalize(),
                storage0.storage().exportRoot());
        assertEquals(new SupervisorSpec(3, 30, 100, 10_000, 500), storage0.limits());
        assertTrue(storage0.standby(), "the example shows a warm standby");
        assertTrue(spec.domain("net0").orElseThrow().standby(), "net0 too: a server's listening socket dies with it");
        assertEquals(SupervisorSpec.DEFAULTS, spec.domain("net0").orElseThrow().limits());
        assertEquals(List.of(java.nio.file.Path.of("/tmp/vos-net0")), spec.domain("net0").orElseThrow().net().unix(),
                "the README's Unix socket example binds there");
    }

    /** The repository's root, as the build passes it to the tests. */
    private static Path repositoryRoot() {
        return Path.of(System.getProperty("vos.repository"));
    }
}
