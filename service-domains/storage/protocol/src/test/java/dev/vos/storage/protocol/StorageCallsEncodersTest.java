package dev.vos.storage.protocol;

import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.Caller;
import dev.vos.ring.client.RingClient;
import dev.vos.ring.client.WaitStrategy;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.RingServer;
import dev.vos.ring.server.ServerOptions;
import dev.vos.storage.protocol.StorageCalls.Access;
import dev.vos.storage.protocol.StorageCalls.Append;
import dev.vos.storage.protocol.StorageCalls.Chmod;
import dev.vos.storage.protocol.StorageCalls.Chown;
import dev.vos.storage.protocol.StorageCalls.Close;
import dev.vos.storage.protocol.StorageCalls.CopyRange;
import dev.vos.storage.protocol.StorageCalls.Fallocate;
import dev.vos.storage.protocol.StorageCalls.Fdatasync;
import dev.vos.storage.protocol.StorageCalls.Fstat;
import dev.vos.storage.protocol.StorageCalls.Fsync;
import dev.vos.storage.protocol.StorageCalls.Ftruncate;
import dev.vos.storage.protocol.StorageCalls.Getdents;
import dev.vos.storage.protocol.StorageCalls.Lock;
import dev.vos.storage.protocol.StorageCalls.Mkdir;
import dev.vos.storage.protocol.StorageCalls.Open;
import dev.vos.storage.protocol.StorageCalls.Pread;
import dev.vos.storage.protocol.StorageCalls.Pwrite;
import dev.vos.storage.protocol.StorageCalls.Readlink;
import dev.vos.storage.protocol.StorageCalls.Rename;
import dev.vos.storage.protocol.StorageCalls.Stat;
import dev.vos.storage.protocol.StorageCalls.Statfs;
import dev.vos.storage.protocol.StorageCalls.Symlink;
import dev.vos.storage.protocol.StorageCalls.Unlink;
import dev.vos.storage.protocol.StorageCalls.Utimens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each storage call's encoder puts each argument at the position its descriptor names, as a domain reads it: the
 * calls go through a real ring (a /dev/shm segment, a server in this JVM) to a table whose handler, for every
 * storage call number, answers the argument at the position the test asks for. Every encoder is called with a
 * distinct value per argument, so an encoder that swaps two arguments, sends one at a position its descriptor
 * does not name, or issues another call's number, fails here.
 */
@Timeout(60)
class StorageCallsEncodersTest {

    /** An encoder called with the values {@link Args} hands out for its descriptor's positions. */
    @FunctionalInterface
    private interface Encoder {
        long issue(Caller on, Args args) throws Exception;
    }

    /** A storage call: its number, the class naming its positions, and its encoder under test. */
    private record Case(int number, Class<?> positions, Encoder encoder) {
    }

    /** The value for each named position (distinct, never 0), and which positions the encoder was given. */
    private static final class Args {
        private final int number;
        private final Set<Integer> given = new TreeSet<>();

        Args(int number) {
            this.number = number;
        }

        long at(int position) {
            assertTrue(given.add(position), "position " + position + " given twice to call " + number);
            return value(number, position);
        }
    }

    private static long value(int number, int position) {
        return 0x5EED_0000L + number * 0x100L + position + 1;
    }

