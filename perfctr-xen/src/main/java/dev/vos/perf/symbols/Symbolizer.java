package dev.vos.perf.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the addresses of one process's samples into frame names:
 * <ul>
 *   <li>native code: the mapping from {@code /proc/PID/maps}, then the ELF file's {@code .symtab}/{@code .dynsym}
 *       (read through {@code /proc/PID/root}, so a target in another mount namespace resolves too);</li>
 *   <li>JIT-compiled Java: the JVM's perf map ({@link PerfMap}) for addresses in anonymous memory;</li>
 *   <li>kernel: {@code /proc/kallsyms} (root sees the addresses; others see zeros and get "[kernel]").</li>
 * </ul>
 * Unknown frames are named after their mapping ("[libfoo.so]", "[anon]"), so the flame graph still groups them.
 * Maps and perf map are read once at construction ({@link #reload()} reads them again): symbolise after the
 * recording, when the JVM has written its perf map.
 */
public final class Symbolizer {

    private final int pid;
    private ProcMaps maps;
    private SymbolTable perfMap;
    private SymbolTable kernel;
    private final Map<String, ElfSymbols> elves = new HashMap<>();
    private final Map<Long, String> cache = new HashMap<>();

    public Symbolizer(int pid) {
        this.pid = pid;
        reload();
    }

    /** Files of mappings are opened lazily; this opens those of the current maps now, while the target lives. */
    public void preloadElves() {
        for (ProcMaps.Mapping m : maps.mappings()) {
            if (m.isFile()) {
                elf(m.path());
            }
        }
    }

    /** Reads the target's maps and perf map again (after the JVM wrote its perf map, say). */
    public void reload() {
        reloadMaps();
        SymbolTable p = PerfMap.read(pid);
        if (p.size() > 0 || perfMap == null) {
            perfMap = p;
        }
        cache.clear();
    }

    /**
     * Reads the target's maps again, keeping the last ones read while it lived once it has exited: a recorder
     * calls this as it goes, so a target that exits mid-recording can still be symbolised.
     */
    public void reloadMaps() {
        ProcMaps m = ProcMaps.read(pid);
        if (!m.mappings().isEmpty() || maps == null) {
            maps = m;
        }
        cache.clear();
    }

    /** Symbols in the JVM perf map, 0 when there is none. */
    public int perfMapSymbols() {
        return perfMap.size();
    }

    /** The frame name of a user-space address. */
    public String user(long address) {
        String cached = cache.get(address);
        if (cached != null) {
            return cached;
        }
        String name = resolveUser(address);
        cache.put(address, name);
        return name;
    }

    private String resolveUser(long address) {
        Frame f = userFrame(address);
        if (f.symbol() != null) {
            return f.symbol();
        }
        if (f.dso().equals(UNKNOWN) || f.dso().equals("[anon]")) {
            return f.dso();
        }
        return f.dso().startsWith("/") ? "[" + Path.of(f.dso()).getFileName() + "]" : f.dso();
    }

    /**
     * One frame as {@code perf script} prints it: {@code address symbol+0xoffset (dso)}.
     *
     * @param address where, as perf prints it: relative to the file for code of a file, absolute otherwise
     * @param symbol  the function (demangled), or null when not known
     * @param offset  the offset into the function
     * @param dso     the file, the JVM's perf map ("/tmp/perf-PID.map"), "[kernel.kallsyms]", or "[unknown]"
     */
    public record Frame(long address, String symbol, long offset, String dso) {
    }

    /** What perf names an address nothing maps. */
    static final String UNKNOWN = "[unknown]";

    /** The frame of a user-space address, as perf script prints it. */
    public Frame userFrame(long address) {
        ProcMaps.Mapping m = maps.find(address);
        if (m == null || !m.isFile()) {
            SymbolTable.Symbol jit = perfMap.symbolAt(address);
            if (jit != null) {
                return new Frame(address, jit.name(), address - jit.start(), "/tmp/perf-"
                        + PerfMap.namespacePid(pid) + ".map");
            }
            return new Frame(address, null, 0, m == null ? UNKNOWN : m.path().isEmpty() ? "[anon]" : m.path());
        }
        ElfSymbols elf = elf(m.path());
        long fileOffset = address - m.start() + m.offset();
        long vaddr = elf == null ? -1 : elf.vaddrOfFileOffset(fileOffset);
        SymbolTable.Symbol fn = vaddr < 0 ? null : elf.symbolAt(vaddr);
        return new Frame(vaddr < 0 ? fileOffset : vaddr, fn == null ? null : Demangler.demangle(fn.name()),
                fn == null ? 0 : vaddr - fn.start(), m.path());
    }

    /** The frame of a kernel address, as perf script prints it. */
    public Frame kernelFrame(long address) {
        if (kernel == null) {
            kernel = readKallsyms();
        }
        SymbolTable.Symbol fn = kernel.symbolAt(address);
        return new Frame(address, fn == null ? null : fn.name(), fn == null ? 0 : address - fn.start(),
                "[kernel.kallsyms]");
    }

    /**
     * The symbols of a mapped file, read through the target's root (its mount namespace) or ours; for a stripped
     * file (no {@code .symtab}), with those of its separate debug file where one is installed ({@link DebugFiles}).
     */
    ElfSymbols elf(String path) {
        return elves.computeIfAbsent(path, p -> {
            for (Path candidate : List.of(Path.of("/proc/" + pid + "/root" + p), Path.of(p))) {
                try {
                    ElfSymbols e = ElfSymbols.read(candidate);
                    return e.fullSymbols() ? e : DebugFiles.withDebugSymbols(e, Path.of(p), pid);
                } catch (IOException e) {
                    // next
                }
            }
            return null;
        });
    }

    /** The frame name of a kernel address. */
    public String kernel(long address) {
        if (kernel == null) {
            kernel = readKallsyms();
        }
        String name = kernel.lookup(address);
        return name != null ? name + "_[k]" : "[kernel]";
    }

    private static SymbolTable readKallsyms() {
        List<SymbolTable.Symbol> out = new ArrayList<>();
        try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
            lines.forEach(l -> {
                int a = l.indexOf(' ');
                if (a <= 0 || a + 3 > l.length()) {
                    return;
                }
                char type = Character.toLowerCase(l.charAt(a + 1));
                if (type != 't' && type != 'w') {
                    return;
                }
                long addr = Long.parseUnsignedLong(l.substring(0, a), 16);
                if (addr == 0) {
                    return; // hidden by kptr_restrict: nothing to resolve with
                }
                int end = l.indexOf('\t', a + 3);
                out.add(new SymbolTable.Symbol(addr, 0, end < 0 ? l.substring(a + 3) : l.substring(a + 3, end)));
            });
        } catch (IOException | RuntimeException e) {
            return SymbolTable.EMPTY;
        }
        return new SymbolTable(out);
    }
}
