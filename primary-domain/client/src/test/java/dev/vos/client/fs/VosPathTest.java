package dev.vos.client.fs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A vos path's syntax is POSIX syntax: every purely syntactic operation gives what the default provider's
 * UnixPath gives for the same strings (no domain is needed: none of these operations calls it).
 */
class VosPathTest {

    private static FileSystem vos;

    @BeforeAll
    static void fileSystem() throws Exception {
        vos = FileSystems.newFileSystem(URI.create("vos://syntax-only/"), Map.of("socket", "/nonexistent/agent.sock"));
    }

    @AfterAll
    static void close() throws Exception {
        vos.close();
    }

    private static final String[] PARTS = {"a", "b", "..", ".", "", "/", "//", "c.txt", "d e"};

    private static String randomPath(Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(PARTS[random.nextInt(PARTS.length)]);
            if (random.nextBoolean()) {
                s.append('/');
            }
        }
        return s.toString();
    }

    private static String show(Object o) {
        return o == null ? "null" : o.toString();
    }

    /** Applies {@code op} to the default path and to the vos path of the same string; both must agree. */
    private static void same(String input, String what, Function<Path, Object> op) {
        Object expected;
        Object actual;
        try {
            expected = show(op.apply(Path.of(input)));
        } catch (RuntimeException e) {
            expected = e.getClass();
        }
        try {
            actual = show(op.apply(vos.getPath(input)));
        } catch (RuntimeException e) {
            actual = e.getClass();
        }
        assertEquals(expected, actual, what + " of '" + input + "'");
    }

    @Test
    void syntacticOperations_agreeWithTheDefaultProvider_onRandomPaths() {
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            String a = randomPath(random);
            String b = randomPath(random);
            same(a, "toString", p -> p);
            same(a, "getFileName", Path::getFileName);
            same(a, "getParent", Path::getParent);
            same(a, "getRoot", Path::getRoot);
            same(a, "getNameCount", Path::getNameCount);
            same(a, "normalize", Path::normalize);
            same(a, "isAbsolute", Path::isAbsolute);
            same(a, "names", p -> {
                List<String> names = new ArrayList<>();
                p.forEach(n -> names.add(n.toString()));
                return names;
            });
            same(a, "subpath(0,1)", p -> p.subpath(0, 1));
            same(a, "resolve " + b, p -> p.resolve(b));
            same(a, "startsWith " + b, p -> p.startsWith(p.getFileSystem().getPath(b)));
            same(a, "endsWith " + b, p -> p.endsWith(p.getFileSystem().getPath(b)));
            same(a, "relativize " + b, p -> p.relativize(p.getFileSystem().getPath(b)));
            same(a, "resolveSibling " + b, p -> p.resolveSibling(b));
        }
    }

    @Test
    void toUri_namesTheDomain_andRoundTrips() {
        Path p = vos.getPath("/data/x y.bin");
        assertEquals(URI.create("vos://syntax-only/data/x%20y.bin"), p.toUri());
        assertEquals(p, Path.of(p.toUri()));
    }

    @Test
    void domainPath_isRelativeToTheExportRoot() {
        assertEquals(".", ((VosPath) vos.getPath("/")).domainPath());
        assertEquals("a/b", ((VosPath) vos.getPath("/a//b/")).domainPath());
        assertEquals("a/b", ((VosPath) vos.getPath("a/b")).domainPath());
    }

    @Test
    void aPathOfAnotherProvider_isRefused() {
        assertThrows(java.nio.file.ProviderMismatchException.class, () -> vos.getPath("/a").resolve(Path.of("b")));
    }

    @Test
    void pathMatcher_globsAsTheDefaultProviderDoes() {
        var matcher = vos.getPathMatcher("glob:**/*.{txt,log}");
        assertEquals(true, matcher.matches(vos.getPath("/a/b/c.txt")));
        assertEquals(false, matcher.matches(vos.getPath("/a/b/c.bin")));
    }
}
