package dev.vos.bench.unix;

import dev.vos.bench.support.Children;
import dev.vos.bench.support.Pinning;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The baseline the ring replaces: a 64-byte request and a 64-byte response (the size of a ring slot) over an
 * AF_UNIX stream socket, blocking {@link SocketChannel} on both ends, to a {@link UnixEchoServerMain} in a child
 * JVM. The benchmark thread is pinned to CPU 0, the echo server's thread to CPU 1, as in the ring benchmarks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m",
        "--sun-misc-unsafe-memory-access=allow"})
@Threads(1)
@State(Scope.Thread)
public class UnixSocketRoundTripBenchmark {

    public static final int CLIENT_CPU = 0;
    public static final int SERVER_CPU = 1;
    public static final int MESSAGE_BYTES = 64;

    private Path socket;
    private Process server;
    private SocketChannel channel;
    private ByteBuffer request;
    private ByteBuffer response;
    private int pinnedTid;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        pinnedTid = Pinning.pinCurrentThread(CLIENT_CPU);
        socket = Children.scratchFile(".sock");
        server = Children.startJvm(UnixEchoServerMain.class, "listening ", Duration.ofSeconds(60),
                socket.toString(), Integer.toString(SERVER_CPU), Integer.toString(MESSAGE_BYTES));
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        response = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        for (int i = 0; i < MESSAGE_BYTES; i++) {
            request.put(i, (byte) i);
        }
        roundTrip64B();
        if (!response.flip().equals(request.clear())) {
            throw new IllegalStateException("the echo server answered something else");
        }
    }

    @Setup(Level.Iteration)
    public void checkPinned() {
        Pinning.check(pinnedTid, CLIENT_CPU);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (channel != null) {
                channel.close();
            }
        } finally {
            Children.stop(server);
            Children.delete(socket);
        }
    }

    @Benchmark
    public byte roundTrip64B() throws IOException {
        request.clear();
        while (request.hasRemaining()) {
            channel.write(request);
        }
        response.clear();
        while (response.hasRemaining()) {
            if (channel.read(response) < 0) {
                throw new EOFException("the echo server closed the connection");
            }
        }
        return response.get(MESSAGE_BYTES - 1);
    }
}
