package dev.vos.storage.protocol;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The table in {@link StorageCalls}' Javadoc says what the code does: each row's number is the constant of that
 * name, and its arguments are the call's descriptor constants, in position order ({@code BUFFER_OFFSET} written
 * {@code bufferOffset}, after an optional C type and before an optional note). Hand-written docs drift; this one
 * cannot without failing the build.
 */
class StorageCallsTableTest {

    /** A table row: " * 66  pread      (int fd, bufferOffset, size_t count, off_t offset)   result". */
    private static final Pattern ROW = Pattern.compile("^\\s*\\*\\s+(\\d+)\\s+([a-z][A-Za-z]*)\\s+\\(([^)]*)\\)");
    private static final Pattern NAME = Pattern.compile("[a-z][A-Za-z_]*");
    private static final Set<String> C_TYPES = Set.of("int", "long", "mode_t", "size_t", "off_t", "uid_t", "gid_t");

    @Test
    void theJavadocTable_namesEveryCallsArgumentsInPositionOrder() throws Exception {
        // Tests run in the module's directory (Maven's basedir).
        Path source = Path.of("src/main/java/dev/vos/storage/protocol/StorageCalls.java");
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(source)) {
            Matcher row = ROW.matcher(line);
            if (!row.find()) {
                continue;
            }
            String call = row.group(2);
            rows.add(call);
            // A name in lower camel case, as its descriptor's constants: copyRange is COPY_RANGE.
            String constant = call.replaceAll("([A-Z])", "_$1").toUpperCase();
            assertEquals(StorageCalls.class.getField(constant).getInt(null),
                    Integer.parseInt(row.group(1)), call + "'s number");
            Class<?> descriptor = Class.forName(StorageCalls.class.getName() + "$"
                    + Character.toUpperCase(call.charAt(0)) + call.substring(1));
            assertEquals(arguments(descriptor), documented(row.group(3)), call + "'s arguments");
        }
        assertEquals(StorageCalls.LAST - StorageCalls.OPEN + 1, rows.size(), "one row per call: " + rows);
    }

    /** The argument names of a row: per comma-separated piece, the first name that is not a C type. */
    private static List<String> documented(String arguments) {
        List<String> names = new ArrayList<>();
        for (String piece : arguments.split(",")) {
            Matcher name = NAME.matcher(piece);
            while (name.find()) {
                if (!C_TYPES.contains(name.group())) {
                    names.add(name.group());
                    break;
                }
            }
        }
        return names;
    }

    /** The descriptor's position constants, in position order, in lower camel case. */
    private static List<String> arguments(Class<?> descriptor) {
        return Arrays.stream(descriptor.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == int.class)
                .sorted(Comparator.comparingInt(StorageCallsTableTest::position))
                .map(f -> camel(f.getName()))
                .toList();
    }

    private static int position(Field f) {
        try {
            return f.getInt(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static String camel(String constant) {
        StringBuilder out = new StringBuilder();
        for (String word : constant.toLowerCase().split("_")) {
            out.append(out.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return out.toString();
    }
}
