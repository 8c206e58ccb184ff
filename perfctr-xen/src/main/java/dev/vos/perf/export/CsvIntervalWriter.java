package dev.vos.perf.export;

import dev.vos.perf.counting.Interval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Per-interval CSV (RFC 4180): a header, then one row per interval, thread and event, flushed after each interval
 * so a reader can follow the file while the collector runs.
 */
public final class CsvIntervalWriter implements AutoCloseable {

    /** The header line. */
    public static final String HEADER = "time,seq,interval_s,domain,pid,tid,thread,event,delta,total,rate_per_s,"
            + "running_pct,ended";

    private final BufferedWriter out;
    private final String domain;

    public CsvIntervalWriter(Path file, String domain) throws IOException {
        this.out = Files.newBufferedWriter(file);
        this.domain = domain;
        out.write(HEADER);
        out.newLine();
    }

    /** Appends one interval. */
    public void write(Interval interval) {
        try {
            for (IntervalRows r : IntervalRows.of(domain, interval)) {
                out.write(String.format(Locale.ROOT, "%s,%d,%.6f,%s,%d,%d,%s,%s,%d,%d,%.3f,%.2f,%b", r.timeIso(),
                        r.sequence(), r.intervalSeconds(), quote(r.domain()), r.pid(), r.tid(), quote(r.thread()),
                        r.event(), r.delta(), r.total(), r.ratePerSecond(), r.runningPercent(), r.ended()));
                out.newLine();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Quotes a field when it holds a comma, quote or line break (thread names can hold anything). */
    static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
