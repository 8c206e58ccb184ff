package dev.vos.perf.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the separate debug file of a stripped ELF file, where gdb and perf look for it: by build id under
 * {@code /usr/lib/debug/.build-id/ab/cdef....debug} (Debian's {@code libc6-dbg} and the {@code -dbgsym} packages),
 * then by the {@code .gnu_debuglink} name in {@code /usr/lib/debug/DIR/}, {@code DIR/.debug/} and {@code DIR/}.
 * A candidate whose build id differs from the file's is not used. Each place is looked for through the target's
 * root first (a domain in its own mount namespace), then ours.
 */
final class DebugFiles {

    /** The global debug directory. */
    static final Path DEBUG_ROOT = Path.of("/usr/lib/debug");

    private DebugFiles() {
    }

    /** {@code elf} with the symbols of its debug file added, or {@code elf} when none is found. */
    static ElfSymbols withDebugSymbols(ElfSymbols elf, Path file, int pid) {
        for (Path candidate : candidates(elf, file)) {
            for (Path p : List.of(Path.of("/proc/" + pid + "/root" + candidate), candidate)) {
                if (!Files.isRegularFile(p) || isSelf(p, file)) {
                    continue;
                }
                try {
                    ElfSymbols debug = ElfSymbols.read(p);
                    if (elf.buildId().isEmpty() || debug.buildId().isEmpty() || debug.buildId().equals(
                            elf.buildId())) {
                        return elf.withSymbolsOf(debug);
                    }
                } catch (IOException e) {
                    // next
                }
            }
        }
        return elf;
    }

    /** Where the debug file of {@code file} may be, in the order they are tried. */
    static List<Path> candidates(ElfSymbols elf, Path file) {
        List<Path> out = new ArrayList<>();
        String id = elf.buildId();
        if (id.length() > 2) {
            out.add(DEBUG_ROOT.resolve(".build-id").resolve(id.substring(0, 2)).resolve(id.substring(2) + ".debug"));
        }
        String link = elf.debugLink();
        Path dir = file.getParent();
        if (!link.isEmpty() && dir != null) {
            out.add(Path.of(DEBUG_ROOT + dir.toString()).resolve(link));
            out.add(dir.resolve(".debug").resolve(link));
            out.add(dir.resolve(link));
        }
        return out;
    }

    /** True when a candidate is the stripped file itself (a debug link naming its own file). */
    private static boolean isSelf(Path candidate, Path file) {
        try {
            return Files.isSameFile(candidate, file);
        } catch (IOException e) {
            return false;
        }
    }
}
