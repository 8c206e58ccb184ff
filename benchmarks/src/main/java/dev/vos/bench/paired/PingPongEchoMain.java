package dev.vos.bench.paired;

import dev.vos.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The other half of the cache-line ping-pong floor: maps the file given, pins itself to the CPU given, and echoes
 * every value written to PING (offset 0) into PONG (offset 64), forever. The same hardware round trip the C floor
 * measures, made of the same instructions (plain loads and stores on x86), in a JVM beside the ring's.
 * <pre>usage: PingPongEchoMain FILE CPU</pre>
 */
public final class PingPongEchoMain {

    static final long PING = 0;
    static final long PONG = 64;
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private PingPongEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MemorySegment lines = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096, Arena.global());
            int pinned = Linux.pinCurrentThread(Integer.parseInt(args[1]));
            System.out.println("echoing, pin " + pinned);
            System.out.flush();
            long seen = (long) LONG.getAcquire(lines, PING);
            while (true) {
                long ping = (long) LONG.getAcquire(lines, PING);
                if (ping != seen) {
                    seen = ping;
                    LONG.setRelease(lines, PONG, ping);
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
