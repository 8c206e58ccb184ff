package dev.vos.dashboards;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the Debian binaries the checks need are, if installed. */
final class Tools {

    /** What to say when a binary is missing: the tests that need it skip, and say why. */
    static final String INSTALL = "; install it with 'apt-get install -y prometheus chromium' (.ci/run does)";

    private Tools() {
    }

    static Optional<Path> find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The dashboards folder of the repository. */
    static Path dashboardsDir() {
        return Path.of(System.getProperty("vos.repository", "..")).resolve("dashboards");
    }
}
