package dev.vos.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code docs/ring-protocol.md} says about the layout, read the way a person reads it: the field tables and
 * the byte diagrams, so that {@code RingLayoutTest} can hold them against {@code HeaderLayout} and
 * {@code SlotLayout}.
 */
final class RingProtocolDoc {

    /** A field as a table row or a diagram cell names it: bytes {@code [offset, offset + size)}. */
    record Field(String name, int offset, int size, String type) {
    }

    /** {@code "   8 |  VERSION (u32)  |  SLOT_COUNT (u32)  |  trailing note"}: the row's offset, cells, note. */
    private static final Pattern DIAGRAM_ROW = Pattern.compile("^\\s*(\\d+) (\\|.*\\|)(.*)$");
    /** A cell's field name, in capitals ("HEARTBEAT_NS", "CALL NUMBER"); cells in lower case are padding. */
    private static final Pattern NAME = Pattern.compile("^([A-Z][A-Z0-9_]*(?: [A-Z][A-Z0-9_]*)*)");
    /** A C type in parentheses: "(u32)", "(i64)". */
    private static final Pattern TYPE = Pattern.compile("\\(([ui])(8|16|32|64)\\)");
    /** Characters per byte in the diagrams' rulers ("byte   0       1 ..."). */
    private static final int BYTE_WIDTH = 8;

    private final List<String> lines;

    private RingProtocolDoc(List<String> lines) {
        this.lines = lines;
    }

    static RingProtocolDoc read() throws IOException {
        return new RingProtocolDoc(Files.readAllLines(Path.of(System.getProperty("vos.repository"), "docs",
                "ring-protocol.md")));
    }

    List<String> lines() {
        return lines;
    }

    /**
     * The rows of the table whose head is {@code | Off | Size | Type | ...}: offset, size, type and the name the
     * "Meaning" column starts with (rows that name no field, "reserved", are left out).
     */
    List<Field> headerTable() {
        List<Field> fields = new ArrayList<>();
        int head = indexOf(l -> l.startsWith("| Off | Size | Type |"), 0, "the header's field table");
        for (int i = head + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            Matcher name = NAME.matcher(cells[6].strip());
            if (name.find()) {
                fields.add(new Field(name.group(1), Integer.parseInt(cells[1].strip()),
                        Integer.parseInt(cells[2].strip()), cells[3].strip()));
            }
        }
        return fields;
    }

    /**
     * The fields of the first byte diagram (a {@code text} block) after the line {@code marker}: each capitalised
     * cell at its offset and width, and a row-wide field named after the row's last bar ("CONTROL (u64)").
     */
    List<Field> diagram(String marker) {
        int start = indexOf(l -> l.strip().equals(marker), 0, "'" + marker + "'");
        int open = indexOf(l -> l.startsWith("```text"), start, "a text block after '" + marker + "'");
        List<Field> fields = new ArrayList<>();
        for (int i = open + 1; !lines.get(i).startsWith("```"); i++) {
            Matcher row = DIAGRAM_ROW.matcher(lines.get(i));
            if (!row.matches()) {
                continue;
            }
            int rowOffset = Integer.parseInt(row.group(1));
            String bars = row.group(2);
            int from = 0; // bar positions within the row's bars; a byte is BYTE_WIDTH characters from the first bar
            for (int to = bars.indexOf('|', 1); to > 0; from = to, to = bars.indexOf('|', to + 1)) {
                String text = bars.substring(from + 1, to).strip();
                Matcher name = NAME.matcher(text);
                if (name.find()) {
                    fields.add(new Field(name.group(1), rowOffset + from / BYTE_WIDTH, (to - from) / BYTE_WIDTH,
                            type(text)));
                }
            }
            Matcher note = NAME.matcher(row.group(3).strip());
            if (note.find() && TYPE.matcher(row.group(3)).find()) {
                fields.add(new Field(note.group(1), rowOffset, bits(type(row.group(3))) / 8, type(row.group(3))));
            }
        }
        return fields;
    }

    /** The number on the line {@code "  512   end of header ..."} of the header diagram. */
    int headerEnd() {
        String line = lines.get(indexOf(l -> l.matches("^\\s*\\d+\\s+end of header.*"), 0, "'end of header'"));
        return Integer.parseInt(line.strip().split("\\s+")[0]);
    }

    /** The first line that starts with {@code prefix}. */
    String lineStartingWith(String prefix) {
        return lines.get(indexOf(l -> l.startsWith(prefix), 0, "a line starting '" + prefix + "'"));
    }

    /** The first line that contains {@code text}. */
    String lineContaining(String text) {
        return lines.get(indexOf(l -> l.contains(text), 0, "a line with '" + text + "'"));
    }

    /** "u32" -> 32. */
    static int bits(String type) {
        return Integer.parseInt(type.substring(1));
    }

    private static String type(String text) {
        Matcher m = TYPE.matcher(text);
        return m.find() ? m.group(1) + m.group(2) : "";
    }

    private int indexOf(java.util.function.Predicate<String> test, int from, String what) {
        for (int i = from; i < lines.size(); i++) {
            if (test.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("docs/ring-protocol.md has no " + what);
    }
}
