package dev.vos.perf.sampling;

import dev.vos.perf.ring.RecordHandler;
import dev.vos.perf.ring.Sample;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Every sample, kept on disk while recording (a temporary file, deleted on close) and passed on to {@code next}, so
 * that they can be written one by one, in order, once the frames can be named: {@code perf script}'s text needs each
 * sample, where the flame graph needs only the counts. About 60 bytes plus 8 per frame each.
 */
public final class SampleSpool implements RecordHandler, AutoCloseable {

    private final RecordHandler next;
    private final Path file;
    private final DataOutputStream out;
    private long samples;

    /** Spools into a new temporary file; {@code next} receives everything too. */
    public SampleSpool(RecordHandler next) throws IOException {
        this.next = next;
        this.file = Files.createTempFile("vos-perf-samples", ".bin");
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    @Override
    public void onSample(Sample s) {
        try {
            out.writeInt(s.pid());
            out.writeInt(s.tid());
            out.writeLong(s.timeNs());
            out.writeInt(s.cpu());
            out.writeLong(s.period());
            out.writeLong(s.ip());
            out.writeInt(s.kernelFrames());
            out.writeInt(s.frames().length);
            for (long f : s.frames()) {
                out.writeLong(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        samples++;
        next.onSample(s);
    }

    @Override
    public void onLost(long count) {
        next.onLost(count);
    }

    /** Samples spooled. */
    public long samples() {
        return samples;
    }

    /** Hands every sample spooled, in the order they were drained, to {@code each}. */
    public void replay(Consumer<Sample> each) throws IOException {
        out.flush();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long i = 0; i < samples; i++) {
                int pid = in.readInt();
                int tid = in.readInt();
                long time = in.readLong();
                int cpu = in.readInt();
                long period = in.readLong();
                long ip = in.readLong();
                int kernel = in.readInt();
                long[] frames = new long[in.readInt()];
                for (int f = 0; f < frames.length; f++) {
                    frames[f] = in.readLong();
                }
                each.accept(new Sample(pid, tid, time, cpu, period, ip, frames, kernel));
            }
        } catch (EOFException e) {
            throw new IOException("the sample spool " + file + " ended early", e);
        }
    }

    /** Deletes the file. */
    @Override
    public void close() throws IOException {
        out.close();
        Files.deleteIfExists(file);
    }
}
