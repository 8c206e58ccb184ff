package dev.vos.perf.symbols;

import dev.vos.sys.Linux;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
