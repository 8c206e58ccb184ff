package dev.vos.controlplane.journal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The journal's line format: one flat JSON object with exactly the five fields of {@link JournalEvent}, string and
 * integer values only. Not a general JSON library: it writes exactly this shape and reads back only this shape, so
 * that anything else in the file (a torn write, a stray edit) is recognised as damage instead of half-understood.
 *
 * <p>Non-ASCII text is written as UTF-8, so the file stays readable with {@code less} and {@code jq}. Control
 * characters, and surrogates that are not part of a pair (which UTF-8 cannot carry), are written as {@code \}{@code
 * uXXXX} so that every Java string round-trips exactly.
 */
final class JournalJson {

    private static final Set<String> FIELDS = Set.of("time", "domain", "generation", "type", "detail");

    private JournalJson() {
    }

    /** The event as one JSON object, without the line's terminating newline. */
    static String encode(JournalEvent event) {
        StringBuilder b = new StringBuilder(96 + event.detail().length());
        b.append("{\"time\":");
        string(b, event.time().toString());
        b.append(",\"domain\":");
        string(b, event.domain());
        b.append(",\"generation\":").append(event.generation());
        b.append(",\"type\":");
        string(b, event.type().name());
        b.append(",\"detail\":");
        string(b, event.detail());
        return b.append('}').toString();
    }

    /** Appends {@code s} as a JSON string literal, quotes included. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Parses one line (without its newline).
     *
     * @throws IllegalArgumentException naming the first problem, if the line is not exactly one event object
     */
    static JournalEvent decode(String line) {
        Map<String, Object> fields = new Parser(line).object();
        if (!fields.keySet().equals(FIELDS)) {
            throw new IllegalArgumentException("fields are " + fields.keySet() + ", expected " + FIELDS);
        }
        Instant time;
        try {
            time = Instant.parse(text(fields, "time"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time: " + e.getMessage(), e);
        }
        if (!(fields.get("generation") instanceof Long generation)) {
            throw new IllegalArgumentException("generation is not an integer");
        }
        EventType type = EventType.valueOf(text(fields, "type"));
        return new JournalEvent(time, text(fields, "domain"), generation, type, text(fields, "detail"));
    }

    private static String text(Map<String, Object> fields, String name) {
        if (!(fields.get(name) instanceof String s)) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return s;
    }

    /**
     * A recursive-descent reader for {@code {"key":value,...}} where a value is a string or an integer. No
     * whitespace between tokens: the writer never emits any, so any found is damage.
     */
    private static final class Parser {

        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> object() {
            Map<String, Object> fields = new HashMap<>();
            expect('{');
            if (peek() != '}') {
                do {
                    String key = string();
                    expect(':');
                    Object value = peek() == '"' ? string() : integer();
                    if (fields.put(key, value) != null) {
                        throw fail("duplicate field \"" + key + "\"");
                    }
                } while (accept(','));
            }
            expect('}');
            if (pos != s.length()) {
                throw fail("trailing characters");
            }
            return fields;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw fail("raw control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw fail("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> b.append(hex4());
                    default -> throw fail("bad escape \\" + e);
                }
            }
        }

        private char hex4() {
            if (pos + 4 > s.length()) {
                throw fail("short \\u escape");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                // Character.digit rather than Integer.parseInt, which would also take a sign
                int digit = Character.digit(s.charAt(pos++), 16);
                if (digit < 0) {
                    throw fail("bad hex digit in \\u escape");
                }
                value = value * 16 + digit;
            }
            return (char) value;
        }

        /** {@code -?(0|[1-9][0-9]*)}, within a long. */
        private Long integer() {
            int start = pos;
            accept('-');
            if (peek() == '0') {
                pos++;
            } else if (peek() >= '1' && peek() <= '9') {
                while (peek() >= '0' && peek() <= '9') {
                    pos++;
                }
            } else {
                throw fail("expected a string or an integer");
            }
            try {
                return Long.parseLong(s, start, pos, 10);
            } catch (NumberFormatException e) {
                throw fail("integer out of range");
            }
        }

        /** The next character, or 0 at the end (never valid where it is looked at). */
        private char peek() {
            return pos < s.length() ? s.charAt(pos) : 0;
        }

        private boolean accept(char c) {
            if (peek() == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!accept(c)) {
                throw fail("expected '" + c + "'");
            }
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException(what + " at column " + (pos + 1));
        }
    }
}