    private static List<Case> cases() {
        return List.of(
                new Case(StorageCalls.OPEN, Open.class, (on, a) -> Open.call(on, a.at(Open.PATH_OFFSET),
                        a.at(Open.PATH_LENGTH), a.at(Open.FLAGS), a.at(Open.MODE))),
                new Case(StorageCalls.CLOSE, Close.class, (on, a) -> Close.call(on, a.at(Close.FD))),
                new Case(StorageCalls.PREAD, Pread.class, (on, a) -> Pread.call(on, a.at(Pread.FD),
                        a.at(Pread.BUFFER_OFFSET), a.at(Pread.COUNT), a.at(Pread.OFFSET))),
                new Case(StorageCalls.PWRITE, Pwrite.class, (on, a) -> Pwrite.call(on, a.at(Pwrite.FD),
                        a.at(Pwrite.BUFFER_OFFSET), a.at(Pwrite.COUNT), a.at(Pwrite.OFFSET))),
                new Case(StorageCalls.FSYNC, Fsync.class, (on, a) -> Fsync.call(on, a.at(Fsync.FD))),
                new Case(StorageCalls.FDATASYNC, Fdatasync.class, (on, a) -> Fdatasync.call(on, a.at(Fdatasync.FD))),
                new Case(StorageCalls.FTRUNCATE, Ftruncate.class, (on, a) -> Ftruncate.call(on, a.at(Ftruncate.FD),
                        a.at(Ftruncate.LENGTH))),
                new Case(StorageCalls.FSTAT, Fstat.class, (on, a) -> Fstat.call(on, a.at(Fstat.FD),
                        a.at(Fstat.OUT_OFFSET), a.at(Fstat.OUT_LENGTH))),
                new Case(StorageCalls.UNLINK, Unlink.class, (on, a) -> Unlink.call(on, a.at(Unlink.PATH_OFFSET),
                        a.at(Unlink.PATH_LENGTH), a.at(Unlink.FLAGS))),
                new Case(StorageCalls.MKDIR, Mkdir.class, (on, a) -> Mkdir.call(on, a.at(Mkdir.PATH_OFFSET),
                        a.at(Mkdir.PATH_LENGTH), a.at(Mkdir.MODE))),
                new Case(StorageCalls.RENAME, Rename.class, (on, a) -> Rename.call(on, a.at(Rename.FROM_OFFSET),
                        a.at(Rename.FROM_LENGTH), a.at(Rename.TO_OFFSET), a.at(Rename.TO_LENGTH), a.at(Rename.FLAGS))),
                new Case(StorageCalls.STAT, Stat.class, (on, a) -> Stat.call(on, a.at(Stat.PATH_OFFSET),
                        a.at(Stat.PATH_LENGTH), a.at(Stat.FLAGS), a.at(Stat.OUT_OFFSET), a.at(Stat.OUT_LENGTH))),
                new Case(StorageCalls.GETDENTS, Getdents.class, (on, a) -> Getdents.call(on, a.at(Getdents.FD),
                        a.at(Getdents.BUFFER_OFFSET), a.at(Getdents.COUNT))),
                new Case(StorageCalls.SYMLINK, Symlink.class, (on, a) -> Symlink.call(on, a.at(Symlink.TARGET_OFFSET),
                        a.at(Symlink.TARGET_LENGTH), a.at(Symlink.LINK_OFFSET), a.at(Symlink.LINK_LENGTH))),
                new Case(StorageCalls.READLINK, Readlink.class, (on, a) -> Readlink.call(on,
                        a.at(Readlink.PATH_OFFSET), a.at(Readlink.PATH_LENGTH), a.at(Readlink.BUFFER_OFFSET),
                        a.at(Readlink.SIZE))),
                new Case(StorageCalls.UTIMENS, Utimens.class, (on, a) -> Utimens.call(on, a.at(Utimens.PATH_OFFSET),
                        a.at(Utimens.PATH_LENGTH), a.at(Utimens.ATIME_NS), a.at(Utimens.MTIME_NS),
                        a.at(Utimens.FLAGS))),
                new Case(StorageCalls.CHMOD, Chmod.class, (on, a) -> Chmod.call(on, a.at(Chmod.PATH_OFFSET),
                        a.at(Chmod.PATH_LENGTH), a.at(Chmod.MODE))),
                new Case(StorageCalls.CHOWN, Chown.class, (on, a) -> Chown.call(on, a.at(Chown.PATH_OFFSET),
                        a.at(Chown.PATH_LENGTH), a.at(Chown.UID), a.at(Chown.GID), a.at(Chown.FLAGS))),
                new Case(StorageCalls.FALLOCATE, Fallocate.class, (on, a) -> Fallocate.call(on, a.at(Fallocate.FD),
                        a.at(Fallocate.MODE), a.at(Fallocate.OFFSET), a.at(Fallocate.LENGTH))),
                new Case(StorageCalls.ACCESS, Access.class, (on, a) -> Access.call(on, a.at(Access.PATH_OFFSET),
                        a.at(Access.PATH_LENGTH), a.at(Access.MODE))),
                new Case(StorageCalls.STATFS, Statfs.class, (on, a) -> Statfs.call(on, a.at(Statfs.OUT_OFFSET),
                        a.at(Statfs.OUT_LENGTH))),
                new Case(StorageCalls.LOCK, Lock.class, (on, a) -> Lock.call(on, a.at(Lock.FD), a.at(Lock.TYPE),
                        a.at(Lock.START), a.at(Lock.LENGTH))),
                new Case(StorageCalls.APPEND, Append.class, (on, a) -> Append.call(on, a.at(Append.FD),
                        a.at(Append.BUFFER_OFFSET), a.at(Append.COUNT))),
                new Case(StorageCalls.COPY_RANGE, CopyRange.class, (on, a) -> CopyRange.call(on,
                        a.at(CopyRange.FD_IN), a.at(CopyRange.OFFSET_IN), a.at(CopyRange.FD_OUT),
                        a.at(CopyRange.OFFSET_OUT), a.at(CopyRange.COUNT))));
    }

