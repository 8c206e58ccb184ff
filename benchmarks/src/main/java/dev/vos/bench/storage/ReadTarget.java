package dev.vos.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the storage benchmarks read from: one open file, read at a position into the caller's buffer, from any
 * number of threads at once. The benchmarks depend only on this, so a new way to reach a file is one factory:
 * {@link #fileChannel(Path)} serves the JDK's default file system today, and a {@code vos://} path as soon as the
 * NIO provider over the storage domain exists, with no other change.
 */
public interface ReadTarget extends AutoCloseable {

    /** A short name for reports ("native FileChannel", "vos ring"). */
    String name();

    /**
     * Reads up to {@code dst.remaining()} bytes at file position {@code position} into {@code dst}, advancing its
     * position; returns the bytes read, -1 at the end of the file.
     */
    int read(ByteBuffer dst, long position) throws IOException;

    @Override
    void close() throws IOException;

    /** A {@link FileChannel} opened for reading on {@code file}, of whatever provider the path belongs to. */
    static ReadTarget fileChannel(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        String provider = file.getFileSystem().provider().getScheme();
        return new ReadTarget() {
            @Override
            public String name() {
                return "file".equals(provider) ? "native FileChannel" : provider + " FileChannel";
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return channel.read(dst, position);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
