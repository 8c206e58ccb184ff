package dev.vos.net.domain;

import dev.vos.ring.agent.CallTableProvider;
import dev.vos.ring.server.CallTable;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;

/** The agent finds the net kind's calls through ServiceLoader, and refuses options it cannot serve by. */
class NetCallTableProviderTest {

    @Test
    void theAgentFindsTheNetKind_byServiceLoader() {
        assertTrue(ServiceLoader.load(CallTableProvider.class).stream()
                .anyMatch(p -> p.get().kind().equals("net") && p.type() == NetCallTableProvider.class));
    }

    @Test
    void optionsThatCannotBeServedBy_areRefused_naming_theOption() {
        NetCallTableProvider provider = new NetCallTableProvider();
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> provider.register(CallTable.builder(), Map.of()));
        assertTrue(none.getMessage().contains("bind="), none.getMessage());
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> provider.register(CallTable.builder(), Map.of("bind", "localhost")));
        assertTrue(name.getMessage().contains("'localhost' is not an IP address literal"), name.getMessage());
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> provider.register(CallTable.builder(), Map.of("bind", "127.0.0.1",
                        NetCallTableProvider.MAX_SOCKETS_PER_SESSION, "0")));
        assertTrue(cap.getMessage().contains(NetCallTableProvider.MAX_SOCKETS_PER_SESSION), cap.getMessage());
    }
}
