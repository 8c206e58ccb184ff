package dev.vos.architecture;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segment files are named in one place, the ring's {@code SegmentFiles}: no main source writes {@code "/dev/shm}
 * in a string of its own (four programs once did, each with its own idea of the name an agent accepts).
 */
class SegmentNamingTest {

    @Test
    void onlySegmentFiles_spellsTheSegmentFolder() throws Exception {
        Path root = Path.of(System.getProperty("vos.repository"));
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(SegmentNamingTest::isMainSourceOtherThanSegmentFiles).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains("\"/dev/shm")) {
                        found.add(root.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(found.isEmpty(), "name segment files with dev.vos.ring.SegmentFiles:\n  "
                + String.join("\n  ", found));
    }

    private static boolean isMainSourceOtherThanSegmentFiles(Path file) {
        String path = file.toString();
        return path.endsWith(".java") && path.contains("/src/main/java/") && !path.contains("/target/")
                && !file.getFileName().toString().equals("SegmentFiles.java");
    }
}
