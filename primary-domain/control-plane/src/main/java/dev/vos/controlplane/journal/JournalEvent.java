package dev.vos.controlplane.journal;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the journal.
 *
 * @param time       when it happened; written with {@link Instant#toString()}, so it reads back exactly
 * @param domain     the domain it concerns, {@code ""} for events of the control plane itself
 * @param generation the domain's generation, {@code 0} when there is none (control-plane events, rejected specs)
 * @param type       what happened
 * @param detail     free text for people (exit status, reason, operator name); may be empty, never null
 */
public record JournalEvent(Instant time, String domain, long generation, EventType type, String detail) {

    public JournalEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(detail, "detail");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0, got " + generation);
        }
    }
}
