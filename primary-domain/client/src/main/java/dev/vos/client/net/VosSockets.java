package dev.vos.client.net;

import java.io.IOException;
import java.lang.invoke.MethodType;
import java.net.DatagramSocket;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;

/**
 * Puts {@code java.net.Socket}, {@code ServerSocket}, {@code DatagramSocket} and {@code MulticastSocket} in the net
 * domain. Since JDK 13 (15 for the datagram ones) they use the JDK's own impls, not the {@link SelectorProvider}, so
 * {@code -Djava.nio.channels.spi.SelectorProvider} alone leaves them on the host's stack; this sets the three JDK
 * hooks that still choose their impl, once per JVM:
 *
 * <pre>
 * dev.vos.client.net.VosSockets.install();   // first thing in main, before any Socket is made
 * </pre>
 *
 * <p>or, with no change to the program, the client jar as an agent: {@code -javaagent:vos-client.jar
 * -Dvos.net.sockets=true} ({@link #AGENT_PROPERTY}; the agent then installs before {@code main}).
 *
 * <p>Every {@code Socket} and {@code ServerSocket} made after it (the connections a {@code ServerSocket} accepts too)
 * is a {@link VosSocketImpl}, and every {@code DatagramSocket} and {@code MulticastSocket} a
 * {@link VosDatagramSocketImpl}, over a channel of the net provider, which finds its domain as
 * {@link VosSelectorProvider} does ({@code vos.net.socket}, {@code vos.net.domain}, {@code vos.stateDir},
 * {@code $VOS_STATE_DIR}); if that provider is the JVM's already, its one attachment is shared. Sockets made before
 * stay where they are.
 *
 * <p>A {@code Socket} made as {@code new Socket()} connects through the SOCKS proxy the default {@code ProxySelector}
 * names for its target ({@code -DsocksProxyHost}), as the JDK's own does ({@link SocksConnect}), over a connection
 * of the net domain.
 *
 * <p><b>Not covered:</b> sockets a library makes with its own {@code SocketImpl} or {@code DatagramSocketImpl}; a
 * {@code Socket(Proxy)} given a SOCKS or HTTP proxy (the JDK builds it over its own impl without asking the factory,
 * so it stays on the host's stack).
 */
public final class VosSockets {

    /**
     * The system property that makes the client jar's agent install before {@code main}:
     * {@code -javaagent:vos-client.jar -Dvos.net.sockets=true}, for a program whose code cannot be changed.
     */
    public static final String AGENT_PROPERTY = "vos.net.sockets";

    private static boolean installed;

    private VosSockets() {
    }

    /**
     * Whether the {@code Socket} whose impl the factory is making is {@code new Socket(Proxy.NO_PROXY)}: the other
     * constructor that asks the factory, and the one that means "connect directly" (the JDK's {@code URL}
     * connections make theirs so). The factory is not told which constructor called it, so the caller's frame is
     * looked at: once per socket made, never on a call.
     */
    private static boolean madeWithNoProxy() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> f.getDeclaringClass() == Socket.class)
                .findFirst()
                .map(f -> f.getMethodName().equals("<init>")
                        && f.getMethodType().equals(MethodType.methodType(void.class, Proxy.class)))
                .orElse(false));
    }

    /** Installs with the JVM's provider if it is the net provider, else a new one found from the properties. */
    public static void install() throws IOException {
        final SelectorProvider system = SelectorProvider.provider();
        install(system instanceof VosSelectorProvider vos ? vos : new VosSelectorProvider());
    }

    /**
     * Installs with {@code provider}'s domain. {@code IllegalStateException} if this JVM has installed already;
     * the JDK's {@code SocketException("factory already defined")} if other code set a factory first.
     */
    @SuppressWarnings("deprecation") // the JDK's only hook left for Socket's impl; it works on JDK 25
    public static synchronized void install(final VosSelectorProvider provider) throws IOException {
        if (installed) {
            throw new IllegalStateException("VosSockets.install() was called already in this JVM: the JDK takes"
                    + " its socket factories once");
        }
        Socket.setSocketImplFactory(() -> new VosSocketImpl(provider, false, !madeWithNoProxy()));
        try {
            ServerSocket.setSocketFactory(() -> new VosSocketImpl(provider, true));
            DatagramSocket.setDatagramSocketImplFactory(() -> new VosDatagramSocketImpl(provider));
        } catch (IOException e) {
            // Socket's is set and cannot be unset: say so rather than leave half an installation unexplained.
            throw new IOException("java.net.Socket now goes through the net domain, but another socket factory"
                    + " was set by other code: " + e.getMessage(), e);
        }
        installed = true;
    }
}
