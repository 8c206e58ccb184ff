package dev.vos.controlplane.spec;

import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed reads of single YAML nodes. Each read either returns the value or reports what is wrong and returns null;
 * it never throws, so the parser goes on to the next field.
 */
final class Values {

    // The YAML 1.2 core schema's integers, the forms snakeyaml tags !!int.
    private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern OCTAL = Pattern.compile("0o[0-7]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final int MAX_QUOTED = 40;

    private Values() {
    }

    /** An integer in {@code min..max}; a string, a fraction or a collection is reported, not converted. */
    static Long integer(Node node, String field, long min, long max, Problems problems) {
        String expected = max >= Integer.MAX_VALUE ? "an integer of at least " + min
                : "an integer from " + min + " to " + max;
        return integer(node, field, min, max, expected, problems);
    }

    /**
     * An integer in {@code min..max}, with messages saying what is {@code expected}: "the number 1", "a CPU number
     * from 0 to 7".
     */
    static Long integer(Node node, String field, long min, long max, String expected, Problems problems) {
        if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
            problems.at(node, field, wrongType(node, "expected " + expected));
            return null;
        }
        String text = scalar.getValue();
        if (!scalar.getTag().equals(Tag.INT)) {
            if (scalar.getScalarStyle() != ScalarStyle.PLAIN && DECIMAL.matcher(text.strip()).matches()) {
                problems.at(node, field, quote(text) + " is quoted, so it is a string; expected " + expected
                        + ", written without quotes");
            } else if (scalar.getTag().equals(Tag.FLOAT)) {
                problems.at(node, field, text + " is not a whole number; expected " + expected);
            } else {
                problems.at(node, field, quote(text) + " is not a number; expected " + expected);
            }
            return null;
        }
        BigInteger value = parseCoreInt(text);
        if (value == null) {    // tagged !!int by hand, but not an integer
            problems.at(node, field, quote(text) + " is not a number; expected " + expected);
            return null;
        }
        if (value.compareTo(BigInteger.valueOf(max)) > 0 && max >= Integer.MAX_VALUE) {
            problems.at(node, field, text + " is too large; the most allowed is " + max);
            return null;
        }
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            problems.at(node, field, text + " is out of range; expected " + expected);
            return null;
        }
        return value.longValueExact();
    }

    /** A YAML 1.2 core-schema boolean ({@code true}, {@code false}); anything else, "yes" included, is reported. */
    static Boolean bool(Node node, String field, Problems problems) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            return Boolean.valueOf(scalar.getValue().toLowerCase(Locale.ROOT));
        }
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            problems.at(node, field, quote(scalar.getValue()) + " is not true or false"
                    + (scalar.getScalarStyle() != ScalarStyle.PLAIN ? " (it is quoted, so it is a string)" : ""));
        } else {
            problems.at(node, field, wrongType(node, "expected true or false"));
        }
        return null;
    }

    /** The text of any scalar (a path, a name, an address); a collection or an empty value is reported. */
    static String text(Node node, String field, String expected, Problems problems) {
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            return scalar.getValue();
        }
        problems.at(node, field, wrongType(node, "expected " + expected));
        return null;
    }

    /**
     * One of an enum's constants, spelled in lowercase in the spec ({@code storage} for {@code STORAGE}); anything
     * else is reported with the allowed words and, for a near miss, the word that was probably meant.
     *
     * @param what what the constants are, for messages: "a domain kind"
     */
    static <E extends Enum<E>> E keyword(Node node, String field, Class<E> type, String what, Problems problems) {
        String text = text(node, field, what + ", one of: " + words(type), problems);
        if (text == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (word(constant).equals(text)) {
                return constant;
            }
        }
        List<String> allowed = Arrays.stream(type.getEnumConstants()).map(Values::word).toList();
        problems.at(node, field, quote(text) + " is not " + what + "; expected one of: " + words(type)
                + didYouMean(text, allowed));
        return null;
    }

    /** The items of a YAML list; anything else is reported. */
    static List<Node> list(Node node, String field, String expected, Problems problems) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        problems.at(node, field, wrongType(node, "expected " + expected));
        return null;
    }

    /** How a constant is spelled in a spec. */
    static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The spellings of all of an enum's constants, for messages: "storage, net". */
    static String words(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(Values::word).collect(Collectors.joining(", "));
    }

    /** "; did you mean 'x'?" for a near miss, else nothing. */
    static String didYouMean(String text, List<String> allowed) {
        Optional<String> closest = Suggestions.closest(text, allowed);
        return closest.map(word -> "; did you mean '" + word + "'?").orElse("");
    }

    /** A node as an operator would name it in a message: "a list", "no value", "'abc'". */
    static String describe(Node node) {
        return switch (node) {
            case null -> "nothing";
            case MappingNode ignored -> "a mapping";
            case SequenceNode ignored -> "a list";
            case ScalarNode scalar when scalar.getTag().equals(Tag.NULL) -> "no value";
            case ScalarNode scalar -> quote(scalar.getValue());
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** A value quoted for a message, cut short if long. */
    static String quote(String text) {
        return "'" + (text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...") + "'";
    }

    private static String wrongType(Node node, String expected) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
            return "no value; " + expected;
        }
        return expected + ", found " + describe(node);
    }

    /** The value of a core-schema integer, or null if {@code text} is none. */
    private static BigInteger parseCoreInt(String text) {
        if (DECIMAL.matcher(text).matches()) {
            return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        }
        if (OCTAL.matcher(text).matches()) {
            return new BigInteger(text.substring(2), 8);
        }
        if (HEX.matcher(text).matches()) {
            return new BigInteger(text.substring(2), 16);
        }
        return null;
    }
}
