package dev.vos.client.net;

import dev.vos.client.net.SocksServer.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plain {@code Socket} whose program names a SOCKS proxy (the default {@code ProxySelector}, as
 * {@code -DsocksProxyHost} sets it): the JDK's own socket and net0's ({@link VosSocketImpl}, as
 * {@link VosSockets#install()} makes it) connect through the same test proxy, and every scenario must see the same:
 * what the proxy was asked, the bytes echoed through it, and each failure's exception and text. Before
 * {@link SocksConnect}, net0's socket went straight to the target and the proxy saw nothing.
 */
@Timeout(120)
class SocksDifferentialTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    static final Net0Fixture NET0 = new Net0Fixture();

    private static ServerSocket echo;

    @BeforeAll
    static void echoServer() throws IOException {
        echo = new ServerSocket(0, 50, LOOPBACK);
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    final Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // the client went
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterAll
    static void stopEcho() throws IOException {
        echo.close();
    }

    private static InetSocketAddress echoAddress() {
        return (InetSocketAddress) echo.getLocalSocketAddress();
    }

    /** How a scenario's selector answers, given the proxy the scenario started. */
    private interface Route {
        List<Proxy> proxies(InetSocketAddress proxy) throws IOException;
    }

    private static final Route THE_PROXY = proxy -> List.of(new Proxy(Proxy.Type.SOCKS, proxy));

    /** The scenario on the JDK's own socket, then on net0's: the same lines. */
    private static List<String> same(final Answer answer, final Route route, final SocketAddress target,
                                     final int timeoutMs) throws Exception {
        final List<String> jdk = scenario(new Socket(), answer, route, target, timeoutMs);
        // net0's texts add the errno and the call the domain answered (NetErrors): the JDK's text comes first.
        final List<String> net0 = scenario(new NetSocket(new VosSocketImpl(NET0.provider(), false)), answer, route,
                target, timeoutMs).stream().map(l -> l.replaceAll(" \\([A-Z]+ from the net domain's \\w+\\)", ""))
                .toList();
        assertEquals(jdk, net0, "the JDK's socket saw " + jdk + ", net0's " + net0);
        return net0;
    }

    private static List<String> scenario(final Socket socket, final Answer answer, final Route route,
                                         final SocketAddress target, final int timeoutMs) throws Exception {
        final List<String> seen = new ArrayList<>();
        final ProxySelector before = ProxySelector.getDefault();
        try (SocksServer proxy = new SocksServer(answer, Map.of("echo.test", echoAddress()))) {
            final List<Proxy> proxies = route.proxies(proxy.address());
            final List<String> failed = Collections.synchronizedList(new ArrayList<>());
            ProxySelector.setDefault(new ProxySelector() {
                @Override
                public List<Proxy> select(final URI uri) {
                    seen.add("selector asked for " + uri.getScheme() + "://" + uri.getHost() + ":"
                            + (uri.getPort() == echoAddress().getPort() ? "ECHO" : uri.getPort()));
                    return proxies;
                }

                @Override
                public void connectFailed(final URI uri, final SocketAddress sa, final IOException e) {
                    failed.add("connectFailed " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            });
            try {
                socket.connect(target, timeoutMs);
                seen.add("connected to " + socket.getInetAddress() + " port "
                        + (socket.getPort() == echoAddress().getPort() ? "ECHO" : socket.getPort()));
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("hello through the proxy".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                seen.add("echoed " + new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                seen.add(e.getClass().getName() + ": " + e.getMessage() + " closed=" + socket.isClosed()
                        + " connected=" + socket.isConnected());
            } finally {
                socket.close();
                ProxySelector.setDefault(before);
            }
            seen.addAll(failed);
            Thread.sleep(50); // the proxy's records of a connection the client just ended
            seen.add("the proxy saw " + proxy.seen().toString().replace(":" + echoAddress().getPort(), ":ECHO"));
        }
        return seen;
    }

    private static InetSocketAddress echoTarget() {
        return new InetSocketAddress(LOOPBACK, echoAddress().getPort());
    }

    @Test
    void socks5_connectsThroughTheProxy_andEchoes() throws Exception {
        final List<String> seen = same(Answer.GRANT, THE_PROXY, echoTarget(), 5_000);
        assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
        assertTrue(seen.getLast().contains("v5 command 1 to 127.0.0.1:ECHO"), seen.toString());
    }

    @Test
    void socks5_aNameLeftUnresolved_isResolvedByTheProxy() throws Exception {
        final List<String> seen = same(Answer.GRANT, THE_PROXY,
                InetSocketAddress.createUnresolved("echo.test", echoAddress().getPort()), 0);
        assertTrue(seen.getLast().contains("to name echo.test:ECHO"), seen.toString());
        assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
    }

    @Test
    void socks5_aUserNameAndPassword_fromTheAuthenticator() throws Exception {
        final List<String> seen = withPassword("secret");
        assertTrue(seen.getLast().contains("auth v1 alice:secret"), seen.toString());
        assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
    }

    @Test
    void socks5_aWrongPassword_failsTheConnect() throws Exception {
        final List<String> seen = withPassword("guess");
        assertTrue(seen.stream().anyMatch(l -> l.contains("SOCKS : authentication failed")), seen.toString());
    }

    /** The password scenario with the default {@code Authenticator} answering alice and {@code password}. */
    private static List<String> withPassword(final String password) throws Exception {
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("alice", password.toCharArray());
            }
        });
        try {
            return same(Answer.PASSWORD, THE_PROXY, echoTarget(), 5_000);
        } finally {
            Authenticator.setDefault(null);
        }
    }

    @Test
    void socks4_whenSocksProxyVersionSaysSo() throws Exception {
        System.setProperty("socksProxyVersion", "4");
        try {
            final List<String> seen = same(Answer.GRANT, THE_PROXY, echoTarget(), 5_000);
            assertTrue(seen.getLast().contains("v4 command 1 to 127.0.0.1:ECHO user "), seen.toString());
            assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
            same(Answer.GRANT, THE_PROXY, InetSocketAddress.createUnresolved("echo.test", 7), 5_000);
            same(Answer.REFUSE, THE_PROXY, echoTarget(), 5_000);
        } finally {
            System.clearProperty("socksProxyVersion");
        }
    }

    @Test
    void socks4_afterAServerThatDoesNotSpeak5() throws Exception {
        final List<String> seen = same(Answer.ONLY_V4, THE_PROXY, echoTarget(), 5_000);
        assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
    }

    @Test
    void theProxysRefusals_areTheJdksExceptions() throws Exception {
        final List<String> refused = same(Answer.REFUSE, THE_PROXY, echoTarget(), 5_000);
        assertTrue(refused.stream().anyMatch(l -> l.contains("SOCKS: Connection refused")), refused.toString());
        same(Answer.NO_METHODS, THE_PROXY, echoTarget(), 5_000);
        same(Answer.BAD_ADDRESS_TYPE, THE_PROXY, echoTarget(), 5_000);
    }

    @Test
    void aProxyThatNeverAnswers_timesTheConnectOut() throws Exception {
        final List<String> seen = same(Answer.SILENT, THE_PROXY, echoTarget(), 500);
        assertTrue(seen.stream().anyMatch(l -> l.contains("SocketTimeoutException: Connect timed out")),
                seen.toString());
    }

    @Test
    void aProxyNotListening_isCantConnect_andTheSelectorIsTold() throws Exception {
        final int closed;
        try (ServerSocket gone = new ServerSocket(0, 1, LOOPBACK)) {
            closed = gone.getLocalPort();
        }
        final List<String> seen = same(Answer.GRANT,
                proxy -> List.of(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(LOOPBACK, closed))),
                echoTarget(), 5_000);
        assertTrue(seen.stream().anyMatch(l -> l.contains("Can't connect to SOCKS proxy")), seen.toString());
        assertTrue(seen.stream().anyMatch(l -> l.startsWith("connectFailed")), seen.toString());
        same(Answer.GRANT, proxy -> List.of(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(LOOPBACK, closed)),
                new Proxy(Proxy.Type.SOCKS, proxy)), echoTarget(), 5_000);
    }

    @Test
    void aDirectAnswer_connectsStraightToTheTarget() throws Exception {
        final List<String> seen = same(Answer.GRANT, proxy -> List.of(Proxy.NO_PROXY), echoTarget(), 5_000);
        assertEquals("the proxy saw []", seen.getLast());
        assertTrue(seen.contains("echoed hello through the proxy"), seen.toString());
        same(Answer.GRANT, proxy -> List.of(), echoTarget(), 5_000);
    }

    /** A {@code Socket} over a given impl (the constructor is protected), as the impl factory would make it. */
    private static final class NetSocket extends Socket {
        NetSocket(final VosSocketImpl impl) throws IOException {
            super(impl);
        }
    }
}
