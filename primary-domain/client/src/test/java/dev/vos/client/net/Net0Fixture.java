package dev.vos.client.net;

import dev.vos.client.DomainClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real net0 ({@link NetDomain}) for a test class, with a client and a provider over it: started before the
 * class's first test and killed after its last, its state directory deleted. Registered as a static field:
 * {@code @RegisterExtension static final Net0Fixture NET0 = new Net0Fixture();}.
 */
final class Net0Fixture implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private NetDomain domain;
    private DomainClient client;
    private VosSelectorProvider provider;

    @Override
    public void beforeAll(final ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("vos-net0-test");
        domain = NetDomain.start(dir);
        client = domain.client();
        provider = new VosSelectorProvider(client);
    }

    @Override
    public void afterAll(final ExtensionContext context) throws Exception {
        try {
            client.close();
            domain.close();
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The directory in which net0's clients may bind and connect Unix domain sockets. */
    Path unixDir() {
        return domain.unixDir();
    }

    /** The net0 provider, as {@code -Djava.nio.channels.spi.SelectorProvider} would install it. */
    VosSelectorProvider provider() {
        return provider;
    }
}
