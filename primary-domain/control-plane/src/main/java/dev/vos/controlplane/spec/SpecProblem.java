package dev.vos.controlplane.spec;

import java.util.Objects;

/**
 * One thing wrong with a spec, where it is and what would be right.
 *
 * @param line    1-based line of the offending YAML node, or 0 when the problem is the file as a whole (missing,
 *                unreadable, empty)
 * @param column  1-based column of that node, or 0 with line 0
 * @param field   path of the field, like {@code domains[1].resources.cpus[0]}; empty when no field is concerned
 *                (a YAML syntax error, an unreadable file)
 * @param message what is wrong and what is allowed
 */
public record SpecProblem(int line, int column, String field, String message) {

    public SpecProblem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    /** The problem as a compiler would print it: {@code FILE:LINE:COLUMN: FIELD: MESSAGE}. */
    public String format(String file) {
        StringBuilder out = new StringBuilder(file);
        if (line > 0) {
            out.append(':').append(line).append(':').append(column);
        }
        out.append(": ");
        if (!field.isEmpty()) {
            out.append(field).append(": ");
        }
        return out.append(message).toString();
    }
}
