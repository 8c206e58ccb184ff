package dev.vos.ring.transport.process;

import dev.vos.ring.ProcStat;
import dev.vos.ring.RingSegment;
import dev.vos.ring.SegmentFiles;
import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Doorbell;
import dev.vos.ring.transport.PeerWatch;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.SegmentMaker;
import dev.vos.ring.transport.Side;
import dev.vos.ring.transport.Transport;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;
import dev.vos.sys.SharedMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_NAMESPACE_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_PID_OFFSET;
import static dev.vos.ring.layout.HeaderLayout.SERVER_START_TICKS_OFFSET;

/**
 * The process transport, the embedded default: a ring's two sides are processes of one host (one kernel). Its
 * segment is one of two kinds:
 * <ul>
 *   <li><b>sealed</b> ({@link #sealed}, {@link #openSealed}): a {@code memfd} that no path names, sized once and sealed
 *       against shrinking and growing ({@code F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL}). Only a process handed the
 *       descriptor can map it, and a server can rely on its size: a client cannot cut pages off under it. What a
 *       client hands a domain agent over its socket ({@code SCM_RIGHTS}: the agent's rendezvous).</li>
 *   <li><b>a file</b> ({@link #file}, {@link #openFile}): a {@link SegmentFiles} path, created owner-only (0600),
 *       never over an existing name and never through a symbolic link. For a ring server run as a program of its own
 *       ({@code RingServerMain}: tests, the demo, benchmarks); its creator can still truncate it, which a server
 *       survives (the session fails, see {@code RingServer}).</li>
 * </ul>
 * Its doorbells are futex words in the ring's header ({@link FutexDoorbell}); its peer watch reads the server's
 * process in {@code /proc} ({@link ProcPeerWatch}), found by the pid and start time the server announces.
 */
public final class ProcessTransport implements Transport {

    /** The one instance: the transport keeps no state of its own. */
    public static final ProcessTransport INSTANCE = new ProcessTransport();

