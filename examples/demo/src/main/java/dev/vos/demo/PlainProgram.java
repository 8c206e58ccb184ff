package dev.vos.demo;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that knows nothing of vos, run by {@link MountedPathsDemo} in a JVM of its own: plain
 * {@code Path.of} and {@code Files} on the path it is given. Which provider serves it is the JVM's flags' business.
 */
public final class PlainProgram {

    private PlainProgram() {
    }

    public static void main(String[] args) throws Exception {
        Path hello = Path.of(args[0]);
        Files.writeString(hello, "hello from a plain Path.of\n");
        System.out.println("Files.writeString(Path.of(\"" + hello + "\"), ...): " + Files.size(hello) + " bytes");
        System.out.println("Files.readString: " + Files.readString(hello).strip());
        System.out.println("Files.getFileStore: " + Files.getFileStore(hello));
        System.out.println("default provider: " + FileSystems.getDefault().provider().getClass().getName());
    }
}
