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

    private ElfSymbols(SymbolTable table, List<Segment> segments) {
        this.table = table;
        this.segments = segments;
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
            return new ElfSymbols(new SymbolTable(functions(m)), loads(m));
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

    private static List<SymbolTable.Symbol> functions(MemorySegment m) {
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

    /** Function symbols read. */
    public int size() {
        return table.size();
    }
}
