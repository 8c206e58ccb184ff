package dev.vos.perf.counting;

import dev.vos.perf.PerfEvent;

/**
 * Whether an event could be opened on the target, and if not, why.
 *
 * @param event     the event
 * @param available true when perf_event_open accepted it
 * @param reason    empty when available; otherwise what the kernel said, in words ("no PMU: ...")
 */
public record EventAvailability(PerfEvent event, boolean available, String reason) {

    static EventAvailability ok(PerfEvent event) {
        return new EventAvailability(event, true, "");
    }
}
