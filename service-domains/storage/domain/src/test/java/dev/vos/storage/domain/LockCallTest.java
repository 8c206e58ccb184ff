package dev.vos.storage.domain;

import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.Lock;
import dev.vos.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static dev.vos.storage.domain.StorageSyscalls.*;
import static dev.vos.storage.protocol.StorageFlags.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The lock call: OFD locks per session descriptor, refused without waiting, checked before acting. */
class LockCallTest {

    @TempDir
    Path root;

    @Test
    void twoSessions_excludeEachOther_andAHostProcess_andClosingReleases() throws Exception {
        Files.writeString(root.resolve("f"), "data");
        CallTable table = StorageRing.table(root);
        try (StorageRing one = StorageRing.open(table, 1); StorageRing two = StorageRing.open(table, 1);
             FileChannel host = FileChannel.open(root.resolve("f"), StandardOpenOption.WRITE)) {
            long a = one.open("f", O_RDWR, 0);
            long b = two.open("f", O_RDWR, 0);
            assertEquals(0, Lock.call(one.client, a, F_WRLCK, 0, 0));
            assertEquals(0, Lock.call(one.client, a, F_WRLCK, 0, 10), "the holder may change its own lock");
            assertEquals(-Errno.EAGAIN, Lock.call(two.client, b, F_RDLCK, 5, 1));
            assertNull(host.tryLock(), "OFD and classic POSIX locks conflict");
            assertEquals(0, Close.call(one.client, a));
            assertEquals(0, Lock.call(two.client, b, F_RDLCK, 5, 1), "closing the descriptor released its lock");
            assertEquals(0, Lock.call(two.client, b, F_UNLCK, 0, 0));
            assertNotNull(host.tryLock());
        }
    }

    @Test
    void badArguments_areRefused_andChangeNothing() throws Exception {
        Files.writeString(root.resolve("f"), "data");
        CallTable table = StorageRing.table(root);
        try (StorageRing one = StorageRing.open(table, 1); StorageRing two = StorageRing.open(table, 1)) {
            long a = one.open("f", O_RDWR, 0);
            long readOnly = one.open("f", O_RDONLY, 0);
            assertEquals(-Errno.EINVAL, Lock.call(one.client, a, 3, 0, 0));
            assertEquals(-Errno.EINVAL, Lock.call(one.client, a, F_WRLCK, -1, 0));
            assertEquals(-Errno.EINVAL, Lock.call(one.client, a, F_WRLCK, 0, -5));
            assertEquals(-Errno.EBADF, Lock.call(two.client, a, F_WRLCK, 0, 0), "another session's descriptor");
            assertEquals(-Errno.EBADF, Lock.call(one.client, readOnly, F_WRLCK, 0, 0),
                    "a write lock needs a writable descriptor");
            long b = two.open("f", O_RDWR, 0);
            assertEquals(0, Lock.call(two.client, b, F_WRLCK, 0, 0), "none of the refused calls took a lock");
        }
    }
}
