package dev.vos.client.fs.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host's side of a mount: a directory holding one {@value #README} that says the paths beneath it are served
 * by a domain. What does not go through a {@code java.nio.file} provider ({@code java.io.File},
 * {@code FileInputStream}, a shell) sees this directory, so {@code new File("/srv/data").exists()} is true and a
 * listing shows the README, not an empty directory that looks like lost data.
 */
public final class MountPoints {

    /** The one file of a mount point. */
    public static final String README = "README.vos-mount";

    private MountPoints() {
    }

    /** What the README says for {@code mount}. */
    public static String readme(Mount mount) {
        return """
                This directory is a vos mount point: %s -> storage domain %s, its directory %s.

                In a JVM started with
                  -Djava.nio.file.spi.DefaultFileSystemProvider=%s
                and this mount in its table, every java.nio.file path beneath %s (Path.of, Files, FileChannel)
                is served by the domain, not by this disk. What does not go through a java.nio.file provider
                (java.io.File, FileInputStream, FileOutputStream, RandomAccessFile, ProcessBuilder redirects,
                native code, a shell) sees this directory instead: this file, and nothing of the domain's.
                The domain's files: vos fs ls %s:%s
                """.formatted(mount.prefix(), mount.domain(), mount.directory(),
                MountedFileSystemProvider.class.getName(), mount.prefix(), mount.domain(), mount.directory());
    }

    /**
     * Makes {@code hostDirectory} (the mount's prefix as the host sees it, in a JVM whose default provider is the
     * platform's) a mount point: the directory, and its README written anew. A directory holding anything else
     * is refused: files there would be hidden from every program that goes through the mount.
     *
     * @return the README's path
     */
    public static Path prepare(Mount mount, Path hostDirectory) throws IOException {
        Files.createDirectories(hostDirectory);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(hostDirectory)) {
            for (Path entry : entries) {
                if (!entry.getFileName().toString().equals(README)) {
                    throw new DirectoryNotEmptyException(hostDirectory + " (holds " + entry.getFileName()
                            + ", which programs going through the mount would not see; move it first)");
                }
            }
        }
        return Files.writeString(hostDirectory.resolve(README), readme(mount), StandardCharsets.UTF_8);
    }
}
