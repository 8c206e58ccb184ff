package dev.vos.client.fs;

import dev.vos.ring.SegmentFiles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.channels.NonReadableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * {@code FileChannel.map} for a file whose pages live in a storage domain: the range is read into this process's
 * memory when it is mapped, once, and the program gets that copy. A {@code READ_ONLY} map is the copy made
 * read-only; a {@code PRIVATE} map is the copy, writable, its writes never reaching the file (as a kernel's
 * private mapping). Unlike a kernel's mapping, neither sees what is written to the file after the map was made.
 * A {@code READ_WRITE} map, whose stores would have to reach the domain, is refused.
 *
 * <p>The copy is a file in {@code /dev/shm} (memory), without a name once it is open, mapped by the platform's
 * own channel: a {@link MappedByteBuffer} can only be made by the JDK mapping a real file, and a
 * {@link MemorySegment} so mapped is a real mapping in the caller's arena (page-aligned, so a program may advise
 * the kernel on its pages, as Lucene does; unmapped when the arena closes), whatever the arena supports besides.
 */
final class MappedCopies {

    /** The bytes one positional read of the copy asks for. */
    private static final int PIECE_BYTES = 1 << 20;

    private MappedCopies() {
    }

    /** As {@code FileChannel.map(mode, at, size)} on {@code channel}, readable when {@code readable}. */
    static MappedByteBuffer buffer(FileChannel channel, boolean readable, MapMode mode, long at, long size)
            throws IOException {
        check(channel, readable, mode, at, size);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Size exceeds Integer.MAX_VALUE");
        }
        try (FileChannel copy = copyOf(channel, at, size)) {
            return copy.map(mode, 0, size);
        }
    }

    /** As {@code FileChannel.map(mode, at, size, arena)} on {@code channel}, readable when {@code readable}. */
    static MemorySegment segment(FileChannel channel, boolean readable, MapMode mode, long at, long size, Arena arena)
            throws IOException {
        Objects.requireNonNull(arena, "arena");
        check(channel, readable, mode, at, size);
        try (FileChannel copy = copyOf(channel, at, size)) {
            return copy.map(mode, 0, size, arena); // unmapped when the caller's arena closes, as any map
        }
    }

    /**
     * A file in memory holding {@code size} bytes of {@code channel} from {@code at}, open for reading and writing
     * and already without a name: what is mapped of it stays until unmapped, and nothing is left behind.
     */
    private static FileChannel copyOf(FileChannel channel, long at, long size) throws IOException {
        Path shm = SegmentFiles.DIRECTORY; // a tmpfs: the copy is memory, as a ring's segment is
        Path file = Files.createTempFile(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
                "vos-map-", ".copy");
        FileChannel copy = null;
        try {
            copy = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Files.delete(file);
            ByteBuffer piece = ByteBuffer.allocateDirect((int) Math.max(1, Math.min(size, PIECE_BYTES)));
            long done = 0;
            while (done < size) {
                piece.clear().limit((int) Math.min(piece.capacity(), size - done));
                int n = channel.read(piece, at + done);
                if (n <= 0) {
                    break; // the file shrank meanwhile: the rest reads as zeros
                }
                piece.flip();
                while (piece.hasRemaining()) {
                    copy.write(piece, done + piece.position());
                }
                done += n;
            }
            if (copy.size() < size) {
                copy.write(ByteBuffer.allocate(1), size - 1);
            }
            return copy;
        } catch (IOException | RuntimeException e) {
            if (copy != null) {
                copy.close();
            }
            throw e;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The checks of the JDK's {@code FileChannelImpl.map}, in its order, and the refusal of READ_WRITE. */
    private static void check(FileChannel channel, boolean readable, MapMode mode, long at, long size)
            throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        Objects.requireNonNull(mode, "Mode is null");
        if (at < 0L) {
            throw new IllegalArgumentException("Negative position");
        }
        if (size < 0L) {
            throw new IllegalArgumentException("Negative size");
        }
        if (at + size < 0) {
            throw new IllegalArgumentException("Position + size overflow");
        }
        if (mode == MapMode.READ_WRITE) {
            throw new UnsupportedOperationException("a vos file cannot be mapped READ_WRITE: its pages live in the"
                    + " storage domain, and stores into this process's memory would never reach them; map it"
                    + " READ_ONLY or PRIVATE (a copy of the range, read when mapped), or write through the channel");
        }
        if (mode != MapMode.READ_ONLY && mode != MapMode.PRIVATE) {
            throw new UnsupportedOperationException("map mode " + mode + " is not served for vos files");
        }
        if (!readable) {
            throw new NonReadableChannelException();
        }
        if (at + size > channel.size()) {
            // As the JDK: a map past the end would extend the file, which only a writable channel may do; a
            // read-only map never extends it.
            throw new IOException("Channel not open for writing - cannot extend file to required size");
        }
    }
}
