package dev.vos.ring.agent;

import dev.vos.ring.RingHeader;
import dev.vos.ring.RingSegment;
import dev.vos.ring.TestDescriptors;
import dev.vos.ring.TestSegments;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.transport.Segment;
import dev.vos.ring.transport.process.ProcessTransport;
import dev.vos.sys.SharedMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A hostile client that ignores {@link AgentSession}: it speaks the handshake itself, and sends whatever line and
 * descriptor a test wants it to.
 */
final class RawClient implements AutoCloseable {

    private final AgentSocket socket;
    private final String greeting;

    private RawClient(AgentSocket socket, String greeting) {
        this.socket = socket;
        this.greeting = greeting;
    }

    /** Connects and reads the agent's first line. */
    static RawClient connect(Path path) throws IOException {
        AgentSocket socket = AgentSocket.connect(path, Duration.ofSeconds(10));
        return new RawClient(socket, socket.readLine());
    }

    /** What the agent said first: its greeting, or its refusal. */
    String greeting() {
        return greeting;
    }

    /** Sends {@code line} with {@code descriptor} (none if negative); returns the agent's answer. */
    String send(String line, int descriptor) throws IOException {
        socket.writeLine(line, descriptor);
        return socket.readLine();
    }

    /** Waits until the agent ends the session. */
    void awaitEnd() throws IOException {
        socket.awaitEnd();
    }

    /** A formatted sealed segment for {@code generation}: its memfd, which the caller closes. */
    static int sealedSegment(RingGeometry geometry, long generation) throws IOException {
        Segment shared = ProcessTransport.sealed("test-raw").create(geometry.segmentBytes());
        try (RingSegment segment = TestSegments.view(shared)) {
            RingHeader.format(segment, geometry, generation);
            return TestDescriptors.dup(ProcessTransport.descriptor(shared)); // ours, open after the segment closes
        }
    }

    /** An unsealed memfd of a segment's size: what a client that means to resize it later would send. */
    static int unsealedSegment(RingGeometry geometry) {
        int fd = SharedMemory.memfdCreate("vos-test-unsealed", SharedMemory.MFD_CLOEXEC
                | SharedMemory.MFD_ALLOW_SEALING);
        SharedMemory.ftruncate(fd, geometry.segmentBytes());
        return fd;
    }

    @Override
    public void close() {
        socket.close();
    }
}
