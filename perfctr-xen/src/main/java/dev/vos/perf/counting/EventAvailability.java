package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;

/**
 * Whether an event could be opened on the target, and if not, why.
 *
 * @param event     the event (with {@code :u} added when the kernel allows user space only)
 * @param available true when perf_event_open accepted it
 * @param reason    empty when available; otherwise what the kernel said, in words ("no PMU: ...")
 */
public record EventAvailability(EventSpec event, boolean available, String reason) {

    static EventAvailability ok(EventSpec event) {
        return new EventAvailability(event, true, "");
    }
}