    /** The position the server's handler answers with; set by the test before each call. */
    private static final AtomicInteger ASKED = new AtomicInteger();
    /** The call number the server's handler last saw. */
    private static final AtomicInteger SEEN = new AtomicInteger();

    private static Path segment;
    private static RingClient client;
    private static RingServer server;

    @BeforeAll
    static void ring() throws Exception {
        CallTable.Builder table = CallTable.builder();
        for (int n = StorageCalls.OPEN; n <= StorageCalls.LAST; n++) {
            table.add(n, "storage call " + n, call -> {
                SEEN.set(call.callNumber());
                return call.arg(ASKED.get());
            });
        }
        segment = Path.of("/dev/shm", "vos-test-" + ProcessHandle.current().pid() + "-protocol-encoders");
        Files.deleteIfExists(segment);
        client = RingClient.create(segment, RingGeometry.DEFAULT, 1, WaitStrategy.sleeping());
        server = RingServer.attach(segment, table.build(), ServerOptions.DEFAULT.withWorkers(1));
        client.awaitServer(Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.awaitTermination();
        }
        Files.deleteIfExists(segment);
    }

    @Test
    void everyEncoder_putsEachArgumentAtItsNamedPosition_andZeroElsewhere() throws Exception {
        for (Case c : cases()) {
            Set<Integer> named = positions(c.positions());
            for (int position = 0; position < 6; position++) {
                ASKED.set(position);
                SEEN.set(-1);
                Args args = new Args(c.number());
                long answer;
                try (CallSlot slot = client.acquire()) {
                    answer = c.encoder().issue(slot, args);
                }
                String what = c.positions().getSimpleName() + " argument " + position;
                assertEquals(c.number(), SEEN.get(), c.positions().getSimpleName() + " issued another call");
                assertEquals(named, args.given,
                        c.positions().getSimpleName() + ": the test gives every named position");
                assertEquals(named.contains(position) ? value(c.number(), position) : 0, answer, what);
            }
        }
    }

    @Test
    void everyCall_hasOneDescriptor_withPositions0ToN_andAnEncoderTakingThemAll() {
        List<Case> cases = cases();
        List<Integer> numbers = cases.stream().map(Case::number).sorted().toList();
        List<Integer> all = new ArrayList<>();
        for (int n = StorageCalls.OPEN; n <= StorageCalls.LAST; n++) {
            all.add(n);
        }
        assertEquals(all, numbers, "one case per storage call");
        Set<Class<?>> described = new HashSet<>(Arrays.asList(StorageCalls.class.getDeclaredClasses()));
        assertEquals(described, new HashSet<>(cases.stream().map(Case::positions).toList()),
                "every nested class of StorageCalls is a call's descriptor, and every call has one");
        for (Case c : cases) {
            Set<Integer> positions = positions(c.positions());
            Set<Integer> expected = new TreeSet<>();
            for (int i = 0; i < positions.size(); i++) {
                expected.add(i);
            }
            assertEquals(expected, positions, c.positions().getSimpleName() + ": positions 0..n-1, each once");
            Method[] encoders = Arrays.stream(c.positions().getDeclaredMethods())
                    .filter(m -> Modifier.isPublic(m.getModifiers())).toArray(Method[]::new);
            assertEquals(1, encoders.length, c.positions().getSimpleName() + ": one encoder");
            assertEquals(1 + positions.size(), encoders[0].getParameterCount(),
                    c.positions().getSimpleName() + ": the encoder takes the caller and every argument");
        }
    }

    /** The values of {@code descriptor}'s position constants (its public static final int fields). */
    static Set<Integer> positions(Class<?> descriptor) {
        Set<Integer> positions = new TreeSet<>();
        int count = 0;
        for (Field f : descriptor.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                assertEquals(int.class, f.getType(), f + ": a descriptor holds argument positions only");
                try {
                    positions.add(f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
                count++;
            }
        }
        assertEquals(count, positions.size(), descriptor.getSimpleName() + ": two names for one position");
        return positions;
    }
}
