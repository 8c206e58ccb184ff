package dev.vos.perf.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JIT's symbol file, {@code /tmp/perf-PID.map}: one {@code START SIZE name} line (hex, hex, text) per piece of
 * generated code. A HotSpot JVM writes it with {@code -XX:+DumpPerfMapAtExit} or on demand with
 * {@code jcmd PID Compiler.perfmap}. Read through {@code /proc/PID/root}, with the pid the target has in its own
 * pid namespace, so that a service domain in its own mount and pid namespaces is found too.
 */
public final class PerfMap {

    private PerfMap() {
    }

    /** Where the target's perf map is, seen from here. */
    public static Path pathFor(int pid) {
        return Path.of("/proc/" + pid + "/root/tmp/perf-" + namespacePid(pid) + ".map");
    }

    /**
     * Reads the perf map of {@code pid}, or an empty table when there is none. Once the target has exited its
     * /proc/PID/root is gone; a map it wrote at exit (-XX:+DumpPerfMapAtExit) is then looked for in our /tmp.
     */
    public static SymbolTable read(int pid) {
        for (Path p : java.util.List.of(pathFor(pid), Path.of("/tmp/perf-" + pid + ".map"))) {
            try {
                return parse(Files.readAllLines(p));
            } catch (IOException e) {
                // next
            }
        }
        return SymbolTable.EMPTY;
    }

    /** Parses perf map lines; malformed lines are skipped. */
    public static SymbolTable parse(List<String> lines) {
        List<SymbolTable.Symbol> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b < 0) {
                continue;
            }
            try {
                String start = line.substring(0, a);
                out.add(new SymbolTable.Symbol(Long.parseUnsignedLong(start.startsWith("0x") ? start.substring(2)
                        : start, 16), Long.parseLong(strip0x(line.substring(a + 1, b)), 16), line.substring(b + 1)));
            } catch (NumberFormatException e) {
                // skip
            }
        }
        return new SymbolTable(out);
    }

    private static String strip0x(String s) {
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    /** The innermost pid of the target (the last NSpid field of /proc/PID/status), or pid itself. */
    static int namespacePid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] f = line.substring(6).strip().split("\\s+");
                    return Integer.parseInt(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return pid;
    }
}
