package dev.vos.storage.domain;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls.Append;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * APPEND writes at the end of a file opened with O_APPEND, and only there: a descriptor opened without it is
 * EINVAL, so an append can never write at an offset of a file that was not opened for appending.
 */
@Timeout(60)
class AppendCallTest {

    @TempDir
    Path root;

    @Test
    void append_writesAtTheEnd_evenWhenTheFileGrowsBehindItsBack() throws Exception {
        Path log = Files.writeString(root.resolve("log"), "one\n");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long fd = ring.open("log", O_WRONLY | O_APPEND, 0);
            assertEquals(4, ring.append(fd, "two\n"));
            Files.writeString(log, "host\n", StandardOpenOption.APPEND);
            assertEquals(6, ring.append(fd, "three\n"));
        }
        assertEquals("one\ntwo\nhost\nthree\n", Files.readString(log));
    }

    @Test
    void append_onADescriptorOpenedWithoutOAppend_isEinval_andWritesNothing() throws Exception {
        Path file = Files.writeString(root.resolve("plain"), "keep me");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long fd = ring.open("plain", O_RDWR, 0);
            assertEquals(-Errno.EINVAL, ring.append(fd, "XX"));
            long readOnlyAppend = ring.open("plain", O_RDONLY | O_APPEND, 0);
            assertEquals(-Errno.EBADF, ring.append(readOnlyAppend, "XX"), "the kernel's: not open for writing");
            assertEquals(-Errno.EBADF, ring.append(fd + 1000, "XX"), "an unknown number");
        }
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void append_outsideThePayload_isEfault() throws Exception {
        Files.writeString(root.resolve("log"), "");
        try (StorageRing ring = StorageRing.open(StorageRing.table(root), 1)) {
            long fd = ring.open("log", O_WRONLY | O_APPEND, 0);
            try (CallSlot slot = ring.client.acquire()) {
                assertEquals(-Errno.EFAULT, Append.call(slot, fd, -1, 10));
                assertEquals(-Errno.EFAULT, Append.call(slot, fd, slot.dataOffset(), Long.MAX_VALUE));
            }
        }
        assertEquals(0, Files.size(root.resolve("log")));
    }

    @Test
    void concurrentAppendsOfTwoSessions_neitherOverwritesTheOther() throws Exception {
        Path log = Files.writeString(root.resolve("shared"), "");
        CallTable table = StorageRing.table(root);
        int records = 200;
        try (StorageRing one = StorageRing.open(table, 2); StorageRing two = StorageRing.open(table, 2);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> work = new ArrayList<>();
            for (StorageRing ring : List.of(one, two)) {
                String who = ring == one ? "a" : "b";
                work.add(threads.submit(() -> {
                    long fd = ring.open("shared", O_WRONLY | O_APPEND, 0);
                    for (int i = 0; i < records; i++) {
                        assertEquals(8, ring.append(fd, String.format("%s%06d", who, i) + "\n"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(2 * records, lines.size(), "every record whole, none written over another");
        assertEquals(records, lines.stream().filter(l -> l.startsWith("a")).count());
    }
}
