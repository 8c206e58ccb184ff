package dev.vos.dashboards;

import java.util.List;
import java.util.Map;

/**
 * A small JSON writer for the dashboards: maps (in their iteration order), lists, strings, numbers, booleans and
 * null, pretty-printed with two spaces, so that the generated files diff well and stay the same from run to run.
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "");
        return out.append('\n').toString();
    }

    private static void write(Object value, StringBuilder out, String indent) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(s, out);
            case Boolean b -> out.append(b);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Double d -> out.append(d % 1 == 0 ? Long.toString(d.longValue()) : d.toString());
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.append(indent).append("  ");
                    quote((String) e.getKey(), out);
                    out.append(": ");
                    write(e.getValue(), out, indent + "  ");
                    out.append(++i < m.size() ? ",\n" : "\n");
                }
                out.append(indent).append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    out.append(indent).append("  ");
                    write(l.get(i), out, indent + "  ");
                    out.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                out.append(indent).append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }

    /** {@code s} as a JSON string (also a valid YAML double-quoted scalar). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder();
        quote(s, out);
        return out.toString();
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
