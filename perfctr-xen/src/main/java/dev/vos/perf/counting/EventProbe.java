package dev.vos.perf.counting;

import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfAccessException;
import dev.vos.perf.PerfEvent;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.sys.PerfSys;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens each event once, alone, on the target's main thread, to learn before attaching to every thread which
 * events this machine has, whether the watcher must stay in user space, and whether it may watch at all.
 */
public final class EventProbe {

    /** errno 95: the event exists but this PMU cannot do it. */
    static final int EOPNOTSUPP = 95;
    /** errno 19: no such device (no PMU of that type). */
    static final int ENODEV = 19;

    /**
     * What the probe found.
     *
     * @param events   every event asked for, in order, with its availability
     * @param userOnly true when the kernel allows only user-space counting for this watcher (perf's ":u")
     */
    public record Result(List<EventAvailability> events, boolean userOnly) {

        /** The events that opened. */
        public List<PerfEvent> available() {
            return events.stream().filter(EventAvailability::available).map(EventAvailability::event).toList();
        }
    }

    private EventProbe() {
    }

    /**
     * Probes {@code events} on {@code pid}.
     *
     * @throws NoSuchProcessException when pid does not exist
     * @throws PerfAccessException    when the kernel refuses even a user-space-only software counter
     */
    public static Result probe(int pid, List<PerfEvent> events) throws NoSuchProcessException, PerfAccessException {
        if (pid <= 0 || !ProcTasks.exists(pid)) {
            throw new NoSuchProcessException(pid);
        }
        List<EventAvailability> out = new ArrayList<>();
        boolean userOnly = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = PerfEventAttr.allocate(arena);
            for (PerfEvent event : events) {
                int fd = PerfSys.perfEventOpen(PerfEventAttr.counting(attr, event, userOnly), pid, -1, -1,
                        PerfSys.PERF_FLAG_FD_CLOEXEC);
                if ((fd == -Errno.EACCES || fd == -Errno.EPERM) && !userOnly) {
                    // perf's own fallback: at paranoid >= 2 an unprivileged watcher may count user space only.
                    userOnly = true;
                    fd = PerfSys.perfEventOpen(PerfEventAttr.counting(attr, event, true), pid, -1, -1,
                            PerfSys.PERF_FLAG_FD_CLOEXEC);
                }
                if (fd >= 0) {
                    PerfSys.close(fd);
                    out.add(EventAvailability.ok(event));
                } else if (fd == -Errno.ESRCH) {
                    throw new NoSuchProcessException(pid);
                } else if (fd == -Errno.EACCES || fd == -Errno.EPERM) {
                    throw new PerfAccessException(-fd, pid);
                } else {
                    out.add(new EventAvailability(event, false, reason(event, -fd)));
                }
            }
        }
        return new Result(List.copyOf(out), userOnly);
    }

    /** Why the kernel refused an event, in words. */
    public static String reason(PerfEvent event, int errno) {
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
