package dev.vos.controlplane.journal;

import java.util.List;

/**
 * What a read of the journal found: every line that parsed, in file order, and how many did not. Damaged lines are
 * counted rather than thrown so that one torn write never hides the good history around it; a caller that cares
 * (the control plane at startup) reports a non-zero count to the operator.
 *
 * @param events       the events of all intact lines, oldest first
 * @param damagedLines lines skipped: unparseable, empty, or a last line without its terminating newline
 */
public record ReadResult(List<JournalEvent> events, int damagedLines) {

    public ReadResult {
        events = List.copyOf(events);
        if (damagedLines < 0) {
            throw new IllegalArgumentException("damagedLines must be >= 0, got " + damagedLines);
        }
    }
}
