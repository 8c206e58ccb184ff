package dev.vos.client.fs.mount;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountPointsTest {

    @TempDir
    Path dir;

    @Test
    void prepare_makesTheDirectoryWithOneReadme_soThatJavaIoFileDoesNotSeeNothing() throws Exception {
        Path point = dir.resolve("srv/data");
        Mount mount = new Mount(point.toString(), "storage0", "/", null, null, 1);
        Path readme = MountPoints.prepare(mount, point);
        assertTrue(new File(point.toString()).isDirectory());
        assertEquals(1, new File(point.toString()).list().length);
        assertTrue(Files.readString(readme).contains("-> storage domain storage0, its directory /"));
        assertTrue(Files.readString(readme).contains("java.io.File, FileInputStream"));
        MountPoints.prepare(mount, point); // again: the README is written anew
    }

    @Test
    void prepare_refusesADirectoryHoldingFiles_thatTheMountWouldHide() throws Exception {
        Path point = Files.createDirectories(dir.resolve("data"));
        Files.writeString(point.resolve("precious.txt"), "x");
        DirectoryNotEmptyException e = assertThrows(DirectoryNotEmptyException.class,
                () -> MountPoints.prepare(new Mount(point.toString(), "storage0", "/", null, null, 1), point));
        assertTrue(e.getMessage().contains("precious.txt"), e.getMessage());
    }
}
