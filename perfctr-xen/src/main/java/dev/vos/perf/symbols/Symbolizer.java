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
        ProcMaps.Mapping m = maps.find(address);
        if (m == null || !m.isFile()) {
            String jit = perfMap.lookup(address);
            if (jit != null) {
                return jit;
            }
            return m == null ? "[unknown]" : m.path().isEmpty() ? "[anon]" : m.path();
        }
        ElfSymbols elf = elf(m.path());
        String lib = "[" + Path.of(m.path()).getFileName() + "]";
        if (elf == null) {
            return lib;
        }
        long vaddr = elf.vaddrOfFileOffset(address - m.start() + m.offset());
        String fn = vaddr < 0 ? null : elf.lookup(vaddr);
        return fn != null ? Demangler.demangle(fn) : lib;
    }

    private ElfSymbols elf(String path) {
        return elves.computeIfAbsent(path, p -> {
            for (Path candidate : List.of(Path.of("/proc/" + pid + "/root" + p), Path.of(p))) {
                try {
                    return ElfSymbols.read(candidate);
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
