package dev.vos.cli;

import dev.vos.client.DomainClient;
import dev.vos.client.net.VosSelectorProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlError;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vos net ss} against a real control plane and a real net domain (its own mount and pid namespaces, as by
 * default): a client of this JVM with a listener and connections through net0, one of them from a peer outside.
 */
@Timeout(120)
class NetSsTest {

    @TempDir
    Path dir;
    private ControlPlane plane;

    @AfterEach
    void down() throws Exception {
        if (plane != null) {
            plane.close();
        }
    }

    private void up() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        Path spec = Files.writeString(dir.resolve("host.yaml"), """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                domains:
                  - name: storage0
                    kind: storage
                    backend: process
                    resources:
                      memoryMb: 64
                    storage:
                      exportRoot: ./export
                  - name: net0
                    kind: net
                    backend: process
                    resources:
                      memoryMb: 64
                    net:
                      bind: [127.0.0.1]
                      unix: [./unix]
                """);
        plane = ControlPlane.start(SpecParser.parse(spec), new PrintStream(OutputStream.nullOutputStream()));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!plane.ps().stream().allMatch(s -> s.state() == DomainState.RUNNING)) {
            assertTrue(System.nanoTime() < deadline, "domains not RUNNING: " + plane.ps());
            Thread.sleep(20);
        }
    }

    @Test
    void listsEachSessionsSockets_withStateQueuesAddressesAndTheClientsPid() throws Exception {
        up();
        long me = ProcessHandle.current().pid();
        try (DomainClient net = DomainClient.forDomain(plane.stateDir(), "net0", DomainClient.Options.DEFAULT)) {
            VosSelectorProvider provider = new VosSelectorProvider(net);
            try (ServerSocketChannel listener = provider.openServerSocketChannel()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 SocketChannel client = provider.openSocketChannel()) {
                int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                client.connect(listener.getLocalAddress());
                try (SocketChannel served = listener.accept();
                     Socket outside = new Socket(InetAddress.getLoopbackAddress(), port);
                     SocketChannel fromOutside = listener.accept()) {
                    client.write(ByteBuffer.wrap(new byte[5])); // 5 bytes wait, unread, in served's receive queue
                    outside.getOutputStream().write(new byte[7]);
                    waitForQueue(2);

                    // A Unix domain listener and a connection, whose path the table names as ss -x does.
                    String path = dir.resolve("unix/a.sock").toString();
                    ServerSocketChannel unix = provider.openServerSocketChannel(StandardProtocolFamily.UNIX);
                    unix.bind(UnixDomainSocketAddress.of(path));
                    SocketChannel unixClient = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                    unixClient.connect(UnixDomainSocketAddress.of(path));
                    SocketChannel unixServed = unix.accept();
                    unixClient.write(ByteBuffer.wrap(new byte[3]));
                    waitForQueue(3);
                    // One more that the listener has not accepted: its Recv-Q, as ss -xl counts it.
                    SocketChannel unixWaiting = provider.openSocketChannel(StandardProtocolFamily.UNIX);
                    unixWaiting.connect(UnixDomainSocketAddress.of(path));

                    String table = cli(0, "net", "ss", "net0", "--state-dir", plane.stateDir().toString());
                    String unixJson = cli(0, "net", "ss", "net0", "--json", "--state-dir",
                            plane.stateDir().toString());
                    List<String> unixListeners = cli(0, "net", "ss", "net0", "-x", "-l", "--state-dir",
                            plane.stateDir().toString()).strip().lines().toList();
                    List<String> tcpOnly = cli(0, "net", "ss", "net0", "--tcp", "--state-dir",
                            plane.stateDir().toString()).strip().lines().toList();
                    unixServed.close();
                    unixClient.close();
                    unixWaiting.close();
                    unix.close();
                    List<String> lines = table.lines().toList();
                    assertTrue(lines.getFirst().matches("Netid +State +Recv-Q +Send-Q +Local Address:Port +Peer"
                            + " Address:Port +Process"), table);
                    String pid = "pid=" + me + ",";
                    String local = "127.0.0.1:" + port;
                    assertRow(lines, "LISTEN", local, "*:*", pid);
                    int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                    assertRow(lines, "ESTAB", "127.0.0.1:" + clientPort, local, pid);
                    assertRow(lines, "ESTAB +5 +0", local, "127.0.0.1:" + clientPort, pid);
                    assertRow(lines, "ESTAB +7 +0", local, "127.0.0.1:" + outside.getLocalPort(), pid);
                    // A Unix socket's addresses end in inodes, its own and its peer's, as ss -x writes them.
                    List<UnixRow> unixRows = unixRows(lines, pid);
                    assertEquals(4, unixRows.size(), table);
                    // The connection waiting to be accepted, and the backlog (the JDK's 50), from sock_diag.
                    UnixRow listenerRow = only(unixRows, "LISTEN", 1, 50, path, "*");
                    assertEquals(0, listenerRow.peerInode(), "a listener has no peer");
                    UnixRow servedRow = only(unixRows, "ESTAB", 3, 0, path, "*");
                    // Its Send-Q is the kernel's SIOCOUTQ of a Unix socket: bytes held for the peer, with overhead.
                    UnixRow clientRow = unixRows.stream().filter(u -> u.inode() == servedRow.peerInode()).findFirst()
                            .orElseThrow(() -> new AssertionError("no row of the served end's peer:\n" + table));
                    assertEquals(new UnixRow("ESTAB", 0, clientRow.sendQ(), "*", clientRow.inode(), path,
                            servedRow.inode()), clientRow, "the two ends of a connection name each other");
                    assertTrue(clientRow.sendQ() > 0, table);
                    UnixRow waitingRow = unixRows.stream()
                            .filter(u -> u != listenerRow && u != servedRow && u != clientRow)
                            .findFirst().orElseThrow();
                    assertEquals(List.of("ESTAB", "*", path),
                            List.of(waitingRow.state(), waitingRow.local(), waitingRow.peer()));
                    assertEquals(0, waitingRow.peerInode(), "its other end has no inode until it is accepted");
                    assertEquals(4, unixRows.stream().mapToLong(UnixRow::inode).filter(i -> i > 0).distinct().count(),
                            table);
                    assertEquals(9, lines.size(), "a header and eight sockets:\n" + table);
                    assertEquals(2, unixListeners.size(), "a header and the Unix listener: " + unixListeners);
                    assertTrue(unixListeners.get(1).startsWith("u_str  LISTEN"), unixListeners.get(1));
                    assertEquals(5, tcpOnly.size(), "a header and the four TCP sockets: " + tcpOnly);
                    assertTrue(tcpOnly.stream().skip(1).allMatch(l -> l.startsWith("tcp ")), tcpOnly.toString());

                    String json = cli(0, "net", "ss", "net0", "--json", "--state-dir", plane.stateDir().toString());
                    assertTrue(json.contains("\"state\": \"LISTEN\", \"recvQ\": 0, \"sendQ\": 50, \"local\": \""
                            + local + "\", \"peer\": \"*:*\", \"inode\": 0, \"peerInode\": 0}"), json);
                    assertTrue(json.contains("\"pid\": " + me + ","), json);
                    assertTrue(unixJson.contains("\"peer\": \"*\", \"inode\": " + servedRow.inode()
                            + ", \"peerInode\": " + clientRow.inode() + "}"), unixJson);
                }
            }
        }
        assertEquals("Netid  State  Recv-Q  Send-Q  Local Address:Port  Peer Address:Port  Process",
                cli(0, "net", "ss", "net0", "--state-dir", plane.stateDir().toString()).strip(),
                "the session's sockets closed with its channels");
    }

    @Test
    void onlyNetDomains_andOnlyRunningOnes_andOnlyForTheControlPlane() throws Exception {
        up();
        String state = plane.stateDir().toString();
        assertTrue(cli(2, "net", "ss", "storage0", "--state-dir", state).contains("storage0 is a storage domain"));
        assertTrue(cli(2, "net", "ss", "nope", "--state-dir", state).contains("no domain named 'nope'"));
        plane.handle(new Command.Stop("net0"));
        ControlException e = assertThrows(ControlException.class, () -> plane.handle(new Command.Sessions("net0")));
        assertEquals(ControlError.NOT_RUNNING, e.error());
        // A client of the domain asking the agent itself is refused: SESSIONS answers the supervisor's session only.
        try (DomainClient storage = DomainClient.forDomain(plane.stateDir(), "storage0",
                DomainClient.Options.DEFAULT)) {
            try (var slot = storage.acquire()) {
                assertEquals(-dev.vos.sys.Errno.EPERM, slot.call(dev.vos.ring.CoreCalls.SESSIONS, slot.dataOffset(),
                        slot.data().byteSize(), 0));
            }
        }
    }

    /** Waits (bounded) until the bytes sent have reached the domain's sockets. */
    /** Waits until {@code count} connections show bytes unread (3, 5 or 7: what the test sent them). */
    private void waitForQueue(int count) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String table = cli(0, "net", "ss", "net0", "--state-dir", plane.stateDir().toString());
            if (table.lines().filter(l -> l.matches("\\S+ +ESTAB +[357] .*")).count() == count) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the bytes never showed in the queues:\n" + table);
            Thread.sleep(20);
        }
    }

    private static void assertRow(List<String> lines, String stateAndQueues, String local, String peer,
                                  String process) {
        String pattern = "tcp +" + stateAndQueues + " .*" + Pattern.quote(local) + " +"
                + Pattern.quote(peer) + " +" + Pattern.quote(process) + ".*";
        assertTrue(lines.stream().anyMatch(l -> l.matches(pattern)), pattern + " in:\n" + String.join("\n", lines));
    }

    /** A Unix domain socket's row of the table: its state, queues, path and inode, and its peer's. */
    private record UnixRow(String state, long recvQ, long sendQ, String local, long inode, String peer,
                           long peerInode) {
    }

    private static final Pattern UNIX_ROW = Pattern.compile(
            "u_str +(\\S+) +(\\d+) +(\\d+) +(\\S+) (\\d+) +(\\S+) (\\d+) +(\\S+)");

    /** The u_str rows of the table, each checked to be of {@code process}'s session. */
    private static List<UnixRow> unixRows(List<String> lines, String process) {
        List<UnixRow> rows = new ArrayList<>();
        for (String line : lines) {
            Matcher m = UNIX_ROW.matcher(line);
            if (line.startsWith("u_str")) {
                assertTrue(m.matches() && m.group(8).startsWith(process), line);
                rows.add(new UnixRow(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4),
                        Long.parseLong(m.group(5)), m.group(6), Long.parseLong(m.group(7))));
            }
        }
        return rows;
    }

    private static UnixRow only(List<UnixRow> rows, String state, long recvQ, long sendQ, String local, String peer) {
        List<UnixRow> matching = rows.stream().filter(u -> u.state().equals(state) && u.recvQ() == recvQ
                && u.sendQ() == sendQ && u.local().equals(local) && u.peer().equals(peer)).toList();
        assertEquals(1, matching.size(), state + " " + recvQ + " " + sendQ + " " + local + " " + peer + " in " + rows);
        assertTrue(matching.getFirst().inode() > 0, "the domain names its socket's inode: " + matching);
        return matching.getFirst();
    }

    private static String cli(int expectedStatus, String... args) {
        StringWriter out = new StringWriter();
        int status = VosCli.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        assertEquals(expectedStatus, status, "vos " + String.join(" ", args) + ":\n" + out);
        return out.toString();
    }
}
