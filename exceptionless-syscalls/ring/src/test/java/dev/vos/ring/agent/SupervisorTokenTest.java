package dev.vos.ring.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

class SupervisorTokenTest {

    @TempDir
    Path dir;

    @Test
    void issue_writesAnOwnerOnlyFile_thatReadsBackAsTheSameToken() throws Exception {
        Path file = dir.resolve("supervisor.token");
        SupervisorToken token = SupervisorToken.issue(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        SupervisorToken read = SupervisorToken.read(file);
        assertTrue(read.matches(token.text()));
        assertEquals(64, token.text().length());
        assertFalse(token.toString().contains(token.text()), "never printed");
        SupervisorToken next = SupervisorToken.issue(file);
        assertFalse(next.matches(token.text()), "a new generation's token is another");
        assertTrue(SupervisorToken.read(file).matches(next.text()), "replaced in place");
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file is left behind");
        }
    }

    @Test
    void matches_onlyTheWholeToken() throws Exception {
        SupervisorToken token = SupervisorToken.issue(dir.resolve("t"));
        assertFalse(token.matches(""));
        assertFalse(token.matches(token.text().substring(1)));
        assertFalse(token.matches(token.text() + "0"));
        assertFalse(token.matches(token.text().replace(token.text().charAt(0), (char) (token.text().charAt(0) ^ 1))));
    }

    @Test
    void read_refusesATokenOthersMayRead_aLink_andGarbage() throws Exception {
        Path file = dir.resolve("t");
        SupervisorToken.issue(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> SupervisorToken.read(file));
        assertTrue(e.getMessage().contains("only its owner may read and write"), e.getMessage());

        Path link = dir.resolve("link");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(link, file);
        assertThrows(IOException.class, () -> SupervisorToken.read(link));

        Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "not a token");
        Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rw-------"));
        e = assertThrows(IOException.class, () -> SupervisorToken.read(garbage));
        assertTrue(e.getMessage().contains("is not 64 hex digits"), e.getMessage());
    }
}
