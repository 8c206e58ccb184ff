package dev.vos.backend.xen.libxl;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checks every number in {@link LibxlLayout} against the C headers: compiles a small C program with the installed
 * libxl headers that prints each sizeof, offsetof and enum value, and compares. Headers are looked for in
 * {@code -Dvos.xen.include=DIR}, then in the lab's staging folder ({@code lab/xen/.cache/stage/usr/include}, filled
 * by {@code lab/xen/fetch.sh}), then in {@code /usr/include}. Without headers or a C compiler the test is skipped,
 * saying so, unless {@code -Dvos.xen.requireHeaders=true} (the lab sets it).
 */
class LibxlLayoutTest {

    @TempDir
    Path dir;

    /** Each C expression the program prints, by the name of the Java constant it must equal. */
    private static final Map<String, String> EXPRESSIONS = new LinkedHashMap<>();

    static {
        EXPRESSIONS.put("LIBXL_VERSION", "LIBXL_VERSION");
        EXPRESSIONS.put("SIZEOF_DOMINFO", "sizeof(libxl_dominfo)");
        EXPRESSIONS.put("SIZEOF_DOMAIN_CONFIG", "sizeof(libxl_domain_config)");
        EXPRESSIONS.put("SIZEOF_XENTOOLLOG_LOGGER", "sizeof(xentoollog_logger)");
        EXPRESSIONS.put("LOGGER_VMESSAGE_OFFSET", "offsetof(xentoollog_logger, vmessage)");
        EXPRESSIONS.put("LOGGER_PROGRESS_OFFSET", "offsetof(xentoollog_logger, progress)");
        EXPRESSIONS.put("LOGGER_DESTROY_OFFSET", "offsetof(xentoollog_logger, destroy)");
        EXPRESSIONS.put("EVENT_TYPE_DOMAIN_SHUTDOWN", "LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN");
        EXPRESSIONS.put("EVENT_TYPE_DOMAIN_DEATH", "LIBXL_EVENT_TYPE_DOMAIN_DEATH");
        EXPRESSIONS.put("XTL_DETAIL", "XTL_DETAIL");
        EXPRESSIONS.put("XTL_INFO", "XTL_INFO");
        EXPRESSIONS.put("XTL_WARN", "XTL_WARN");
        EXPRESSIONS.put("XTL_ERROR", "XTL_ERROR");
        EXPRESSIONS.put("ERROR_FAIL", "ERROR_FAIL");
        EXPRESSIONS.put("ERROR_NOMEM", "ERROR_NOMEM");
        EXPRESSIONS.put("ERROR_INVAL", "ERROR_INVAL");
        EXPRESSIONS.put("ERROR_TIMEDOUT", "ERROR_TIMEDOUT");
        EXPRESSIONS.put("ERROR_NOT_READY", "ERROR_NOT_READY");
        EXPRESSIONS.put("ERROR_DOMAIN_NOTFOUND", "ERROR_DOMAIN_NOTFOUND");
    }

    @Test
    void everyIntConstantIsChecked() throws Exception {
        for (Field f : LibxlLayout.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                assertTrue(EXPRESSIONS.containsKey(f.getName()), f.getName() + " has no C expression to check it");
            }
        }
    }

    @Test
    void constantsMatchTheInstalledHeaders() throws Exception {
        Path include = headers();
        String cc = compiler();
        boolean required = Boolean.getBoolean("vos.xen.requireHeaders");
        if (include == null || cc == null) {
            String why = (include == null ? "no libxl headers (libxl.h) in -Dvos.xen.include, "
                    + "lab/xen/.cache/stage/usr/include or /usr/include; run lab/xen/fetch.sh or install libxen-dev"
                    : "no C compiler (cc or gcc) on the PATH") + ": the libxl layout was NOT checked";
            assertFalse(required, why);
            Assumptions.abort(why);
        }
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <stdarg.h>
                #include <libxl.h>
                #include <libxl_utils.h>
                #include <libxlutil.h>
                #include <xentoollog.h>
                int main(void) {
                    printf("VA_LIST_SIZE %d\\n", (int) sizeof(va_list));
                """);
        EXPRESSIONS.forEach((name, expr) -> c.append("    printf(\"").append(name).append(" %ld\\n\", (long) (")
                .append(expr).append("));\n"));
        c.append("    return 0;\n}\n");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, c);
        Path binary = dir.resolve("layout");
        String compiled = run(List.of(cc, "-I", include.toString(), "-o", binary.toString(), source.toString()));
        assertTrue(Files.isExecutable(binary), "the layout program did not compile against " + include + ":\n"
                + compiled);
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(List.of(binary.toString())).strip().split("\n")) {
            String[] parts = line.split(" ");
            actual.put(parts[0], Long.parseLong(parts[1]));
        }
        // va_list must be an array type (24 bytes on x86_64), so that a va_list parameter arrives as a pointer.
        assertEquals(24L, actual.get("VA_LIST_SIZE"), "the logger's vsnprintf assumes x86_64's va_list");
        StringBuilder wrong = new StringBuilder();
        for (String name : EXPRESSIONS.keySet()) {
            long expected = LibxlLayout.class.getField(name).getInt(null);
            if (actual.get(name) != expected) {
                wrong.append(String.format("%n  %s = %d in LibxlLayout, but %s = %d in %s", name, expected,
                        EXPRESSIONS.get(name), actual.get(name), include));
            }
        }
        assertEquals("", wrong.toString(), "the libxl bindings do not match these Xen headers; fix LibxlLayout"
                + " (and check the bindings) before using this Xen version:");
        System.out.println("libxl layout: " + actual.size() + " values match the headers in " + include);
    }

    private static Path headers() {
        String given = System.getProperty("vos.xen.include");
        List<Path> candidates = given != null ? List.of(Path.of(given))
                : List.of(Path.of("../lab/xen/.cache/stage/usr/include"), Path.of("lab/xen/.cache/stage/usr/include"),
                Path.of("/usr/include"));
        return candidates.stream().filter(p -> Files.isRegularFile(p.resolve("libxl.h"))).findFirst()
                .map(Path::toAbsolutePath).orElse(null);
    }

    private static String compiler() {
        for (String cc : List.of("cc", "gcc")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cc))) {
                    return cc;
                }
            }
        }
        return null;
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return out;
    }
}
