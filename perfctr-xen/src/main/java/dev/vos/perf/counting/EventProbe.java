package dev.vos.perf.counting;

import dev.vos.perf.EventSelection;
import dev.vos.perf.EventSpec;
import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfAccessException;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.sys.PerfSys;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens each event once, alone, on one thread of the target (or, with {@code tid = -1}, on one CPU), to learn
 * before attaching to every thread which events this machine has, whether the watcher must stay in user space, and
 * whether it may watch at all.
 */
public final class EventProbe {

    /** errno 95: the event exists but this PMU cannot do it. */
    static final int EOPNOTSUPP = 95;
    /** errno 19: no such device (no PMU of that type). */
    static final int ENODEV = 19;

    /**
     * What the probe found.
     *
     * @param events    every event asked for, in order, with its availability
     * @param userOnly  true when the kernel allows only user-space counting for this watcher (perf's ":u")
     * @param selection the events that opened, grouped as asked, with {@code :u} added when {@code userOnly}
     */
    public record Result(List<EventAvailability> events, boolean userOnly, EventSelection selection) {

        /** The events that opened. */
        public List<EventSpec> available() {
            return selection.events();
        }
    }

    private EventProbe() {
    }

    /**
     * Probes {@code selection} on thread {@code tid} of {@code pid} ({@code tid = -1, cpu >= 0}: on a CPU).
     *
     * @throws NoSuchProcessException when the thread does not exist
     * @throws PerfAccessException    when the kernel refuses even a user-space-only software counter
     */
    public static Result probe(int pid, int tid, int cpu, EventSelection selection)
            throws NoSuchProcessException, PerfAccessException {
        List<EventAvailability> out = new ArrayList<>();
        boolean userOnly = false;
        boolean[] ok = new boolean[selection.events().size()];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = PerfEventAttr.allocate(arena);
            for (int i = 0; i < selection.events().size(); i++) {
                EventSpec event = selection.events().get(i);
                EventSpec tried = userOnly ? event.userOnly() : event;
                int fd = open(attr, tried, tid, cpu);
                if ((fd == -Errno.EACCES || fd == -Errno.EPERM) && !userOnly && cpu < 0
                        && !event.excludeKernel()) {
                    // perf's own fallback: at paranoid >= 2 an unprivileged watcher may count user space only.
                    userOnly = true;
                    tried = event.userOnly();
                    fd = open(attr, tried, tid, cpu);
                }
                if (fd >= 0) {
                    PerfSys.close(fd);
                    out.add(EventAvailability.ok(tried));
                    ok[i] = true;
                } else if (fd == -Errno.ESRCH) {
                    throw new NoSuchProcessException(pid);
                } else if (fd == -Errno.EACCES || fd == -Errno.EPERM) {
                    throw new PerfAccessException(-fd, cpu >= 0 ? -1 : pid);
                } else {
                    out.add(new EventAvailability(tried, false, reason(event, -fd)));
                }
            }
        }
        boolean u = userOnly;
        EventSelection available = selection.retain(i -> ok[i]).map(e -> u ? e.userOnly() : e);
        return new Result(List.copyOf(out), userOnly, available);
    }

    private static int open(MemorySegment attr, EventSpec event, int tid, int cpu) {
        return PerfSys.perfEventOpen(PerfEventAttr.counting(attr, event, false, false), tid, cpu, -1,
                PerfSys.PERF_FLAG_FD_CLOEXEC);
    }

    /** Why the kernel refused an event, in words. */
    public static String reason(EventSpec event, int errno) {
        if (event.isHardware() && (errno == Errno.ENOENT || errno == EOPNOTSUPP || errno == ENODEV)) {
            return "not supported: no hardware PMU (" + errnoName(errno)
                    + "); in a Xen guest boot Xen with vpmu=on and check /sys/hypervisor/pmu/pmu_mode";
        }
        if (errno == Errno.ENOENT || errno == EOPNOTSUPP || errno == ENODEV) {
            return "not supported by this kernel (" + errnoName(errno) + ")";
        }
        if (errno == Errno.EINVAL) {
            return "rejected as invalid by this kernel (EINVAL)";
        }
        if (errno == Errno.EMFILE) {
            return "out of file descriptors (EMFILE): raise ulimit -n";
        }
        return "perf_event_open failed: " + errnoName(errno);
    }

    /** Errno's names, plus the two perf_event_open adds. */
    static String errnoName(int errno) {
        return switch (errno) {
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENODEV -> "ENODEV";
            default -> Errno.name(errno);
        };
    }
}
