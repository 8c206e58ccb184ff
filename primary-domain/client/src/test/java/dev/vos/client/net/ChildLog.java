package dev.vos.client.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a child JVM said: its output once it ended well, and what its stderr says that a test must not pass over:
 * the lines slf4j-simple writes at WARN or ERROR ({@code [thread] WARN logger - message}), which is how Jetty and
 * Netty (slf4j-simple is on the test class path) report what went wrong inside them without failing the program.
 */
final class ChildLog {

    private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\[[^\\]]*\\] (WARN|ERROR) ");

    private ChildLog() {
    }

    /**
     * The stdout lines of child {@code p}, which must end within 60 s with status 0 (else the test fails, showing
     * {@code stderr}, where the child's stderr goes); the child is killed if it has not ended.
     */
    static List<String> output(final Process p, final Path stderr) throws Exception {
        try {
            final List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().toList();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
            assertEquals(0, p.exitValue(), "exit; stderr: " + Files.readString(stderr));
            return lines;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** The WARN and ERROR lines of {@code stderr}. */
    static List<String> warnings(final Path stderr) throws IOException {
        return Files.readAllLines(stderr).stream().filter(l -> WARN_OR_ERROR.matcher(l).find()).toList();
    }
}
