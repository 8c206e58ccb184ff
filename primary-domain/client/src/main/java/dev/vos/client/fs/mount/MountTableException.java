package dev.vos.client.fs.mount;

import java.util.List;

/**
 * A mount table that cannot be used, with every problem in it, not only the first (as a host spec's are
 * reported): one line each, {@code FILE:LINE:COLUMN: MESSAGE}. A JVM whose default provider meets one does not
 * start: no path is served by half a table.
 */
public final class MountTableException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    MountTableException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, {@code FILE:LINE:COLUMN: MESSAGE}, in the order of the table. */
    public List<String> problems() {
        return problems;
    }
}
