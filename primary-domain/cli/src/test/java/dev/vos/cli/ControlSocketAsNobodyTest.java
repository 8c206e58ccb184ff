package dev.vos.cli;

import dev.vos.controlplane.control.ControlSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vos ps} run by a user who may not talk to the running control plane is told so, not that none runs: the
 * review's user {@code nobody} read "no control plane is running" beside a live one.
 */
@Timeout(120)
class ControlSocketAsNobodyTest {

    private Path base;
    private Path state;
    private ControlSocket socket;

    @BeforeEach
    void controlPlaneOfRoot() throws Exception {
        assumeTrue(AsNobody.available(), AsNobody.SKIP_REASON);
        base = AsNobody.openDirectory();
        state = base.resolve("state");
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------")); // as vos up makes it
        socket = ControlSocket.listen(state.resolve("control.sock"), command -> List.of());
    }

    @AfterEach
    void close() throws Exception {
        if (socket != null) {
            socket.close();
        }
        AsNobody.deleteDirectory(base);
    }

    @Test
    void ps_whereTheStateDirectoryIsClosed_saysPermissionDenied() throws Exception {
        AsNobody.Result r = AsNobody.java(base, VosCli.class.getName(), "ps", "--state-dir", state.toString());
        assertEquals(1, r.status(), r.toString());
        assertEquals("vos ps: permission denied on " + state.resolve("control.sock") + ": only the user running"
                + " 'vos up' (and root) may talk to its control plane\n", r.stderr());
    }

    @Test
    void ps_whereOnlyTheSocketIsClosed_saysPermissionDeniedToo() throws Exception {
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        AsNobody.Result r = AsNobody.java(base, VosCli.class.getName(), "ps", "--state-dir", state.toString());
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.stderr().startsWith("vos ps: permission denied on " + state.resolve("control.sock")),
                r.stderr());
    }
}