    /** Who may open a segment file: its owner, reading and writing. */
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private ProcessTransport() {
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public Doorbell doorbell(RingSegment ring, Side side) {
        return new FutexDoorbell(ring, side);
    }

    /**
     * SERVER_PID (this process's pid, in its own namespace), SERVER_START_TICKS and SERVER_PID_NAMESPACE, with plain
     * stores.
     */
    @Override
    public void announceServer(RingSegment ring) {
        ring.setIntPlain(SERVER_PID_OFFSET, Linux.getpid());
        ring.setLongPlain(SERVER_START_TICKS_OFFSET, ProcStat.selfStartTicks());
        ring.setLongPlain(SERVER_PID_NAMESPACE_OFFSET, ProcStat.selfPidNamespace());
    }

    @Override
    public PeerWatch watchServer(RingSegment ring, long livenessTimeoutNs) {
        return new ProcPeerWatch(ring, livenessTimeoutNs);
    }

    /**
     * Makes segment files at {@code file} (once: it must not exist; name it with {@link SegmentFiles#path}): owner-only
     * (0600), {@code O_EXCL} (a name planted there, a symbolic link included, is an error, never followed), sized and
     * mapped. Closing the segment deletes the file.
     */
    public static SegmentMaker file(Path file) {
        return bytes -> {
            try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY)) {
                channel.write(ByteBuffer.allocate(1), bytes - 1);
                return map(file, true, channel, bytes);
            }
        };
    }

    /** Maps an existing segment file whole, not through a symbolic link; the caller validates its contents. */
    public static Segment openFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            return map(file, false, channel, channel.size());
        }
    }

    private static Segment map(Path file, boolean owns, FileChannel channel, long bytes) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new MappedSegment(file, owns, file.toString(), "the file's owner (mode 0600, " + file + ")", -1,
                    arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Makes sealed segments: a memfd labelled {@code vos-LABEL}, sized, sealed so that its size never changes, and
     * mapped. The segment keeps the descriptor ({@link #descriptor}) until it closes.
     */
    public static SegmentMaker sealed(String label) {
        return bytes -> {
            String name = "memfd:" + SegmentFiles.PREFIX + label;
            int fd = SharedMemory.memfdCreate(SegmentFiles.PREFIX + label,
                    SharedMemory.MFD_CLOEXEC | SharedMemory.MFD_ALLOW_SEALING);
            if (fd < 0) {
                throw new IOException("memfd_create(" + name + "): " + Errno.message(-fd));
            }
            try {
                check(name, "ftruncate", SharedMemory.ftruncate(fd, bytes));
                check(name, "F_ADD_SEALS", SharedMemory.addSeals(fd, SharedMemory.SEALED_SIZE));
                return mapShared(fd, name, bytes, fd);
            } catch (IOException | RuntimeException e) {
                Linux.close(fd);
                throw e;
            }
        };
    }

    /**
     * Maps the sealed segment a client handed over as {@code fd}, after checking that it is one: a memfd on shmem
     * (a hugetlb one could fault for want of huge pages), sealed with {@code F_SEAL_SHRINK | F_SEAL_GROW |
     * F_SEAL_SEAL}, no larger than the largest geometry. Takes the descriptor: it is closed whatever happens (the
     * mapping does not need it). The caller validates the contents ({@code RingHeader.validate}).
     *
     * @throws SegmentRefusedException if the descriptor is not such a segment
     */
    public static Segment openSealed(int fd, String name) throws IOException {
        try (Arena scratch = Arena.ofConfined()) {
            int seals = SharedMemory.seals(fd);
            if (seals < 0) {
                throw new SegmentRefusedException(name + ": not a sealed memfd (F_GET_SEALS: "
                        + Errno.name(-seals) + ")");
            }
            if ((seals & SharedMemory.SEALED_SIZE) != SharedMemory.SEALED_SIZE) {
                throw new SegmentRefusedException(String.format("%s: seals 0x%x, but a segment must be sealed with"
                        + " F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL (0x%x): its size could change under the server",
                        name, seals, SharedMemory.SEALED_SIZE));
            }
            long type = SharedMemory.fileSystemType(fd);
            if (type != SharedMemory.TMPFS_MAGIC) {
                throw new SegmentRefusedException(String.format("%s: on file system 0x%x, not shmem (0x%x)", name, type,
                        SharedMemory.TMPFS_MAGIC));
            }
            MemorySegment stat = scratch.allocate(SharedMemory.STAT_SIZE, 8);
            check(name, "fstat", SharedMemory.fstat(fd, stat));
            long size = SharedMemory.size(stat);
            boolean regular = (SharedMemory.mode(stat) & SharedMemory.S_IFMT) == SharedMemory.S_IFREG;
            if (!regular || size < HeaderLayout.HEADER_BYTES || size > RingGeometry.MAX_SEGMENT_BYTES) {
                throw new SegmentRefusedException(name + ": " + size + " bytes; a segment has "
                        + HeaderLayout.HEADER_BYTES + ".." + RingGeometry.MAX_SEGMENT_BYTES);
            }
            return mapShared(fd, name, size, -1);
        } finally {
            Linux.close(fd);
        }
    }

    private static Segment mapShared(int fd, String name, long bytes, int kept) throws IOException {
        long address = SharedMemory.mmapShared(fd, bytes);
        if (address < 0) {
            throw new IOException(name + ": mmap of " + bytes + " bytes: " + Errno.message((int) -address));
        }
        Arena arena = Arena.ofShared();
        return new MappedSegment(null, false, name, "no path names it: only a process handed its descriptor", kept,
                arena, SharedMemory.adopt(address, bytes, arena));
    }

    private static void check(String name, String call, int result) throws IOException {
        if (result < 0) {
            throw new IOException(name + ": " + call + ": " + Errno.message(-result));
        }
    }

    /** The file {@code segment} maps, or null for a sealed segment (which no path names) or another transport's. */
    public static Path file(Segment segment) {
        return segment instanceof MappedSegment mapped ? mapped.file() : null;
    }

    /**
     * The memfd of a sealed segment this process created, to hand to a server over a socket; -1 for any other
     * segment.
     */
    public static int descriptor(Segment segment) {
        return segment instanceof MappedSegment mapped ? mapped.descriptor() : -1;
    }

    /** A descriptor handed over as a segment that is not one a server may map. */
    public static final class SegmentRefusedException extends IOException {
        SegmentRefusedException(String problem) {
            super(problem);
        }
    }
}
