package dev.vos.storage.protocol;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The records {@link StorageCalls#GETDENTS} puts in the payload: the kernel's {@code struct linux_dirent64}
 * ({@code <linux/dirent.h>}), passed on as the kernel wrote them, and their decoder for the client. Every record is
 * {@code d_reclen} bytes long (8-aligned in the kernel's output, but read unaligned here: the payload offset a
 * client chose need not be):
 * <pre>
 * offset  field      type
 * 0       d_ino      u64    inode number
 * 8       d_off      s64    opaque position of the next record (for seekdir; vos does not use it)
 * 16      d_reclen   u16    this record's length, padding included
 * 18      d_type     u8     DT_* below; DT_UNKNOWN when the file system does not say (stat the name then)
 * 19      d_name     char[] the name, NUL-terminated, then padding up to d_reclen
 * </pre>
 */
public final class DirentLayout {

    public static final long D_INO_OFFSET = 0;
    public static final long D_OFF_OFFSET = 8;
    public static final long D_RECLEN_OFFSET = 16;
    public static final long D_TYPE_OFFSET = 18;
    public static final long D_NAME_OFFSET = 19;
    /** The shortest possible record: the header, a one-byte name and its NUL. */
    public static final int MIN_RECLEN = (int) D_NAME_OFFSET + 2;

    // <dirent.h>: d_type values
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;

    /** One directory entry: its inode number, its name (UTF-8 decoded) and its DT_* type. */
    public record Entry(long ino, String name, int type) {
    }

    private DirentLayout() {
    }

    /**
     * The entries of the records filling {@code records} (slice it to the byte count GETDENTS returned), in the
     * kernel's order, without "." and "..": a directory listing as NIO gives it.
     *
     * @throws IllegalArgumentException if a record's length runs past the end, is shorter than a record can
     *                                  be, or its name is empty or has no NUL: bytes that are not getdents64 output
     */
    public static List<Entry> decode(MemorySegment records) {
        List<Entry> entries = new ArrayList<>();
        long size = records.byteSize();
        long at = 0;
        while (at < size) {
            if (size - at < MIN_RECLEN) {
                throw new IllegalArgumentException("truncated dirent record at " + at);
            }
            int reclen = Short.toUnsignedInt(records.get(JAVA_SHORT_UNALIGNED, at + D_RECLEN_OFFSET));
            if (reclen < MIN_RECLEN || reclen > size - at) {
                throw new IllegalArgumentException("dirent record at " + at + " has d_reclen " + reclen);
            }
            byte[] name = name(records, at, reclen);
            if (!isDotOrDotDot(name)) {
                entries.add(new Entry(records.get(JAVA_LONG_UNALIGNED, at + D_INO_OFFSET),
                        new String(name, StandardCharsets.UTF_8),
                        Byte.toUnsignedInt(records.get(JAVA_BYTE, at + D_TYPE_OFFSET))));
            }
            at += reclen;
        }
        return entries;
    }

    /** The name bytes of the record at {@code at}, up to its NUL; never empty. */
    private static byte[] name(MemorySegment records, long at, int reclen) {
        long start = at + D_NAME_OFFSET;
        long end = at + reclen;
        for (long i = start; i < end; i++) {
            if (records.get(JAVA_BYTE, i) == 0) {
                if (i == start) {
                    break;
                }
                return records.asSlice(start, i - start).toArray(JAVA_BYTE);
            }
        }
        throw new IllegalArgumentException("dirent record at " + at + " has an empty or unterminated name");
    }

    private static boolean isDotOrDotDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }
}
