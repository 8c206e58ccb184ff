package dev.vos.ring.agent;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * How a client binds a ring to a domain: a line-based handshake over the domain agent's Unix-domain stream socket.
 * The socket carries no calls, only this handshake; then it stays open as the session's lifeline. If either side
 * goes away, the other reads end-of-file at once: the agent stops serving that client's segment, and the client
 * fails the calls in flight without waiting for a heartbeat to go stale.
 * <pre>
 *   agent  -&gt; client   VOS-AGENT 1 &lt;domain&gt; &lt;kind&gt; &lt;generation&gt;
 *   client -&gt; agent    ATTACH &lt;segment path&gt; [SUPERVISOR]
 *   agent  -&gt; client   OK | ERR &lt;message&gt;
 *   ... the session stays open; either side closes it to end the session ...
 * </pre>
 * The client creates the segment (a {@link dev.vos.ring.SegmentFiles#path segment file}, {@code /dev/shm/vos-*})
 * with the generation the greeting announced; the agent refuses a segment of another generation.
 * {@code SUPERVISOR} marks the control plane's own session: an agent started with {@code --exit-with-supervisor}
 * exits when that session ends.
 */
public final class AgentProtocol {

    /** Version of this handshake. */
    public static final int VERSION = 1;
    /** Longest line either side accepts. */
    public static final int MAX_LINE = 4096;

    private AgentProtocol() {
    }

    /** The agent's greeting. */
    public record Greeting(String domain, String kind, long generation) {
        String line() {
            return "VOS-AGENT " + VERSION + " " + domain + " " + kind + " " + generation;
        }

        static Greeting parse(String line) throws IOException {
            String[] f = line.split(" ");
            if (f.length != 5 || !f[0].equals("VOS-AGENT")) {
                throw new IOException("not a vos domain agent: it said '" + line + "'");
            }
            if (!f[1].equals(Integer.toString(VERSION))) {
                throw new IOException("the agent speaks handshake version " + f[1] + ", this client " + VERSION);
            }
            try {
                return new Greeting(f[2], f[3], Long.parseLong(f[4]));
            } catch (NumberFormatException e) {
                throw new IOException("bad generation in the agent's greeting: '" + line + "'");
            }
        }
    }

    /** Writes {@code line} and a newline. */
    static void writeLine(SocketChannel channel, String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /**
     * Reads one line, byte by byte (the handshake is a few short lines; nothing after it is read ahead).
     *
     * @throws EOFException if the peer closed the connection first
     */
    static String readLine(SocketChannel channel) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new EOFException("the peer closed the connection");
            }
            byte b = one.get(0);
            if (b == '\n') {
                return new String(line, 0, length, StandardCharsets.UTF_8);
            }
            if (length == MAX_LINE) {
                throw new IOException("handshake line longer than " + MAX_LINE + " bytes");
            }
            line[length++] = b;
        }
    }
}
