package dev.vos.perf.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The executable mappings of a process, from {@code /proc/PID/maps}, sorted by address. */
public final class ProcMaps {

    /**
     * One mapping: [start, end) maps {@code path} from file offset {@code offset}; path is "" for anonymous memory
     * (where a JVM's JIT code lives) or a pseudo-name such as "[vdso]".
     */
    public record Mapping(long start, long end, long offset, String path) {

        /** True when the mapping is backed by a regular file that may hold symbols. */
        public boolean isFile() {
            return path.startsWith("/");
        }
    }

    private final List<Mapping> mappings;

    private ProcMaps(List<Mapping> mappings) {
        this.mappings = mappings;
    }

    /** Reads {@code /proc/PID/maps}; an empty map when the process is gone. */
    public static ProcMaps read(int pid) {
        try {
            return parse(Files.readAllLines(Path.of("/proc/" + pid + "/maps")));
        } catch (IOException e) {
            return new ProcMaps(List.of());
        }
    }

    /** Parses maps lines: {@code start-end perms offset dev inode [path]}; keeps executable ones. */
    public static ProcMaps parse(List<String> lines) {
        List<Mapping> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\\s+", 6);
            if (f.length < 5 || f[1].length() < 3 || f[1].charAt(2) != 'x') {
                continue;
            }
            int dash = f[0].indexOf('-');
            String path = f.length == 6 ? f[5].strip() : "";
            if (path.endsWith(" (deleted)")) {
                path = path.substring(0, path.length() - " (deleted)".length());
            }
            out.add(new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), Long.parseUnsignedLong(f[2], 16), path));
        }
        out.sort((a, b) -> Long.compareUnsigned(a.start, b.start));
        return new ProcMaps(List.copyOf(out));
    }

    /** The mapping holding {@code address}, or null. */
    public Mapping find(long address) {
        int lo = 0;
        int hi = mappings.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = mappings.get(mid);
            if (Long.compareUnsigned(address, m.start) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, m.end) >= 0) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }

    /** Executable mappings held. */
    public List<Mapping> mappings() {
        return mappings;
    }
}
