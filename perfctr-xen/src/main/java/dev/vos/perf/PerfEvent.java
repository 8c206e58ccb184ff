package dev.vos.perf;

import dev.vos.perf.sys.PerfEventAttrDescriptor;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The events the collector knows, named as {@code perf stat -e} names them. Software events are counted by the
 * kernel and always there; hardware events need a PMU (a Xen guest has one only with vPMU).
 */
public enum PerfEvent {
    /** CPU time of the thread, in ns. */
    TASK_CLOCK("task-clock", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 1, "ns"),
    /** Times the thread was switched out. */
    CONTEXT_SWITCHES("context-switches", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 3, "events"),
    /** Times the thread moved to another CPU. */
    CPU_MIGRATIONS("cpu-migrations", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 4, "events"),
    /** Page faults, minor and major. */
    PAGE_FAULTS("page-faults", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 2, "events"),
    /** Page faults served without I/O. */
    MINOR_FAULTS("minor-faults", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 5, "events"),
    /** Page faults that waited for I/O. */
    MAJOR_FAULTS("major-faults", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 6, "events"),
    /** Wall-clock-driven CPU clock; the sampling event when there is no PMU. */
    CPU_CLOCK("cpu-clock", PerfEventAttrDescriptor.PERF_TYPE_SOFTWARE, 0, "ns"),
    /** CPU cycles (PMU). */
    CYCLES("cycles", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 0, "events"),
    /** Instructions retired (PMU). */
    INSTRUCTIONS("instructions", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 1, "events"),
    /** Last-level cache references (PMU). */
    CACHE_REFERENCES("cache-references", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 2, "events"),
    /** Last-level cache misses (PMU). */
    CACHE_MISSES("cache-misses", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 3, "events"),
    /** Branch instructions retired (PMU). */
    BRANCHES("branches", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 4, "events"),
    /** Mispredicted branches (PMU). */
    BRANCH_MISSES("branch-misses", PerfEventAttrDescriptor.PERF_TYPE_HARDWARE, 5, "events");

    /**
     * What {@code vos perf stat} counts when no {@code -e} is given: {@code perf stat}'s own default list, in its
     * order (perf 6.1, a CPU without topdown events), so that the two print the same rows and cost the kernel the same
     * work at each context switch (every counter of a thread is switched with it). The other events are one
     * {@code -e} away.
     */
    public static final List<PerfEvent> DEFAULT_COUNTING = List.of(TASK_CLOCK, CONTEXT_SWITCHES, CPU_MIGRATIONS,
            PAGE_FAULTS, CYCLES, INSTRUCTIONS, BRANCHES, BRANCH_MISSES);

    private final String perfName;
    private final int type;
    private final long config;
    private final String unit;

    PerfEvent(String perfName, int type, long config, String unit) {
        this.perfName = perfName;
        this.type = type;
        this.config = config;
        this.unit = unit;
    }

    /** The name {@code perf} uses ("task-clock"). */
    public String perfName() {
        return perfName;
    }

    /** {@code perf_event_attr.type}. */
    public int type() {
        return type;
    }

    /** {@code perf_event_attr.config}. */
    public long config() {
        return config;
    }

    /** "ns" for the clocks, "events" otherwise. */
    public String unit() {
        return unit;
    }

    /** True for events that need a PMU. */
    public boolean isHardware() {
        return type == PerfEventAttrDescriptor.PERF_TYPE_HARDWARE;
    }

    /**
     * Parses a perf name ("context-switches"), also accepting perf's aliases ("cs", "faults", "migrations").
     *
     * @throws IllegalArgumentException naming the unknown event and the known ones
     */
    public static PerfEvent parse(String name) {
        String n = name.strip().toLowerCase();
        String canonical = switch (n) {
            case "cs" -> "context-switches";
            case "migrations" -> "cpu-migrations";
            case "faults" -> "page-faults";
            case "cpu-cycles" -> "cycles";
            case "branch-instructions" -> "branches";
            default -> n;
        };
        for (PerfEvent e : values()) {
            if (e.perfName.equals(canonical)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown event '" + name + "'; known: "
                + Arrays.stream(values()).map(PerfEvent::perfName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return perfName;
    }
}
