package dev.vos.ring.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The options every ring-serving process takes, parsed once for all of them. */
class ServerArgsTest {

    @Test
    void serverOptions_areApplied_andOthersAreLeftToTheCaller() {
        String[] args = {"--workers", "3", "--busy-poll", "--pin-cpus", "1,0", "--segment", "x"};
        ServerOptions o = ServerOptions.DEFAULT;
        ServerArgs.Parsed p = ServerArgs.parse(args, 0, o);
        assertEquals(1, p.lastIndex());
        assertEquals(3, p.options().workers());
        p = ServerArgs.parse(args, 2, p.options());
        assertEquals(2, p.lastIndex());
        assertEquals(Long.MAX_VALUE, p.options().idleSpinNs());
        p = ServerArgs.parse(args, 3, p.options());
        assertEquals(List.of(1, 0), p.options().workerCpus());
        assertNull(ServerArgs.parse(args, 5, p.options()), "--segment is not a server option");
    }

    @Test
    void badValues_nameTheOption() {
        assertEquals("--workers 'many' is not a number", assertThrows(IllegalArgumentException.class,
                () -> ServerArgs.parse(new String[]{"--workers", "many"}, 0, ServerOptions.DEFAULT)).getMessage());
        assertEquals("--pin-cpus '1,x': 'x' is not a CPU number", assertThrows(IllegalArgumentException.class,
                () -> ServerArgs.parse(new String[]{"--pin-cpus", "1,x"}, 0, ServerOptions.DEFAULT)).getMessage());
        assertEquals("--idle-spin-us needs a value", assertThrows(IllegalArgumentException.class,
                () -> ServerArgs.parse(new String[]{"--idle-spin-us"}, 0, ServerOptions.DEFAULT)).getMessage());
        assertEquals("workers=0: must be in [1, 256]", assertThrows(IllegalArgumentException.class,
                () -> ServerArgs.parse(new String[]{"--workers", "0"}, 0, ServerOptions.DEFAULT)).getMessage());
    }
}
