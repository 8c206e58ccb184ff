package dev.vos.storage.domain;

import dev.vos.storage.protocol.DirentLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.vos.storage.protocol.DirentLayout.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.*;

/** The linux_dirent64 decoder on records built by hand, well-formed and not. */
class DirentLayoutTest {

    /** Writes one record at {@code at} as the kernel would (8-aligned length, NUL, zero padding); its length. */
    private static int record(MemorySegment buf, long at, long ino, int type, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int reclen = (int) ((D_NAME_OFFSET + bytes.length + 1 + 7) & ~7L);
        buf.asSlice(at, reclen).fill((byte) 0);
        buf.set(JAVA_LONG_UNALIGNED, at + D_INO_OFFSET, ino);
        buf.set(JAVA_LONG_UNALIGNED, at + D_OFF_OFFSET, 0x7fff_0000_0000_0000L + at);
        buf.set(JAVA_SHORT_UNALIGNED, at + D_RECLEN_OFFSET, (short) reclen);
        buf.set(JAVA_BYTE, at + D_TYPE_OFFSET, (byte) type);
        MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, at + D_NAME_OFFSET, bytes.length);
        return reclen;
    }

    @Test
    void decodesNamesTypesAndInodes_skippingDots() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1024);
            long at = 0;
            at += record(buf, at, 2, DT_DIR, ".");
            at += record(buf, at, 1, DT_DIR, "..");
            at += record(buf, at, 12, DT_REG, "file.txt");
            at += record(buf, at, 13, DT_DIR, "sub");
            at += record(buf, at, 14, DT_LNK, "caf\u00e9-\u6f22\u5b57");
            at += record(buf, at, 15, DT_UNKNOWN, "...");
            at += record(buf, at, 16, DT_FIFO, "a".repeat(255));
            assertEquals(List.of(new Entry(12, "file.txt", DT_REG), new Entry(13, "sub", DT_DIR),
                            new Entry(14, "caf\u00e9-\u6f22\u5b57", DT_LNK), new Entry(15, "...", DT_UNKNOWN),
                            new Entry(16, "a".repeat(255), DT_FIFO)),
                    DirentLayout.decode(buf.asSlice(0, at)));
        }
    }

    @Test
    void readsUnalignedRecords_andNothingFromNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = record(buf, 3, 77, DT_REG, "odd");
            assertEquals(List.of(new Entry(77, "odd", DT_REG)), DirentLayout.decode(buf.asSlice(3, n)));
            assertEquals(List.of(), DirentLayout.decode(buf.asSlice(0, 0)));
        }
    }

    @Test
    void malformedRecords_areRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = record(buf, 0, 5, DT_REG, "name");
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, n - 1)),
                    "the last record runs past the end");
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, 10)),
                    "shorter than a header");

            buf.set(JAVA_SHORT_UNALIGNED, D_RECLEN_OFFSET, (short) 0);
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, n)),
                    "d_reclen 0 would loop forever");
            buf.set(JAVA_SHORT_UNALIGNED, D_RECLEN_OFFSET, (short) -1);
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, n)),
                    "d_reclen 65535");

            record(buf, 0, 5, DT_REG, "name");
            buf.asSlice(D_NAME_OFFSET, n - D_NAME_OFFSET).fill((byte) 'x');
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, n)),
                    "no NUL in the name");

            record(buf, 0, 5, DT_REG, "name");
            buf.set(JAVA_BYTE, D_NAME_OFFSET, (byte) 0);
            assertThrows(IllegalArgumentException.class, () -> DirentLayout.decode(buf.asSlice(0, n)),
                    "an empty name");
        }
    }
}
