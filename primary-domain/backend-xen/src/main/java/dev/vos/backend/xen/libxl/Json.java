package dev.vos.backend.xen.libxl;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.util.List;
import java.util.Map;

/**
 * The little JSON vos exchanges with libxl: written by hand (strings escaped), read with snakeyaml-engine, whose
 * YAML 1.2 core schema reads JSON as it is.
 */
public final class Json {

    private Json() {
    }

    /** A JSON string literal of {@code s}. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A JSON object read into maps, lists, strings, numbers and booleans. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String json) {
        Object value = new Load(LoadSettings.builder().build()).loadFromString(json);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object from libxl, got: " + json);
        }
        return (Map<String, Object>) value;
    }

    /** A member that is an object, or an empty map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> member(Map<String, Object> object, String key) {
        Object value = object.get(key);
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    /** A number member as a long, or {@code otherwise}. */
    public static long number(Map<String, Object> object, String key, long otherwise) {
        return object.get(key) instanceof Number n ? n.longValue() : otherwise;
    }

    /** A boolean member: libxl writes bools as true/false, defbools as "True"/"False". */
    public static boolean bool(Map<String, Object> object, String key) {
        Object value = object.get(key);
        return Boolean.TRUE.equals(value) || "True".equals(value);
    }

    /** A list member, or an empty list. */
    public static List<?> list(Map<String, Object> object, String key) {
        return object.get(key) instanceof List<?> l ? l : List.of();
    }
}
