package dev.vos.perf.symbols;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static dev.vos.perf.symbols.ElfDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The function symbols of one ELF64 file, from {@code .symtab} when present (not stripped) and {@code .dynsym},
 * keyed by virtual address; and the PT_LOAD segments that turn a file offset (what /proc/PID/maps gives) into such
 * an address.
 */
public final class ElfSymbols {

    /** A PT_LOAD segment: file bytes [offset, offset + size) load at vaddr. */
    private record Segment(long offset, long vaddr, long size) {
    }

    private final SymbolTable table;
    private final List<Segment> segments;
    private final boolean fullSymbols;
    private final String buildId;
    private final String debugLink;

    private ElfSymbols(SymbolTable table, List<Segment> segments, boolean fullSymbols, String buildId,
                       String debugLink) {
        this.table = table;
        this.segments = segments;
        this.fullSymbols = fullSymbols;
        this.buildId = buildId;
        this.debugLink = debugLink;
    }

    /**
     * Reads {@code file}'s symbols.
     *
     * @throws IOException when it cannot be read or is not a little-endian ELF64 file
     */
    public static ElfSymbols read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (m.byteSize() < EHDR_LENGTH || m.get(JAVA_INT_UNALIGNED, 0) != 0x464c457f) {
                throw new IOException(file + ": not an ELF file");
            }
            if (m.get(JAVA_BYTE, EI_CLASS_OFFSET) != 2 || m.get(JAVA_BYTE, EI_DATA_OFFSET) != 1) {
                throw new IOException(file + ": not a little-endian ELF64 file");
            }
            boolean[] symtab = new boolean[1];
            List<SymbolTable.Symbol> functions = functions(m, symtab);
            return new ElfSymbols(new SymbolTable(functions), loads(m), symtab[0], buildId(m), debugLink(m));
        } catch (IndexOutOfBoundsException e) {
            throw new IOException(file + ": truncated or malformed ELF (" + e.getMessage() + ")");
        }
    }

    private static List<Segment> loads(MemorySegment m) {
        long phoff = m.get(JAVA_LONG_UNALIGNED, E_PHOFF_OFFSET);
        int phentsize = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_PHENTSIZE_OFFSET));
        int phnum = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_PHNUM_OFFSET));
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long p = phoff + (long) i * phentsize;
            if (m.get(JAVA_INT_UNALIGNED, p + P_TYPE_OFFSET) == PT_LOAD) {
                out.add(new Segment(m.get(JAVA_LONG_UNALIGNED, p + P_OFFSET_OFFSET),
                        m.get(JAVA_LONG_UNALIGNED, p + P_VADDR_OFFSET),
                        m.get(JAVA_LONG_UNALIGNED, p + P_FILESZ_OFFSET)));
            }
        }
        return List.copyOf(out);
    }

    /** The file's build id as lower-case hex (from its NT_GNU_BUILD_ID note), or "". */
    private static String buildId(MemorySegment m) {
        for (long sh : sections(m)) {
            if (m.get(JAVA_INT_UNALIGNED, sh + SH_TYPE_OFFSET) != SHT_NOTE) {
                continue;
            }
            long off = m.get(JAVA_LONG_UNALIGNED, sh + SH_OFFSET_OFFSET);
            long end = off + m.get(JAVA_LONG_UNALIGNED, sh + SH_SIZE_OFFSET);
            while (off + 12 <= end) {
                int namesz = m.get(JAVA_INT_UNALIGNED, off);
                int descsz = m.get(JAVA_INT_UNALIGNED, off + 4);
                int type = m.get(JAVA_INT_UNALIGNED, off + 8);
                long name = off + 12;
                long desc = name + align4(namesz);
                if (type == NT_GNU_BUILD_ID && namesz == 4 && cString(m, name, name + 4).equals("GNU")) {
                    StringBuilder b = new StringBuilder();
                    for (long i = 0; i < descsz; i++) {
                        b.append(String.format("%02x", m.get(JAVA_BYTE, desc + i) & 0xff));
                    }
                    return b.toString();
                }
                off = desc + align4(descsz);
            }
        }
        return "";
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /** The file name in the {@code .gnu_debuglink} section, or "". */
    private static String debugLink(MemorySegment m) {
        int shentsize = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHENTSIZE_OFFSET));
        long shoff = m.get(JAVA_LONG_UNALIGNED, E_SHOFF_OFFSET);
        int shstrndx = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHSTRNDX_OFFSET));
        List<Long> all = sections(m);
        if (shstrndx >= all.size()) {
            return "";
        }
        long names = m.get(JAVA_LONG_UNALIGNED, shoff + (long) shstrndx * shentsize + SH_OFFSET_OFFSET);
        long namesEnd = names + m.get(JAVA_LONG_UNALIGNED, shoff + (long) shstrndx * shentsize + SH_SIZE_OFFSET);
        for (long sh : all) {
            long name = Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, sh + SH_NAME_OFFSET));
            if (cString(m, names + name, namesEnd).equals(GNU_DEBUGLINK)) {
                long off = m.get(JAVA_LONG_UNALIGNED, sh + SH_OFFSET_OFFSET);
                return cString(m, off, off + m.get(JAVA_LONG_UNALIGNED, sh + SH_SIZE_OFFSET));
            }
        }
        return "";
    }

    /** The offsets of every section header. */
    private static List<Long> sections(MemorySegment m) {
        long shoff = m.get(JAVA_LONG_UNALIGNED, E_SHOFF_OFFSET);
        int shentsize = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHENTSIZE_OFFSET));
        int shnum = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHNUM_OFFSET));
        List<Long> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            out.add(shoff + (long) i * shentsize);
        }
        return out;
    }

    private static List<SymbolTable.Symbol> functions(MemorySegment m, boolean[] symtab) {
        long shoff = m.get(JAVA_LONG_UNALIGNED, E_SHOFF_OFFSET);
        int shentsize = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHENTSIZE_OFFSET));
        int shnum = Short.toUnsignedInt(m.get(JAVA_SHORT_UNALIGNED, E_SHNUM_OFFSET));
        List<SymbolTable.Symbol> out = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            long sh = shoff + (long) i * shentsize;
            int type = m.get(JAVA_INT_UNALIGNED, sh + SH_TYPE_OFFSET);
            if (type != SHT_SYMTAB && type != SHT_DYNSYM) {
                continue;
            }
            symtab[0] |= type == SHT_SYMTAB;
            long symOff = m.get(JAVA_LONG_UNALIGNED, sh + SH_OFFSET_OFFSET);
            long symSize = m.get(JAVA_LONG_UNALIGNED, sh + SH_SIZE_OFFSET);
            long entsize = Math.max(SYM_LENGTH, m.get(JAVA_LONG_UNALIGNED, sh + SH_ENTSIZE_OFFSET));
            long strSh = shoff + (long) m.get(JAVA_INT_UNALIGNED, sh + SH_LINK_OFFSET) * shentsize;
            long strOff = m.get(JAVA_LONG_UNALIGNED, strSh + SH_OFFSET_OFFSET);
            long strSize = m.get(JAVA_LONG_UNALIGNED, strSh + SH_SIZE_OFFSET);
            for (long s = symOff; s + SYM_LENGTH <= symOff + symSize; s += entsize) {
                int kind = m.get(JAVA_BYTE, s + ST_INFO_OFFSET) & 0xf;
                long value = m.get(JAVA_LONG_UNALIGNED, s + ST_VALUE_OFFSET);
                if ((kind != STT_FUNC && kind != STT_GNU_IFUNC) || value == 0
                        || m.get(JAVA_SHORT_UNALIGNED, s + ST_SHNDX_OFFSET) == 0) {
                    continue;
                }
                long name = Integer.toUnsignedLong(m.get(JAVA_INT_UNALIGNED, s + ST_NAME_OFFSET));
                out.add(new SymbolTable.Symbol(value, m.get(JAVA_LONG_UNALIGNED, s + ST_SIZE_OFFSET),
                        cString(m, strOff + name, strOff + strSize)));
            }
        }
        return out;
    }

    private static String cString(MemorySegment m, long from, long limit) {
        long end = from;
        while (end < limit && m.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] b = new byte[(int) (end - from)];
        MemorySegment.copy(m, JAVA_BYTE, from, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The virtual address (as symbols give them) of a file offset, or -1 when no PT_LOAD segment holds it. */
    public long vaddrOfFileOffset(long fileOffset) {
        for (Segment s : segments) {
            if (fileOffset >= s.offset && fileOffset < s.offset + s.size) {
                return fileOffset - s.offset + s.vaddr;
            }
        }
        return -1;
    }

    /** The function at a virtual address, or null. */
    public String lookup(long vaddr) {
        return table.lookup(vaddr);
    }

    /** The function at a virtual address, with its start (for the offset into it), or null. */
    public SymbolTable.Symbol symbolAt(long vaddr) {
        return table.symbolAt(vaddr);
    }

    /** The function named {@code name}, or null. */
    public SymbolTable.Symbol find(String name) {
        return table.find(name);
    }

    /** The file offset a virtual address was loaded from, or -1 (the inverse of {@link #vaddrOfFileOffset}). */
    public long fileOffsetOfVaddr(long vaddr) {
        for (Segment s : segments) {
            if (vaddr >= s.vaddr && vaddr < s.vaddr + s.size) {
                return vaddr - s.vaddr + s.offset;
            }
        }
        return -1;
    }

    /** True when the file has its full symbol table ({@code .symtab}), not only the exported ({@code .dynsym}). */
    public boolean fullSymbols() {
        return fullSymbols;
    }

    /** The build id, lower-case hex, or "" when the file has none. */
    public String buildId() {
        return buildId;
    }

    /** The separate debug file's name from {@code .gnu_debuglink}, or "". */
    public String debugLink() {
        return debugLink;
    }

    /**
     * These segments (where the code is) with the symbols of {@code debug} added: a separate debug file has the
     * same addresses, its {@code .symtab} has the local functions ({@code start_thread}) a stripped library lacks.
     */
    public ElfSymbols withSymbolsOf(ElfSymbols debug) {
        List<SymbolTable.Symbol> all = new ArrayList<>(debug.table.symbols());
        all.addAll(table.symbols());
        return new ElfSymbols(new SymbolTable(all), segments, true, buildId, debugLink);
    }

    /** Function symbols read. */
    public int size() {
        return table.size();
    }
}
