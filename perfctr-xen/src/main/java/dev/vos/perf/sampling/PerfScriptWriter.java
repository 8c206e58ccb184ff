package dev.vos.perf.sampling;

import dev.vos.perf.ring.Sample;
import dev.vos.perf.symbols.Symbolizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Samples as {@code perf script} prints them (perf 6.1's default fields, with pid/tid and the CPU): the text that
 * FlameGraph's {@code stackcollapse-perf.pl}, speedscope and the Firefox Profiler import.
 *
 * <pre>
 * java 4242/4250 [001] 7479.030780:    1000000 cpu-clock:
 *         7f5c1e0c3fd4 Workload::work+0x24 (/tmp/perf-4242.map)
 *                94ac3 start_thread+0x2f3 (/usr/lib/x86_64-linux-gnu/libc.so.6)
 *     ffffffff82240c89 pvm_irq_enable+0x19 ([kernel.kallsyms])
 * (a blank line; each frame line starts with a tab)
 * </pre>
 *
 * Frames innermost first; a file's addresses relative to the file, as perf prints them; a frame with no symbol is
 * {@code [unknown]}, with its file.
 */
public final class PerfScriptWriter {

    private final Writer out;
    private final Symbolizer symbols;
    private final IntFunction<String> threadName;
    private final String event;

    /**
     * @param threadName the name of a thread (perf's comm) by tid
     * @param event      the event's name as perf prints it ("cpu-clock")
     */
    public PerfScriptWriter(Writer out, Symbolizer symbols, IntFunction<String> threadName, String event) {
        this.out = out;
        this.symbols = symbols;
        this.threadName = threadName;
        this.event = event;
    }

    /** Writes one sample. */
    public void write(Sample s) {
        StringBuilder b = new StringBuilder(64 + 64 * s.frames().length);
        b.append(threadName.apply(s.tid()).replace('\n', ' ')).append(' ').append(s.pid()).append('/').append(s.tid())
                .append(String.format(Locale.ROOT, " [%03d] %d.%06d: %10d %s: %n", s.cpu(), s.timeNs() / 1_000_000_000L,
                        (s.timeNs() % 1_000_000_000L) / 1000, s.period(), event));
        long[] frames = s.frames();
        for (int i = 0; i < frames.length; i++) {
            Symbolizer.Frame f = i < s.kernelFrames() ? symbols.kernelFrame(frames[i]) : symbols.userFrame(frames[i]);
            b.append(String.format(Locale.ROOT, "\t%16x ", f.address()));
            if (f.symbol() == null) {
                b.append("[unknown]");
            } else {
                b.append(f.symbol().replace('\n', ' ')).append("+0x").append(Long.toHexString(f.offset()));
            }
            b.append(" (").append(f.dso().replace(' ', '_')).append(")\n");
        }
        b.append('\n');
        try {
            out.write(b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
