package dev.vos.ring.agent;

import java.io.IOException;
import java.time.Duration;

/**
 * How a client binds a ring to a domain: a line-based handshake over the domain agent's Unix-domain stream socket.
 * The socket carries no calls, only this handshake; then it stays open as the session's lifeline. If either side
 * goes away, the other reads end-of-file at once: the agent stops serving that client's segment, and the client
 * fails the calls in flight without waiting for a heartbeat to go stale.
 * <pre>
 *   agent  -&gt; client   VOS-AGENT 2 &lt;domain&gt; &lt;kind&gt; &lt;generation&gt; &lt;hangTimeoutMs&gt;
 *                      | ERR &lt;message&gt;                       (not admitted, or over its cap)
 *   client -&gt; agent    ATTACH [SUPERVISOR &lt;token&gt;]      + SCM_RIGHTS: the segment's memfd
 *   agent  -&gt; client   OK | ERR &lt;message&gt;
 *   ... the session stays open; either side closes it to end the session ...
 * </pre>
 * Before it greets, the agent asks the kernel who connected ({@code SO_PEERCRED}) and answers {@code ERR permission
 * denied ...} to anyone it does not admit ({@link AgentAccess}), or {@code ERR too many connections ...} to a uid over
 * its cap. The client creates its segment as a sealed memfd ({@link
 * dev.vos.ring.transport.process.ProcessTransport#sealed}) for the generation the greeting announced, with the
 * greeting's hang timeout as its liveness timeout, and passes the descriptor with its {@code ATTACH} line: no name in
 * any file system. The agent refuses a descriptor that is not such a segment, a segment of another generation, and a
 * session over the uid's cap. {@code SUPERVISOR} claims the control plane's role, proven by the token the control plane
 * gave the agent at launch ({@link SupervisorToken}); only that session sees the whole domain's figures, and an agent
 * started with {@code --exit-with-supervisor} exits when it ends. A claim with a wrong token is refused, logged, and
 * changes nothing.
 */
public final class AgentProtocol {

    /** Version of this handshake: 2 passes the segment as a descriptor and announces the hang timeout. */
    public static final int VERSION = 2;
    /** Longest line either side accepts. */
    public static final int MAX_LINE = 4096;
    /**
     * How long the agent waits for a connected client's {@code ATTACH} (and for each write of its own): a client
     * that connects and says nothing holds a session thread no longer than this.
     */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private AgentProtocol() {
    }

    /** The agent's greeting. */
    public record Greeting(String domain, String kind, long generation, long hangTimeoutMs) {
        String line() {
            return "VOS-AGENT " + VERSION + " " + domain + " " + kind + " " + generation + " " + hangTimeoutMs;
        }

        /** The domain's hang timeout: the liveness timeout of its clients' rings. */
        public Duration hangTimeout() {
            return Duration.ofMillis(hangTimeoutMs);
        }

        static Greeting parse(String line) throws IOException {
            String[] f = line.split(" ");
            if (f.length < 2 || !f[0].equals("VOS-AGENT")) {
                throw new IOException("not a vos domain agent: it said '" + line + "'");
            }
            if (!f[1].equals(Integer.toString(VERSION))) {
                throw new IOException("the agent speaks handshake version " + f[1] + ", this client " + VERSION
                        + ": client and domain must come from compatible vos releases");
            }
            if (f.length != 6) {
                throw new IOException("a malformed greeting: '" + line + "'");
            }
            try {
                return new Greeting(f[2], f[3], Long.parseLong(f[4]), Long.parseLong(f[5]));
            } catch (NumberFormatException e) {
                throw new IOException("bad generation or hang timeout in the agent's greeting: '" + line + "'");
            }
        }
    }

    /** What a client asks for: a session, its own or the supervisor's. */
    sealed interface Request {
        /** An ordinary client's session. */
        record Attach() implements Request {
        }

        /** The control plane's session; {@code token} proves it. */
        record AttachAsSupervisor(String token) implements Request {
        }

        /** The request line for this request. */
        default String line() {
            return switch (this) {
                case Attach _ -> "ATTACH";
                case AttachAsSupervisor s -> "ATTACH SUPERVISOR " + s.token();
            };
        }

        /** Parses a client's line; the message of the exception is what the client is told. */
        static Request parse(String line) throws IOException {
            String[] f = line.split(" ", -1);
            if (f.length == 1 && f[0].equals("ATTACH")) {
                return new Attach();
            }
            if (f.length == 3 && f[0].equals("ATTACH") && f[1].equals("SUPERVISOR") && !f[2].isEmpty()) {
                return new AttachAsSupervisor(f[2]);
            }
            // Never echo the line: it may hold a token meant for nobody's log.
            throw new IOException("expected 'ATTACH [SUPERVISOR <token>]' with the segment's descriptor, got a line of "
                    + line.length() + " characters");
        }
    }
}
