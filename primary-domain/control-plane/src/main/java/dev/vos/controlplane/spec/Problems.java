package dev.vos.controlplane.spec;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found so far in one spec. The parser reports into it and carries on, so that one run names every
 * problem in the file.
 */
final class Problems {

    private final List<SpecProblem> found = new ArrayList<>();

    /** A problem with the YAML node {@code at}: its line and column are the node's start. */
    void at(Node at, String field, String message) {
        at(at == null ? null : at.getStartMark().orElse(null), field, message);
    }

    /** A problem at a mark of snakeyaml's (0-based), or with the whole file when {@code mark} is null. */
    void at(Mark mark, String field, String message) {
        if (mark == null) {
            wholeFile(message);
        } else {
            found.add(new SpecProblem(mark.getLine() + 1, mark.getColumn() + 1, field, message));
        }
    }

    /** A problem with the file as a whole, at no line: it is empty, or snakeyaml gave no position. */
    void wholeFile(String message) {
        found.add(new SpecProblem(0, 0, "", message));
    }

    /** How many problems so far; a reader compares counts to learn whether its part of the spec was sound. */
    int count() {
        return found.size();
    }

    /** Whether a problem was reported for exactly this field, so that checks across fields skip a bad value. */
    boolean has(String field) {
        return found.stream().anyMatch(p -> p.field().equals(field));
    }

    List<SpecProblem> list() {
        return List.copyOf(found);
    }
}
