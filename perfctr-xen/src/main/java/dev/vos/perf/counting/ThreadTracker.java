package dev.vos.perf.counting;

import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.proc.Cpus;
import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.Sample;
import dev.vos.perf.ring.SampleRing;
import dev.vos.perf.sys.MmapPageDescriptor;
import dev.vos.perf.sys.PerfSys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.vos.perf.sys.RecordDescriptor.COMM_NAME_OFFSET;
import static dev.vos.perf.sys.RecordDescriptor.COMM_TID_OFFSET;
import static dev.vos.perf.sys.RecordDescriptor.PERF_RECORD_COMM;
import static dev.vos.perf.sys.RecordDescriptor.PERF_RECORD_EXIT;
import static dev.vos.perf.sys.RecordDescriptor.PERF_RECORD_FORK;
import static dev.vos.perf.sys.RecordDescriptor.TASK_PTID_OFFSET;
import static dev.vos.perf.sys.RecordDescriptor.TASK_TID_OFFSET;
import static dev.vos.perf.sys.RecordDescriptor.TRACKING_SAMPLE_ID_LENGTH;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Learns, as it happens, of every thread the attached threads create, rename and end: one tracking event
 * ({@link PerfEventAttr#tracking}) per attached thread and CPU, inherited by the threads it creates, writing FORK,
 * COMM and EXIT records into one ring per CPU.
 *
 * <p>Why per CPU: the kernel refuses a ring on an inherited per-thread event, because its copies in many threads
 * would write into it from many CPUs at once, and a ring has one writer. A tracking event bound to CPU {@code c}
 * only ever writes on {@code c}, so each CPU's events can share one ring ({@code PERF_EVENT_IOC_SET_OUTPUT} to the
 * first of them). Each record ends in the id of the event it came through; an inherited copy reports its parent's,
 * so the id names the attached thread a new thread descends from, however deep.
 *
 * <p>Not thread-safe: owned by the collector's thread.
 */
final class ThreadTracker implements AutoCloseable {

    /** What the tracker reports, in time order. */
    enum Kind { FORK, COMM, EXIT }

    /**
     * One FORK, COMM or EXIT.
     *
     * @param root   the attached thread the event came through (the thread descends from it), or -1
     * @param tid    the thread created, named or ended
     * @param parent FORK: the thread that created it
     * @param name   COMM: the new name
     */
    record TaskEvent(Kind kind, long timeNs, int root, int tid, int parent, String name) {
    }

    /** Tracking events (attached threads x CPUs) beyond which the tracker is not used: 16,384 descriptors. */
    static final int MAX_EVENTS = 16_384;
    /** Data pages per CPU ring: 64 KiB, about 1,300 thread lifetimes (FORK, COMM, EXIT) between two drains. */
    static final int DATA_PAGES = 16;
    private static final int PAGE_SIZE = 4096;

    private final int[] cpus;
    private final boolean userOnly;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment attr;
    private final MemorySegment scratch;
    private final MemorySegment idBuffer;
    /** Per CPU: the event whose ring the others write into (-1 until the first attached thread), its ring. */
    private final int[] owners;
    private final long[] mappings;
    private final SampleRing[] rings;
    private final Map<Long, Integer> rootById = new HashMap<>();
    private final Map<Integer, int[]> fdsByRoot = new HashMap<>();
    private long lost;

    private ThreadTracker(int[] cpus, boolean userOnly) {
        this.cpus = cpus;
        this.userOnly = userOnly;
        this.attr = PerfEventAttr.allocate(arena);
        this.scratch = arena.allocate(65_536, 8);
        this.idBuffer = arena.allocate(Long.BYTES, 8);
        this.owners = new int[cpus.length];
        this.mappings = new long[cpus.length];
        this.rings = new SampleRing[cpus.length];
        Arrays.fill(owners, -1);
    }

    /** A tracker over the online CPUs, or null when there are none to be read. */
    static ThreadTracker create(boolean userOnly) {
        int[] cpus = Cpus.online();
        return cpus.length == 0 ? null : new ThreadTracker(cpus, userOnly);
    }

    /** How many attached threads the tracker may take before reaching {@link #MAX_EVENTS}. */
    int capacity() {
        return MAX_EVENTS / cpus.length;
    }

    /**
     * Tracks the threads {@code tid} creates from now on.
     *
     * @return 0, or the negated errno that refused it (the thread is gone, a ring could not be mapped, ...)
     */
    int add(int tid) {
        int[] fds = new int[cpus.length];
        for (int i = 0; i < cpus.length; i++) {
            int fd = PerfSys.perfEventOpen(PerfEventAttr.tracking(attr, userOnly), tid, cpus[i], -1,
                    PerfSys.PERF_FLAG_FD_CLOEXEC);
            int err = fd < 0 ? fd : attachToRing(i, fd);
            if (err < 0) {
                if (fd >= 0) {
                    PerfSys.close(fd);
                }
                for (int j = 0; j < i; j++) {
                    PerfSys.close(fds[j]);
                }
                return err;
            }
            fds[i] = fd;
            if (PerfSys.ioctl(fd, PerfSys.IOC_ID, idBuffer.address()) == 0) {
                rootById.put(idBuffer.get(JAVA_LONG, 0), tid);
            }
        }
        fdsByRoot.put(tid, fds);
        return 0;
    }

    /** Maps CPU {@code i}'s ring on its first event; sends every later one's records there. */
    private int attachToRing(int i, int fd) {
        if (owners[i] >= 0) {
            return PerfSys.ioctl(fd, PerfSys.IOC_SET_OUTPUT, owners[i]);
        }
        long length = MmapPageDescriptor.mappingLength(DATA_PAGES, PAGE_SIZE);
        long address = PerfSys.mmapShared(fd, length);
        if (address < 0) {
            return (int) address;
        }
        MemorySegment m = MemorySegment.ofAddress(address).reinterpret(length);
        owners[i] = fd;
        mappings[i] = address;
        rings[i] = new SampleRing(m.asSlice(0, PAGE_SIZE), m.asSlice(PAGE_SIZE, length - PAGE_SIZE), scratch);
        return 0;
    }

    /** Every record published since the last drain, in time order. */
    List<TaskEvent> drain() {
        List<TaskEvent> out = new ArrayList<>();
        RecordHandler h = new RecordHandler() {
            @Override
            public void onSample(Sample sample) {
            }

            @Override
            public void onLost(long count) {
                lost += count;
            }

            @Override
            public void onOther(int type, MemorySegment r) {
                TaskEvent e = decode(type, r);
                if (e != null) {
                    out.add(e);
                }
            }
        };
        for (SampleRing ring : rings) {
            if (ring != null) {
                ring.drain(h);
            }
        }
        out.sort(Comparator.comparingLong(TaskEvent::timeNs));
        return out;
    }

    private TaskEvent decode(int type, MemorySegment r) {
        long end = r.byteSize();
        if (end < TASK_PTID_OFFSET + Integer.BYTES + TRACKING_SAMPLE_ID_LENGTH) {
            return null;
        }
        long time = r.get(JAVA_LONG, end - TRACKING_SAMPLE_ID_LENGTH);
        int root = rootById.getOrDefault(r.get(JAVA_LONG, end - Long.BYTES), -1);
        return switch (type) {
            case PERF_RECORD_FORK -> new TaskEvent(Kind.FORK, time, root, r.get(JAVA_INT, TASK_TID_OFFSET),
                    r.get(JAVA_INT, TASK_PTID_OFFSET), null);
            case PERF_RECORD_EXIT -> new TaskEvent(Kind.EXIT, time, root, r.get(JAVA_INT, TASK_TID_OFFSET), 0, null);
            case PERF_RECORD_COMM -> new TaskEvent(Kind.COMM, time, root, r.get(JAVA_INT, COMM_TID_OFFSET), 0,
                    cString(r, COMM_NAME_OFFSET, end - TRACKING_SAMPLE_ID_LENGTH));
            default -> null;
        };
    }

    private static String cString(MemorySegment r, long from, long limit) {
        long end = from;
        while (end < limit && r.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] b = new byte[(int) (end - from)];
        MemorySegment.copy(r, JAVA_BYTE, from, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Records the kernel dropped because a ring was full (their threads stay in their creators' rows). */
    long lost() {
        return lost;
    }

    /** CPUs tracked: tracking events per attached thread. */
    int cpuCount() {
        return cpus.length;
    }

    /** Attached threads tracked. */
    int tracked() {
        return fdsByRoot.size();
    }

    /** Events that are not the ring owners first, then the owners, then the mappings. */
    @Override
    public void close() {
        for (int[] fds : fdsByRoot.values()) {
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] != owners[i]) {
                    PerfSys.close(fds[i]);
                }
            }
        }
        long length = MmapPageDescriptor.mappingLength(DATA_PAGES, PAGE_SIZE);
        for (int i = 0; i < cpus.length; i++) {
            if (owners[i] >= 0) {
                PerfSys.munmap(mappings[i], length);
                PerfSys.close(owners[i]);
            }
        }
        fdsByRoot.clear();
        arena.close();
    }
}
