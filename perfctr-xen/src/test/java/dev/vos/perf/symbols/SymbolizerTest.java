package dev.vos.perf.symbols;

import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SymbolizerTest {

    @Test
    void user_addressOfALibcFunctionInThisProcess_namedFromTheElfSymbolTable() {
        // Where the dynamic linker put libc's functions in this very JVM: the symboliser must get there from
        // /proc/self/maps and the ELF file alone.
        Symbolizer s = new Symbolizer(Linux.getpid());
        for (String fn : List.of("getpid", "syscall", "qsort")) {
            long address = Linker.nativeLinker().defaultLookup().find(fn).orElseThrow().address();
            String name = s.user(address);
            // glibc exports some functions under aliases (__getpid, __libc_...); accept the known ones.
            assertTrue(Set.of(fn, "__" + fn, "__libc_" + fn, "_" + fn).contains(name), fn + " resolved as " + name);
            assertEquals(name, s.user(address + 1), "an address inside the function");
        }
    }

    @Test
    void user_localFunctionOfAStrippedLibrary_namedFromItsDebugFile() throws Exception {
        // start_thread is libc's own (not exported): a stripped libc.so.6 has no name for it; its debug file, found
        // by build id under /usr/lib/debug (Debian's libc6-dbg, installed by .ci/run), has.
        int pid = Linux.getpid();
        ProcMaps maps = ProcMaps.read(pid);
        ProcMaps.Mapping libc = maps.mappings().stream()
                .filter(m -> Path.of(m.path()).getFileName().toString().startsWith("libc.so")).findFirst()
                .orElseThrow();
        ElfSymbols plain = ElfSymbols.read(Path.of(libc.path()));
        assertFalse(plain.fullSymbols(), "this test is about a stripped libc, as distributions ship it");
        assertFalse(plain.buildId().isEmpty(), "libc has a build id");
        Symbolizer s = new Symbolizer(pid);
        SymbolTable.Symbol startThread = s.elf(libc.path()).find("start_thread");
        assertNotNull(startThread, "no debug file for " + libc.path() + " (build id " + plain.buildId()
                + "): apt-get install libc6-dbg");
        long fileOffset = plain.fileOffsetOfVaddr(startThread.start() + 4);
        ProcMaps.Mapping m = maps.mappings().stream().filter(x -> x.path().equals(libc.path())
                && fileOffset >= x.offset() && fileOffset < x.offset() + (x.end() - x.start())).findFirst()
                .orElseThrow();
        long address = m.start() + fileOffset - m.offset();
        assertEquals("start_thread", s.user(address));
        Symbolizer.Frame f = s.userFrame(address);
        assertEquals(4, f.offset());
        assertEquals(startThread.start() + 4, f.address(), "perf prints a library's addresses relative to it");
        assertEquals(libc.path(), f.dso());
    }

    @Test
    void user_addressInNoMapping_isUnknown() {
        assertEquals("[unknown]", new Symbolizer(Linux.getpid()).user(0x10));
    }

    @Test
    void parse_perfMapLines_lookupBySizeAndSkipMalformed() {
        SymbolTable t = PerfMap.parse(List.of("7f0000001000 40 Interpreter", "not a line",
                "0x7f0000002000 0x20 java.lang.String::hashCode", "7f0000003000 zz bad"));
        assertEquals(2, t.size());
        assertEquals("Interpreter", t.lookup(0x7f0000001000L));
        assertEquals("Interpreter", t.lookup(0x7f000000103fL));
        assertNull(t.lookup(0x7f0000001040L), "past the end of the code blob");
        assertEquals("java.lang.String::hashCode", t.lookup(0x7f0000002010L));
    }

    @Test
    void parse_mapsLines_keepsExecutableMappingsAndStripsDeleted() {
        ProcMaps m = ProcMaps.parse(List.of(
                "00400000-00401000 r--p 00000000 08:01 1 /usr/bin/x",
                "00401000-00402000 r-xp 00001000 08:01 1 /usr/bin/x",
                "7f0000000000-7f0000010000 rwxp 00000000 00:00 0 ",
                "7f0000100000-7f0000200000 r-xp 00002000 08:01 2 /tmp/lib.so (deleted)"));
        assertEquals(3, m.mappings().size());
        assertEquals("/usr/bin/x", m.find(0x401800).path());
        assertEquals(0x1000, m.find(0x401800).offset());
        assertEquals("", m.find(0x7f0000000100L).path());
        assertEquals("/tmp/lib.so", m.find(0x7f0000100000L).path());
        assertNull(m.find(0x400800), "not executable");
    }
}
