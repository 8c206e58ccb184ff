package dev.vos.perf.sampling;

import dev.vos.perf.EventSelection;
import dev.vos.perf.NoSuchProcessException;
import dev.vos.perf.PerfAccessException;
import dev.vos.perf.PerfEventAttr;
import dev.vos.perf.PerfException;
import dev.vos.perf.counting.EventProbe;
import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.SampleRing;
import dev.vos.perf.sys.MmapPageDescriptor;
import dev.vos.perf.sys.PerfSys;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Sampling mode: one sampling event per thread of a process ({@code pid = tid, cpu = -1}), each with its own mmap
 * ring (the kernel does not let per-thread events of different threads share one), drained by {@link #poll()}.
 * Threads are followed as in counting mode: each {@link #rescan()} opens rings on new threads, and a thread that
 * is gone has its ring drained one last time and unmapped.
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class Sampler implements AutoCloseable {

    private static final int PAGE_SIZE = 4096;

    private final int pid;
    private final SamplerOptions options;
    private final RecordHandler handler;
    private final boolean userOnly;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment attr;
    private final MemorySegment scratch;
    private final Map<Integer, ThreadRing> rings = new HashMap<>();
    private long samples;
    private long lost;
    private boolean exited;

    /** One thread's event and its mapping. */
    private record ThreadRing(int tid, int fd, long address, long length, SampleRing ring) {
    }

    private Sampler(int pid, SamplerOptions options, RecordHandler handler, boolean userOnly) {
        this.pid = pid;
        this.options = options;
        this.handler = handler;
        this.userOnly = userOnly;
        this.attr = PerfEventAttr.allocate(arena);
        this.scratch = arena.allocate(65_536, 8);
    }

    /**
     * Starts sampling every thread of {@code pid}.
     *
     * @throws NoSuchProcessException when there is no such process
     * @throws PerfAccessException    when the kernel refuses
     * @throws PerfException          when the sampling event is not available here (the reason is in the message)
     */
    public static Sampler attach(int pid, SamplerOptions options, RecordHandler handler) throws PerfException {
        if (pid <= 0 || !ProcTasks.exists(pid)) {
            throw new NoSuchProcessException(pid);
        }
        EventProbe.Result probe = EventProbe.probe(pid, pid, -1,
                EventSelection.ungrouped(List.of(options.event())));
        if (probe.available().isEmpty()) {
            throw new PerfException("cannot sample " + options.event() + ": " + probe.events().getFirst().reason());
        }
        Sampler s = new Sampler(pid, options.withEvent(probe.available().getFirst()), handler, probe.userOnly());
        try {
            s.rescan();
        } catch (PerfException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Opens rings on threads found since the last rescan; drains and closes those gone. Returns threads sampled. */
    public int rescan() throws PerfException {
        List<Integer> tids = ProcTasks.tids(pid);
        if (tids.isEmpty()) {
            exited = true;
        }
        Set<Integer> now = new HashSet<>(tids);
        Iterator<ThreadRing> it = rings.values().iterator();
        while (it.hasNext()) {
            ThreadRing r = it.next();
            if (!now.contains(r.tid)) {
                drain(r);
                unmap(r);
                it.remove();
            }
        }
        int pages = options.pagesFor(tids.size());
        for (int tid : tids) {
            if (!rings.containsKey(tid)) {
                ThreadRing r = open(tid, pages);
                if (r != null) {
                    rings.put(tid, r);
                }
            }
        }
        return rings.size();
    }

    private ThreadRing open(int tid, int pages) throws PerfException {
        int fd = PerfSys.perfEventOpen(PerfEventAttr.sampling(attr, options.event(), options.rate(),
                options.frequency(), options.callchain(), options.maxStack()), tid, -1, -1,
                PerfSys.PERF_FLAG_FD_CLOEXEC);
        if (fd == -Errno.ESRCH) {
            return null;
        }
        if (fd == -Errno.EACCES || fd == -Errno.EPERM) {
            throw new PerfAccessException(-fd, pid);
        }
        if (fd < 0) {
            throw new PerfException("cannot sample tid " + tid + ": " + EventProbe.reason(options.event(), -fd));
        }
        long length = MmapPageDescriptor.mappingLength(pages, PAGE_SIZE);
        long address = PerfSys.mmapShared(fd, length);
        if (address < 0) {
            PerfSys.close(fd);
            if (address == -Errno.EPERM || address == -Errno.ENOMEM) {
                throw new PerfException("cannot map a " + (length / 1024) + " KiB sampling ring for tid " + tid + " ("
                        + Errno.name((int) -address) + "): the rings of " + rings.size()
                        + " threads exceed kernel.perf_event_mlock_kb for this user; raise it or sample fewer threads");
            }
            throw new PerfException("mmap of the sampling ring failed: " + Errno.name((int) -address));
        }
        MemorySegment mapping = MemorySegment.ofAddress(address).reinterpret(length);
        long dataOffset = mapping.get(JAVA_LONG, MmapPageDescriptor.DATA_OFFSET_OFFSET);
        long dataSize = mapping.get(JAVA_LONG, MmapPageDescriptor.DATA_SIZE_OFFSET);
        if (dataOffset == 0) { // kernels before 4.1 leave these zero: data starts after the first page
            dataOffset = PAGE_SIZE;
            dataSize = length - PAGE_SIZE;
        }
        SampleRing ring = new SampleRing(mapping.asSlice(0, PAGE_SIZE), mapping.asSlice(dataOffset, dataSize),
                scratch, options.callchain());
        PerfSys.ioctl(fd, PerfSys.IOC_ENABLE, 0);
        return new ThreadRing(tid, fd, address, length, ring);
    }

    /** Drains every ring; returns records consumed. */
    public int poll() {
        int n = 0;
        for (ThreadRing r : rings.values()) {
            n += drain(r);
        }
        return n;
    }

    private int drain(ThreadRing r) {
        long s0 = r.ring.samples();
        long l0 = r.ring.lost();
        int n = r.ring.drain(handler);
        samples += r.ring.samples() - s0;
        lost += r.ring.lost() - l0;
        return n;
    }

    private static void unmap(ThreadRing r) {
        PerfSys.ioctl(r.fd, PerfSys.IOC_DISABLE, 0);
        PerfSys.munmap(r.address, r.length);
        PerfSys.close(r.fd);
    }

    /** Threads sampled now. */
    public int threadCount() {
        return rings.size();
    }

    /** Samples decoded so far. */
    public long samples() {
        return samples;
    }

    /** Samples the kernel reported lost so far (ring full, or throttled before reaching it). */
    public long lost() {
        return lost;
    }

    /** True once a rescan found the process gone. */
    public boolean targetExited() {
        return exited;
    }

    /** True when only user space is sampled (an unprivileged watcher at perf_event_paranoid >= 2). */
    public boolean userOnly() {
        return userOnly;
    }

    /** Drains what is left, then stops and unmaps every ring. */
    @Override
    public void close() {
        for (ThreadRing r : rings.values()) {
            PerfSys.ioctl(r.fd, PerfSys.IOC_DISABLE, 0);
            drain(r);
            unmap(r);
        }
        rings.clear();
        arena.close();
    }
}
