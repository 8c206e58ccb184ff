package dev.vos.client.fs.mount;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/** A program that knows nothing of vos: plain {@code Path.of} and {@code Files}, on the path it is given. */
public final class PlainPathsMain {

    private PlainPathsMain() {
    }

    public static void main(String[] args) throws Exception {
        Path hello = Path.of(args[0], "hello.txt");
        Files.writeString(hello, "hello from a plain path\n");
        System.out.println("provider=" + FileSystems.getDefault().provider().getClass().getName());
        System.out.println("path=" + hello.getClass().getName());
        System.out.println("read=" + Files.readString(hello).strip());
        System.out.println("store=" + Files.getFileStore(hello).name());
        System.out.println("host=" + Files.size(Path.of(args[1])));
    }
}
