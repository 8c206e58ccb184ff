package dev.vos.perf.remote;

import dev.vos.perf.EventSpec;
import dev.vos.perf.counting.CounterReading;
import dev.vos.perf.counting.EventAvailability;
import dev.vos.perf.counting.Interval;
import dev.vos.perf.counting.ThreadReading;
import dev.vos.perf.export.JsonIntervalWriter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of a collector that runs where the threads are (inside a Xen guest, say) and reports to the
 * control plane or to {@code vos perf} elsewhere: JSON Lines, one header line and then one line per interval, each
 * interval exactly as {@code --json} writes it ({@link JsonIntervalWriter}).
 *
 * <pre>
 * {"vos_perf_stream":1,"pid":42,"domain":"net0","user_only":false,
 *  "events":[{"event":"task-clock","available":true,"reason":""},{"event":"cycles","available":false,...}]}
 * {"time":"...","seq":0,"interval_s":1.000,...,"threads":[...],"process":{...}}
 * ...
 * </pre>
 *
 * A line is written whole and flushed, so a reader can stop at any line; an interval line is self-contained (its
 * deltas, not only totals), so a reader that joins late or misses lines still prints correct rates.
 */
public final class IntervalStream {

    /** The header's format version; a reader refuses another major version, naming both. */
    public static final int VERSION = 1;

    /**
     * What the header says.
     *
     * @param pid          the target, as the collector sees it
     * @param domain       the domain's name, or ""
     * @param userOnly     only user space is counted
     * @param availability each event asked for, with whether it is counted and why not
     */
    public record Header(int pid, String domain, boolean userOnly, List<EventAvailability> availability) {
    }

    private IntervalStream() {
    }

    /** The header line. */
    public static String header(int pid, String domain, boolean userOnly, List<EventAvailability> availability) {
        StringBuilder b = new StringBuilder("{\"vos_perf_stream\":").append(VERSION).append(",\"pid\":").append(pid)
                .append(",\"domain\":").append(JsonIntervalWriter.string(domain)).append(",\"user_only\":")
                .append(userOnly).append(",\"events\":[");
        for (int i = 0; i < availability.size(); i++) {
            EventAvailability a = availability.get(i);
            b.append(i == 0 ? "" : ",").append("{\"event\":").append(JsonIntervalWriter.string(a.event().name()))
                    .append(",\"available\":").append(a.available()).append(",\"reason\":")
                    .append(JsonIntervalWriter.string(a.reason())).append('}');
        }
        return b.append("]}").toString();
    }

    /**
     * Reads a header line.
     *
     * @throws IllegalArgumentException when it is not one, or of another version (both versions named)
     */
    @SuppressWarnings("unchecked")
    public static Header parseHeader(String line) {
        Map<String, Object> m = object(Json.parse(line), "header");
        Object v = m.get("vos_perf_stream");
        if (!(v instanceof Long version)) {
            throw new IllegalArgumentException("not a vos perf stream (no \"vos_perf_stream\" header): "
                    + abbreviate(line));
        }
        if (version != VERSION) {
            throw new IllegalArgumentException("vos perf stream version " + version + " is not this reader's "
                    + VERSION);
        }
        List<EventAvailability> events = new ArrayList<>();
        for (Object o : (List<Object>) m.get("events")) {
            Map<String, Object> e = object(o, "event");
            events.add(new EventAvailability(EventSpec.parse((String) e.get("event")), (Boolean) e.get("available"),
                    (String) e.get("reason")));
        }
        return new Header(((Long) m.get("pid")).intValue(), (String) m.get("domain"), (Boolean) m.get("user_only"),
                List.copyOf(events));
    }

    /** Reads an interval line, naming events as {@code events} (the header's) do. */
    @SuppressWarnings("unchecked")
    public static Interval parseInterval(String line, Map<String, EventSpec> events) {
        Map<String, Object> m = object(Json.parse(line), "interval");
        long intervalNs = Math.round(((Number) m.get("interval_s")).doubleValue() * 1e9);
        List<ThreadReading> threads = new ArrayList<>();
        for (Object o : (List<Object>) m.get("threads")) {
            Map<String, Object> t = object(o, "thread");
            threads.add(new ThreadReading(((Long) t.get("tid")).intValue(), (String) t.get("thread"),
                    (Boolean) t.get("ended"), Collections.unmodifiableMap(readings(t.get("events"), events))));
        }
        Object process = m.get("process");
        return new Interval(((Long) m.get("pid")).intValue(), Instant.parse((String) m.get("time")),
                (Long) m.get("seq"), intervalNs, List.copyOf(threads), ((Long) m.get("threads_started")).intValue(),
                ((Long) m.get("threads_ended")).intValue(), (Boolean) m.get("target_exited"),
                (Long) m.get("collector_cpu_ns"), process == null ? List.of()
                : List.copyOf(readings(process, events).values()));
    }

    private static Map<EventSpec, CounterReading> readings(Object o, Map<String, EventSpec> events) {
        Map<EventSpec, CounterReading> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(o, "events").entrySet()) {
            EventSpec spec = events.computeIfAbsent(e.getKey(), EventSpec::parse);
            Map<String, Object> r = object(e.getValue(), "event reading");
            Object running = r.get("running_ns");
            out.put(spec, new CounterReading(spec, (Long) r.get("total"), (Long) r.get("delta"),
                    ((Number) r.get("rate_per_s")).doubleValue(), ((Number) r.get("running_pct")).doubleValue() / 100,
                    running == null ? 0 : (Long) running));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("expected a JSON object for the " + what);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
