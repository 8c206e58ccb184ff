package dev.vos.controlplane.spec;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML mapping read as a section of the spec with a fixed set of fields. Reading it reports unknown fields (with
 * a "did you mean" for typos), duplicate fields and a non-mapping value; the section then hands out its fields'
 * nodes, each with its path for messages.
 *
 * <p>YAML merge keys ({@code <<: *defaults}) are resolved by snakeyaml before this sees the mapping, with the
 * keys written out winning, as YAML specifies; so they are neither unknown nor duplicates.
 *
 * <p>An absent section, or one written with no value ({@code storage:} and nothing under it), is an empty mapping:
 * commenting out every field of a section leaves the defaults, not an error.
 */
final class Section {

    private final Node node;            // where "missing field" is reported; null for an absent section
    private final String field;         // "" for the document's root
    private final Problems problems;
    private final Map<String, NodeTuple> fields = new LinkedHashMap<>();
    private final boolean sound;        // false when the node was no mapping: its fields are not reported missing

    private Section(Node node, String field, Problems problems, boolean sound) {
        this.node = node;
        this.field = field;
        this.problems = problems;
        this.sound = sound;
    }

    /**
     * Reads {@code node} as a section whose fields are {@code keys}.
     *
     * @param node  a mapping; null or an empty value for an absent section; anything else is reported
     * @param field the section's path, "" for the root
     */
    static Section of(Node node, String field, Problems problems, List<String> keys) {
        if (node == null || node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return new Section(node, field, problems, true);
        }
        if (!(node instanceof MappingNode mapping)) {
            problems.at(node, field, "expected a mapping with the fields " + String.join(", ", keys) + "; found "
                    + Values.describe(node));
            return new Section(node, field, problems, false);
        }
        Section section = new Section(node, field, problems, true);
        for (NodeTuple tuple : mapping.getValue()) {
            section.add(tuple, keys);
        }
        return section;
    }

    private void add(NodeTuple tuple, List<String> keys) {
        Node keyNode = tuple.getKeyNode();
        if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
            problems.at(keyNode, field, "a field name must be a plain word, found " + Values.describe(keyNode));
            return;
        }
        String key = scalar.getValue();
        if (!keys.contains(key)) {
            String hint = Values.didYouMean(key, keys);
            problems.at(keyNode, field(key), "unknown field"
                    + (hint.isEmpty() ? "; expected one of: " + String.join(", ", keys) : hint));
        } else if (fields.containsKey(key)) {
            // A duplicate is an error, not "the last one wins": the operator edited one copy and not the other.
            int firstLine = fields.get(key).getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(0);
            problems.at(keyNode, field(key), "duplicate field; first given on line " + firstLine);
        } else {
            fields.put(key, tuple);
        }
    }

    /** The path of one of this section's fields, like {@code domains[0].resources}. */
    String field(String key) {
        return field.isEmpty() ? key : field + "." + key;
    }

    /** Whether the field is given. */
    boolean has(String key) {
        return fields.containsKey(key);
    }

    /** The field's value, or null if it is not given. */
    Node get(String key) {
        NodeTuple tuple = fields.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    /** The field's name in the file, for problems with the field as a whole (it should not be there). */
    Node keyNode(String key) {
        NodeTuple tuple = fields.get(key);
        return tuple == null ? null : tuple.getKeyNode();
    }

    /** The field's value; if it is not given, reports it missing, saying what is {@code expected}, and returns null. */
    Node require(String key, String expected) {
        Node value = get(key);
        if (value == null) {
            missing(key, expected);
        }
        return value;
    }

    /** Reports a required field that is not given, at the start of this section. */
    void missing(String key, String expected) {
        if (sound) {
            problems.at(node, field(key), "required field is missing; " + expected);
        }
    }

    /** The field as an integer in {@code min..max}, or {@code otherwise} if it is not given or not valid. */
    long integer(String key, long min, long max, long otherwise) {
        Node value = get(key);
        if (value == null) {
            return otherwise;
        }
        Long read = Values.integer(value, field(key), min, max, problems);
        return read == null ? otherwise : read;
    }

    /** The field as one of an enum's words, or {@code otherwise} if it is not given or not valid. */
    <E extends Enum<E>> E keyword(String key, Class<E> type, String what, E otherwise) {
        Node value = get(key);
        if (value == null) {
            return otherwise;
        }
        E read = Values.keyword(value, field(key), type, what, problems);
        return read == null ? otherwise : read;
    }

    /** The field read as a nested section; an absent field gives an empty one. */
    Section section(String key, List<String> keys) {
        return of(get(key), field(key), problems, keys);
    }
}
