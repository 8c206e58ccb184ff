package dev.vos.client.fs.mount;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that knows nothing of vos: says that its {@code main} runs, then asks twice for the size of the plain
 * path it is given, saying what each use gave (the size, or what was thrown instead).
 */
public final class FirstPathMain {

    private FirstPathMain() {
    }

    public static void main(String[] args) {
        System.out.println("main ran");
        for (int i = 0; i < 2; i++) {
            try {
                System.out.println("size " + Files.size(Path.of(args[0])));
            } catch (Throwable t) {
                System.out.println("refused " + t.getClass().getName());
            }
        }
    }
}
