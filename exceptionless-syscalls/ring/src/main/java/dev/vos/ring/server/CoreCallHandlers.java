package dev.vos.ring.server;

import dev.vos.ring.CoreCalls;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/** The handlers of {@link CoreCalls}, which every vos ring server registers. */
public final class CoreCallHandlers {

    private static final long MAX_SLEEP_NS = 10_000_000_000L;

    private CoreCallHandlers() {
    }

    /** Registers the core calls in {@code builder}. */
    public static CallTable.Builder register(CallTable.Builder builder) {
        return builder
                .add(CoreCalls.NOP, "nop", call -> 0)
                .add(CoreCalls.GETPID, "getpid", call -> Linux.getpid())
                .add(CoreCalls.CHECKSUM, "checksum", CoreCallHandlers::checksum)
                .add(CoreCalls.FILL, "fill", CoreCallHandlers::fill)
                // It waits for a timer, by design: its worker is never reported stuck (at most 10 s anyway).
                .addMayWait(CoreCalls.SLEEP, "sleep", CoreCallHandlers::sleep);
    }

    /**
     * Registers the test calls ({@link CoreCalls#TEST_BLOCK}) in {@code builder}: only for servers a test starts
     * with {@code --test-calls}; a production table never has them.
     */
    public static CallTable.Builder registerTestCalls(CallTable.Builder builder) {
        return builder.add(CoreCalls.TEST_BLOCK, "test_block", CoreCallHandlers::blockForever);
    }

    /** A table of just the core calls. */
    public static CallTable table() {
        return register(CallTable.builder()).build();
    }

    private static long checksum(ServerCall call) {
        MemorySegment data = call.data(call.arg(0), call.arg(1));
        if (data == null) {
            return -Errno.EFAULT;
        }
        CRC32C crc = new CRC32C();
        crc.update(data.asByteBuffer());
        return crc.getValue();
    }

    private static long fill(ServerCall call) {
        MemorySegment data = call.data(call.arg(0), call.arg(1));
        if (data == null) {
            return -Errno.EFAULT;
        }
        long value = call.arg(2);
        if (value < 0 || value > 255) {
            return -Errno.EINVAL;
        }
        data.fill((byte) value);
        return data.byteSize();
    }

    /** A worker deadlocked on purpose: parked until interrupted, which nothing in a server does. */
    private static long blockForever(ServerCall call) {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.park(CoreCallHandlers.class);
        }
        return -Errno.EINTR;
    }

    private static long sleep(ServerCall call) {
        long nanos = call.arg(0);
        if (nanos < 0 || nanos > MAX_SLEEP_NS) {
            return -Errno.EINVAL;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -Errno.EINTR;
        }
    }
}
