package dev.vos.architecture;

import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The application of {@link ClientAloneTest}: a program that knows only {@code java.nio.file} and a
 * {@code vos://} URI, run in a JVM whose class (or module) path is the client's five jars and this one class. It
 * uses no vos type and no lambda (one class file, nothing else to copy); it prints one {@code key=value} line per
 * step for the test to compare.
 *
 * <pre>usage: ClientAloneMain vos://DOMAIN/FOLDER</pre>
 */
public final class ClientAloneMain {

    private ClientAloneMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(URI.create(args[0]));
        FileSystemProvider provider = dir.getFileSystem().provider();
        System.out.println("provider=" + provider.getClass().getName());
        System.out.println("module=" + provider.getClass().getModule().getName());
        Files.createDirectories(dir);
        Path hello = dir.resolve("hello.txt");
        Files.writeString(hello, "hello from a JVM with five vos jars\n");
        System.out.println("read=" + Files.readString(hello).strip());
        System.out.println("size=" + Files.size(hello));
        Files.writeString(dir.resolve("second.txt"), "2");
        Files.move(dir.resolve("second.txt"), dir.resolve("third.txt"));
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        Collections.sort(names);
        System.out.println("list=" + String.join(",", names));
        Files.delete(dir.resolve("third.txt"));
        System.out.println("exists=" + Files.exists(dir.resolve("third.txt")));
        System.out.println("done");
    }
}
