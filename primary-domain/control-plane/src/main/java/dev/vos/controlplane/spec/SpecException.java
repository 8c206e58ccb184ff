package dev.vos.controlplane.spec;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A spec that cannot be used, with every problem found in it, not only the first: an operator fixes a hand-written
 * file in one go instead of one error per run.
 */
public final class SpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<SpecProblem> problems;

    /**
     * @param source   the spec's file as the operator named it, or a stand-in like {@code <string>}
     * @param problems at least one; kept sorted by line, then column
     */
    public SpecException(String source, List<SpecProblem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a SpecException needs at least one problem");
        }
        this.source = Objects.requireNonNull(source, "source");
        this.problems = problems.stream()
                .sorted(Comparator.comparingInt(SpecProblem::line).thenComparingInt(SpecProblem::column))
                .toList();
    }

    /** The spec's file as the operator named it, or a stand-in like {@code <string>}. */
    public String source() {
        return source;
    }

    /** Every problem, sorted by line, then column. */
    public List<SpecProblem> problems() {
        return problems;
    }

    /** One line per problem, {@code FILE:LINE:COLUMN: FIELD: MESSAGE}, sorted by line. */
    @Override
    public String getMessage() {
        return problems.stream().map(p -> p.format(source)).collect(Collectors.joining("\n"));
    }
}
