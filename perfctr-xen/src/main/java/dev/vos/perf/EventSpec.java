package dev.vos.perf;

import dev.vos.perf.sys.PerfEventAttrDescriptor;

import java.util.Locale;

/**
 * One event as {@code perf stat -e} spells it: a known name ({@link PerfEvent}, with perf's aliases), a raw PMU
 * event ({@code r003c}), either with perf's modifiers ({@code :u} user space only, {@code :k} kernel only,
 * {@code :h} hypervisor only, {@code :p}..{@code :ppp} precise). The name is kept as typed, so output shows what the
 * user asked for ("cs:u", "r003c"), as perf's does.
 *
 * @param name          as typed, and as printed
 * @param type          {@code perf_event_attr.type}
 * @param config        {@code perf_event_attr.config}
 * @param excludeUser   {@code exclude_user}
 * @param excludeKernel {@code exclude_kernel}
 * @param excludeHv     {@code exclude_hv}
 * @param precise       {@code precise_ip}, 0..3 (meaningful only with a PMU)
 * @param known         the named event, or null for a raw one
 */
public record EventSpec(String name, int type, long config, boolean excludeUser, boolean excludeKernel,
                        boolean excludeHv, int precise, PerfEvent known) {

    /** {@code PERF_TYPE_HW_CACHE}: hardware cache events (need a PMU). */
    public static final int PERF_TYPE_HW_CACHE = 3;
    /** {@code PERF_TYPE_RAW}: a PMU's own event code, as {@code rNNNN} gives it. */
    public static final int PERF_TYPE_RAW = 4;

    public EventSpec {
        if (precise < 0 || precise > 3) {
            throw new IllegalArgumentException("precise must be 0..3, got " + precise);
        }
    }

    /** A named event with no modifiers (perf's defaults: user and kernel, not the hypervisor). */
    public static EventSpec of(PerfEvent event) {
        return new EventSpec(event.perfName(), event.type(), event.config(), false, false, true, 0, event);
    }

    /**
     * Parses one event as perf spells it: {@code task-clock}, {@code cs:u}, {@code cycles:ppp}, {@code r003c:k}.
     *
     * @throws IllegalArgumentException naming what is wrong, and the known events when the name is unknown
     */
    public static EventSpec parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty event name");
        }
        if (s.indexOf('/') >= 0) {
            throw new IllegalArgumentException("'" + text + "': PMU event syntax (pmu/config=.../) is not supported;"
                    + " give a raw event as rNNNN (hex), as in 'perf stat -e r003c'");
        }
        int colon = s.indexOf(':');
        String base = colon < 0 ? s : s.substring(0, colon);
        String mods = colon < 0 ? "" : s.substring(colon + 1);
        if (mods.indexOf(':') >= 0 || (!mods.isEmpty() && !mods.chars().allMatch(Character::isLetter))) {
            throw new IllegalArgumentException("'" + text + "': tracepoints (subsystem:event) are not supported;"
                    + " events are counters such as task-clock or r003c, modifiers one of u, k, h, p");
        }
        EventSpec plain = base.matches("(?i)r[0-9a-f]{1,16}")
                ? new EventSpec(s, PERF_TYPE_RAW, Long.parseUnsignedLong(base.substring(1), 16), false, false,
                true, 0, null)
                : withName(of(PerfEvent.parse(base)), s);
        return mods.isEmpty() ? plain : plain.modified(mods, text);
    }

    private static EventSpec withName(EventSpec e, String name) {
        return new EventSpec(name, e.type, e.config, e.excludeUser, e.excludeKernel, e.excludeHv, e.precise, e.known);
    }

    /** This event with perf's modifiers applied: any of u, k, h keeps only those levels; each p adds precision. */
    private EventSpec modified(String mods, String text) {
        boolean u = false;
        boolean k = false;
        boolean h = false;
        int p = 0;
        for (char c : mods.toLowerCase(Locale.ROOT).toCharArray()) {
            switch (c) {
                case 'u' -> u = true;
                case 'k' -> k = true;
                case 'h' -> h = true;
                case 'p' -> p++;
                default -> throw new IllegalArgumentException("'" + text + "': modifier '" + c + "' is not supported"
                        + " (supported: u user space, k kernel, h hypervisor, p precise)");
            }
        }
        if (p > 3) {
            throw new IllegalArgumentException("'" + text + "': at most 3 p modifiers (precise_ip 0..3)");
        }
        boolean levels = u || k || h;
        return new EventSpec(name, type, config, levels ? !u : excludeUser, levels ? !k : excludeKernel,
                levels ? !h : excludeHv, p, known);
    }

    /**
     * This event counting user space only, named as perf names its own fallback ({@code task-clock:u}): what an
     * unprivileged watcher gets at {@code perf_event_paranoid = 2}. An event already without its kernel part is
     * returned as is.
     */
    public EventSpec userOnly() {
        if (excludeKernel) {
            return this;
        }
        return new EventSpec(name.indexOf(':') < 0 ? name + ":u" : name + "u", type, config, excludeUser, true,
                true, precise, known);
    }

    /** True for events that need a PMU (hardware, cache and raw events). */
    public boolean isHardware() {
        return type == PerfEventAttrDescriptor.PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE
                || type == PERF_TYPE_RAW;
    }

    /** True for the two clocks, whose counts are nanoseconds. */
    public boolean isClock() {
        return known == PerfEvent.TASK_CLOCK || known == PerfEvent.CPU_CLOCK;
    }

    /** "ns" for the clocks, "events" otherwise. */
    public String unit() {
        return isClock() ? "ns" : "events";
    }

    /** The name as perf prints it (the same as {@link #name()}). */
    public String perfName() {
        return name;
    }

    /** True when this is {@code event}, whatever its modifiers. */
    public boolean is(PerfEvent event) {
        return known == event;
    }

    @Override
    public String toString() {
        return name;
    }
}
