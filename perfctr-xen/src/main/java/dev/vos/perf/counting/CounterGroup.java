package dev.vos.perf.counting;

import dev.vos.perf.EventSpec;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.sys.GroupReadDescriptor;
import dev.vos.perf.sys.PerfSys;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One perf event group on one thread (or one CPU): a leader and its members, scheduled on the PMU together and read
 * with one read(2) of the leader ({@link GroupReadDescriptor}). One read costs a syscall, plus an IPI when the
 * thread is running on another CPU (about 3 us here): that is why the collector reads groups, not single counters.
 * An inherited group's read also sums the copies in every thread the watched one created since, live or ended.
 *
 * <p>Not thread-safe: owned by the collector's thread.
 */
final class CounterGroup implements AutoCloseable {

    /** errno of a thread gone before its counters could be opened. */
    static final int GONE = -Errno.ESRCH;

    private final int[] fds;
    private final int readLength;
    /** Raw (unscaled) values of the last read, by member index. */
    final long[] values;
    /** time_enabled and time_running of the last read. */
    long timeEnabledNs;
    long timeRunningNs;

    private CounterGroup(int[] fds) {
        this.fds = fds;
        this.readLength = GroupReadDescriptor.length(fds.length);
        this.values = new long[fds.length];
    }

    /**
     * Opens {@code events} as one group on {@code tid} ({@code tid = -1}: every task on {@code cpu}).
     *
     * @param inherit      count the threads {@code tid} creates from now on too
     * @param enableOnExec start counting at the task's next exec, not now
     * @return the group, or null with {@code errno[0]} set when the thread was gone or an event failed
     */
    static CounterGroup open(int tid, int cpu, List<EventSpec> events, boolean inherit, boolean enableOnExec,
                             MemorySegment attr, int[] errno) {
        int[] fds = new int[events.size()];
        int leader = -1;
        boolean enableLater = events.size() > 1 && !enableOnExec;
        for (int i = 0; i < events.size(); i++) {
            int fd = PerfSys.perfEventOpen(PerfEventAttr.counting(attr, events.get(i), inherit, enableOnExec,
                    i == 0 && enableLater), tid, cpu, leader, PerfSys.PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) {
                for (int j = i - 1; j >= 0; j--) {
                    PerfSys.close(fds[j]);
                }
                errno[0] = fd;
                return null;
            }
            fds[i] = fd;
            if (i == 0) {
                leader = fd;
            }
        }
        if (enableLater) {
            // The whole group at once: a member added to a running group would only start counting when the group is
            // next scheduled in (for a running thread, at its next context switch; for a CPU, maybe never).
            PerfSys.ioctl(fds[0], PerfSys.IOC_ENABLE, PerfSys.IOC_FLAG_GROUP);
        }
        return new CounterGroup(fds);
    }

    /**
     * Reads the whole group into {@link #values}, {@link #timeEnabledNs} and {@link #timeRunningNs}, through the
     * collector's one scratch buffer (so that a thread's end frees nothing but its descriptors).
     *
     * @return false when the read failed (the counters are unusable)
     */
    boolean read(MemorySegment buffer) {
        long n = PerfSys.read(fds[0], buffer, readLength);
        if (n != readLength) {
            return false;
        }
        timeEnabledNs = buffer.get(JAVA_LONG, GroupReadDescriptor.TIME_ENABLED_OFFSET);
        timeRunningNs = buffer.get(JAVA_LONG, GroupReadDescriptor.TIME_RUNNING_OFFSET);
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.get(JAVA_LONG, GroupReadDescriptor.valueOffset(i));
        }
        return true;
    }

    @Override
    public void close() {
        // Members first, leader last: closing the leader first would promote each member to a singleton group.
        for (int i = fds.length - 1; i >= 0; i--) {
            PerfSys.close(fds[i]);
        }
    }
}
