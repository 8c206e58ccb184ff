package dev.vos.client.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a child JVM's stderr says that a test must not pass over: the lines slf4j-simple writes at WARN or ERROR
 * ({@code [thread] WARN logger - message}), which is how Jetty and Netty (slf4j-simple is on the test class path)
 * report what went wrong inside them without failing the program.
 */
final class ChildLog {

    private static final Pattern WARN_OR_ERROR = Pattern.compile("^\\[[^\\]]*\\] (WARN|ERROR) ");

    private ChildLog() {
    }

    /** The WARN and ERROR lines of {@code stderr}. */
    static List<String> warnings(final Path stderr) throws IOException {
        return Files.readAllLines(stderr).stream().filter(l -> WARN_OR_ERROR.matcher(l).find()).toList();
    }
}
