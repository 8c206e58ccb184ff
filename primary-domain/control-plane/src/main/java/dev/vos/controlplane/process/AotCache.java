package dev.vos.controlplane.process;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JDK's ahead-of-time cache for domain JVMs (JEP 483 and 514, JDK 24+): the classes a domain agent loads and
 * links while it starts and serves, stored once, so that each later generation maps them instead of loading them
 * again. A restart's time is mostly the JVM starting; this is what cuts it.
 *
 * <p>One cache per state directory and build: {@code STATE/aot/domain-KEY.aot}, where KEY is a digest of the
 * {@code java} binary, the JVM flags and every class-path jar (path, size, modification time), so a rebuilt jar
 * or another JDK gets a fresh cache rather than one the JVM would refuse. {@code STATE} is the control plane's own
 * directory (0700), and {@code aot/} is made 0700 too: the cache is code the domains run, so it is used only when
 * the directory and the file belong to this process's user and nobody else may write them. It is trained on the
 * first start that finds none (see {@code ProcessBackend}); until then, and whenever it cannot be had, domains
 * start without one, as before. The JVM checks the cache itself too and ignores one that does not fit.
 *
 * <p>Not for a class path with directories (a development build's {@code target/classes}): the JVM archives
 * classes from jars only. {@code -Dvos.domain.aot=false} turns it off.
 */
final class AotCache {

    private static final System.Logger LOG = System.getLogger(AotCache.class.getName());

    /** The system property that turns the cache off when {@code false}. */
    static final String PROPERTY = "vos.domain.aot";

    private final Path file;

    private AotCache(Path file) {
        this.file = file;
    }

    /**
     * The cache for domains started with {@code java}, {@code jvmFlags} and {@code classPath} (absolute entries,
     * as the backend passes them), kept in {@code dir}; empty, with the reason, when there can be none.
     */
    static Result of(Path dir, String java, List<String> jvmFlags, String classPath) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return new Result(Optional.empty(), "-D" + PROPERTY + "=false");
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith("*")) {
                Path folder = Path.of(entry.substring(0, entry.length() - 1));
                try (DirectoryStream<Path> all = Files.newDirectoryStream(folder, "*.{jar,JAR}")) {
                    all.forEach(jars::add);
                } catch (IOException e) {
                    return new Result(Optional.empty(), "cannot list " + folder + ": " + e.getMessage());
                }
            } else if (Files.isDirectory(Path.of(entry))) {
                return new Result(Optional.empty(), "the class path has a directory (" + entry
                        + "); the JVM caches classes from jars only");
            } else {
                jars.add(Path.of(entry));
            }
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            Path javaFile = Path.of(java).toRealPath();
            update(digest, javaFile + " " + Files.size(javaFile) + " " + Files.getLastModifiedTime(javaFile));
            update(digest, String.join(" ", jvmFlags));
            for (Path jar : jars) {
                update(digest, jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis());
            }
            String key = HexFormat.of().formatHex(digest.digest(), 0, 8);
            return new Result(Optional.of(new AotCache(dir.resolve("domain-" + key + ".aot"))), "");
        } catch (NoSuchFileException e) {
            return new Result(Optional.empty(), "no such file on the class path: " + e.getFile());
        } catch (IOException | NoSuchAlgorithmException e) {
            return new Result(Optional.empty(), "cannot fingerprint the class path: " + e);
        }
    }

    /** A cache, or why there is none. */
    record Result(Optional<AotCache> cache, String whyNot) {
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
    }

    /** The cache's file, trained or not. */
    Path file() {
        return file;
    }

    /** Where a training run writes, before the finished cache is moved into place. */
    Path trainingOutput() {
        return file.resolveSibling(file.getFileName() + ".training");
    }

    /**
     * Whether the trained cache is there and safe to hand to a domain: a regular file (not a link), in a directory
     * of this process's user that no one else may write, owned by this user, that no one else may write.
     */
    boolean ready() {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && ownedAndPrivate(file.getParent())
                && ownedAndPrivate(file);
    }

    /** The JVM flags that use the cache, or none while it is not {@link #ready()}. */
    List<String> flags() {
        return ready() ? List.of("-XX:AOTCache=" + file) : List.of();
    }

    /** Makes the cache's directory, owner-only. */
    void prepareDirectory() throws IOException {
        Files.createDirectories(file.getParent());
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
    }

    /** Moves a finished training's output into place, and removes caches of older builds beside it. */
    void install() throws IOException {
        Files.setPosixFilePermissions(trainingOutput(), PosixFilePermissions.fromString("rw-------"));
        Files.move(trainingOutput(), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(file.getParent(), "domain-*.aot")) {
            for (Path p : old) {
                if (!p.equals(file)) {
                    Files.deleteIfExists(p); // a running domain keeps its mapping; new ones use the new cache
                }
            }
        }
        LOG.log(Level.INFO, "AOT cache for domain JVMs ready: {0} ({1} MB)", file, Files.size(file) >> 20);
    }

    private static boolean ownedAndPrivate(Path path) {
        try {
            Object owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // this process's effective uid
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            return owner.equals(self) && !mode.contains(PosixFilePermission.GROUP_WRITE)
                    && !mode.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
