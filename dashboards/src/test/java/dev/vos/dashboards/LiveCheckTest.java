package dev.vos.dashboards;

import dev.vos.client.DomainClient;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.SockaddrLayout;
import dev.vos.ring.CoreCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.CallBatch;
import dev.vos.ring.client.CallSlot;
import dev.vos.ring.client.RingClient;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageFlags;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards and rules against the real thing: two control planes on loopback (each with a storage and a net
 * domain), a client calling each storage domain and one calling each net domain, and Debian's Prometheus scraping
 * both every second. Every panel's query and every rule's series return data; {@code promtool check metrics} passes
 * on a live scrape; then storage0 of host a is killed, and the restart panel and the restart alert show it for host
 * a and not for host b. Needs {@code prometheus} and {@code promtool}; skips, saying so, without them.
 */
@Timeout(300)
class LiveCheckTest {

    @TempDir
    Path dir;

    /** The domains a dashboard of each kind must list: its kind's, and no other. */
    private static final Map<String, List<String>> DOMAINS_OF_KIND = Map.of("storage", List.of("storage0"),
            "net", List.of("net0"));

    private Path spec(String host) throws Exception {
        Path root = dir.resolve(host);
        Files.createDirectories(root.resolve("export"));
        Path spec = root.resolve("host.yaml");
        Files.writeString(spec, """
                version: 1
                controlPlane:
                  stateDir: ./state
                  metricsPort: 0
                supervisor:
                  intensity: 5
                  periodSeconds: 60
                  backoff:
                    initialMs: 50
                    maxMs: 1000
                  hangTimeoutMs: 2000
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
                """);
        return spec;
    }

    /** A client that calls storage0 in bursts until stopped, following it across restarts. */
    private static Thread load(ControlPlane plane, AtomicBoolean stop) {
        return Thread.ofVirtual().start(() -> {
            try (DomainClient storage = DomainClient.forDomain(plane.stateDir(), "storage0",
                    DomainClient.Options.DEFAULT)) {
                while (!stop.get()) {
                    try {
                        for (int i = 0; i < 100; i++) {
                            storage.call(CoreCalls.NOP);
                        }
                        fileCalls(storage);
                    } catch (DomainFailedException e) {
                        // killed: the next burst goes to the next generation
                    }
                    Thread.sleep(5); // a steady load, not a core's worth: the machine is shared
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * File calls, so that the storage panels have something to show: a write and a read of 4 KiB, eight reads
     * submitted together (which the domain may batch), and an open of a file that is not there (ENOENT).
     */
    private static void fileCalls(DomainClient storage) throws DomainFailedException {
        byte[] name = "load.bin".getBytes(StandardCharsets.UTF_8);
        byte[] missing = "not-there".getBytes(StandardCharsets.UTF_8);
        long fd;
        try (CallSlot slot = storage.acquire()) {
            slot.data().copyFrom(MemorySegment.ofArray(name));
            fd = StorageCalls.Open.call(slot, slot.dataOffset(), name.length, StorageFlags.O_RDWR
                    | StorageFlags.O_CREAT, 0644);
            if (fd < 0) {
                return; // a restart meanwhile; the next burst opens it again
            }
            StorageCalls.Pwrite.call(slot, fd, slot.dataOffset(), 4096, 0);
            StorageCalls.Pread.call(slot, fd, slot.dataOffset(), 4096, 0);
            slot.data().copyFrom(MemorySegment.ofArray(missing));
            StorageCalls.Open.call(slot, slot.dataOffset(), missing.length, StorageFlags.O_RDWR, 0);
        }
        RingClient ring = storage.ring();
        if (ring != null) {
            try (CallBatch batch = ring.acquireBatch(8)) {
                for (int i = 0; i < batch.size(); i++) {
                    StorageCalls.Pread.call(batch.queueing(i), fd, batch.slot(i).dataOffset(), 4096, 0);
                }
                batch.submit();
                for (int i = 0; i < batch.size(); i++) {
                    batch.await(i);
                }
            }
        }
        try (CallSlot slot = storage.acquire()) {
            StorageCalls.Close.call(slot, fd);
        }
    }

    /**
     * A client of net0 that, until stopped, every 200 ms connects through net0 to a listener of its own in net0
     * (so net0 both accepts and connects), echoes 4 KiB each way over the connection, and makes one connect that is
     * refused (to {@code refused}, bound by the test and not listening), so that every net panel has data: calls,
     * ECONNREFUSED, bytes both ways, open sockets, accepted and refused connections. Loopback only; bounded by stop.
     */
    private static Thread netLoad(ControlPlane plane, AtomicBoolean stop, InetSocketAddress refused) {
        return Thread.ofVirtual().start(() -> {
            try (DomainClient net = DomainClient.forDomain(plane.stateDir(), "net0", DomainClient.Options.DEFAULT)) {
                long listener = -1;
                InetSocketAddress at = null;
                while (!stop.get()) {
                    try {
                        if (listener < 0) {
                            listener = listen(net);
                            at = listener < 0 ? null : localAddress(net, listener);
                        }
                        if (at != null) {
                            echo(net, listener, at, 4096);
                        }
                        long fd = NetCalls.Socket.call(net, SockaddrLayout.AF_INET, NetCalls.SOCK_STREAM);
                        if (fd >= 0) {
                            connect(net, fd, refused); // -ECONNREFUSED
                            NetCalls.Close.call(net, fd);
                        }
                    } catch (DomainFailedException e) {
                        listener = -1; // a new generation: the listener died with the old one
                    }
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A listening socket in net0 on 127.0.0.1, any port: its number, or -errno. */
    private static long listen(DomainClient net) throws DomainFailedException {
        long fd = NetCalls.Socket.call(net, SockaddrLayout.AF_INET, NetCalls.SOCK_STREAM);
        if (fd < 0) {
            return fd;
        }
        long r;
        try (CallSlot slot = net.acquire()) {
            int n = SockaddrLayout.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), slot.data());
            r = NetCalls.Bind.call(slot, fd, slot.dataOffset(), n);
        }
        if (r == 0) {
            r = NetCalls.Listen.call(net, fd, 4);
        }
        if (r < 0) {
            NetCalls.Close.call(net, fd);
            return r;
        }
        return fd;
    }

    private static InetSocketAddress localAddress(DomainClient net, long fd) throws DomainFailedException {
        try (CallSlot slot = net.acquire()) {
            long n = NetCalls.Getsockname.call(slot, fd, slot.dataOffset(), SockaddrLayout.MAX_BYTES);
            return n < 0 ? null : SockaddrLayout.decode(slot.data(), n);
        }
    }

    private static long connect(DomainClient net, long fd, InetSocketAddress to) throws DomainFailedException {
        try (CallSlot slot = net.acquire()) {
            int n = SockaddrLayout.encode(to, slot.data());
            return NetCalls.Connect.call(slot, fd, slot.dataOffset(), n, 0);
        }
    }

    /** A connection from net0 to net0's {@code listener} at {@code at}, {@code bytes} sent each way, closed. */
    private static void echo(DomainClient net, long listener, InetSocketAddress at, int bytes)
            throws DomainFailedException {
        long client = NetCalls.Socket.call(net, SockaddrLayout.AF_INET, NetCalls.SOCK_STREAM);
        if (client < 0) {
            return;
        }
        try {
            if (connect(net, client, at) != 0) {
                return;
            }
            long served = NetCalls.Accept.call(net, listener, 0, 0, 0);
            if (served < 0) {
                return;
            }
            try {
                if (transfer(net, client, served, bytes)) {
                    transfer(net, served, client, bytes);
                }
            } finally {
                NetCalls.Close.call(net, served);
            }
        } finally {
            NetCalls.Close.call(net, client);
        }
    }

    /** Sends {@code bytes} on {@code from} and receives them all on {@code to}; false if a call failed. */
    private static boolean transfer(DomainClient net, long from, long to, int bytes) throws DomainFailedException {
        try (CallSlot slot = net.acquire()) {
            slot.data().asSlice(0, bytes).fill((byte) 'v');
            long sent = NetCalls.Sendto.call(slot, from, slot.dataOffset(), bytes, 0, 0, 0);
            long got = 0;
            while (sent > 0 && got < sent) {
                long n = NetCalls.Recvfrom.call(slot, to, slot.dataOffset(), sent - got, 0, 0, 0);
                if (n <= 0) {
                    return false;
                }
                got += n;
            }
            return sent > 0;
        }
    }

    @Test
    void everyPanelAndRule_returnsSeries_andAKilledDomainShowsOnItsHostOnly() throws Exception {
        Path prometheusBinary = Tools.find("prometheus").orElse(null);
        Assumptions.assumeTrue(prometheusBinary != null, "prometheus is not installed" + Tools.INSTALL);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        AtomicBoolean stop = new AtomicBoolean();
        try (ControlPlane a = ControlPlane.start(SpecParser.parse(spec("a")), quiet);
             ControlPlane b = ControlPlane.start(SpecParser.parse(spec("b")), quiet);
             Socket notListening = new Socket()) {
            // Bound and never listening: connects to it are refused, and no other program can take the port meanwhile.
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress refused = (InetSocketAddress) notListening.getLocalSocketAddress();
            String hostA = "127.0.0.1:" + a.metricsPort();
            String hostB = "127.0.0.1:" + b.metricsPort();
            List<Thread> clients = List.of(load(a, stop), load(b, stop), netLoad(a, stop, refused),
                    netLoad(b, stop, refused));
            try (LivePrometheus prometheus = LivePrometheus.start(prometheusBinary, dir.resolve("prometheus"),
                    List.of(hostA, hostB), Tools.dashboardsDir().resolve("prometheus/" + Generate.RULE_FILE))) {
                checkMetricsLint(hostA);
                // Enough samples for every window: a rate over $__rate_interval needs two.
                List<Map<String, Object>> scraped = prometheus.await("count_over_time(up{job=\"vos\"}[1m]) >= 8",
                        r -> r.size() == 2, Duration.ofSeconds(90));
                assertEquals(2, scraped.size(), "both control planes scraped 8 times: " + scraped + "\n"
                        + prometheus.log());
                assertNetTrafficCounted(prometheus, hostA, hostB);
                assertEveryQueryReturnsSeries(prometheus, hostA, hostB);
                assertEveryFamilyIsDocumented(scrape(hostA)); // now with every series the load makes
                killAndSeeTheRestart(a, prometheus, hostA, hostB);
            } finally {
                stop.set(true);
                for (Thread t : clients) {
                    t.join(10_000);
                }
            }
        }
    }

    /**
     * Every panel's query, with the variables as Grafana substitutes them for "All", returns series of both hosts
     * (one dashboard serves many hosts), and a dashboard of one kind of domain none of another kind; every rule's
     * series and recorded series return data.
     */
    private static void assertEveryQueryReturnsSeries(LivePrometheus prometheus, String hostA, String hostB)
            throws Exception {
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (Dashboard d : Catalog.dashboards()) {
            String domains = allDomains(prometheus, d);
            for (Panel p : d.panels()) {
                for (Panel.Target t : p.targets()) {
                    queries++;
                    String q = LivePrometheus.substitute(t.expr(), domains);
                    // The perf series appear a poll after a domain is attached: wait a little for them.
                    List<Map<String, Object>> r = prometheus.await(q, x -> hosts(x).containsAll(List.of(hostA,
                            hostB)), Duration.ofSeconds(10));
                    if (!hosts(r).containsAll(List.of(hostA, hostB))) {
                        empty.add(d.title() + " / " + p.title() + ": " + q + " shows hosts " + hosts(r));
                    }
                    if (!d.domainKind().isEmpty()) {
                        List<String> others = r.stream().map(x -> LivePrometheus.labels(x).get("domain"))
                                .filter(x -> !DOMAINS_OF_KIND.get(d.domainKind()).contains(x)).distinct().toList();
                        if (!others.isEmpty()) {
                            empty.add(d.title() + " / " + p.title() + ": " + q + " shows " + others + ", not "
                                    + d.domainKind() + " domains");
                        }
                    }
                }
            }
        }
        for (AlertRule rule : Catalog.alerts()) {
            queries++;
            if (prometheus.query(rule.series()).isEmpty()) {
                empty.add("alert " + rule.name() + ": " + rule.series());
            }
        }
        for (RecordingRule rule : Catalog.recordingRules()) {
            queries += 2;
            if (prometheus.query(rule.expr()).isEmpty()) {
                empty.add("recording rule " + rule.record() + ": " + rule.expr());
            }
            if (prometheus.await(rule.record(), r -> !r.isEmpty(), Duration.ofSeconds(10)).isEmpty()) {
                empty.add("recorded series " + rule.record() + " (rule evaluation)");
            }
        }
        assertTrue(empty.isEmpty(), empty.size() + " of " + queries + " queries returned no series:\n"
                + String.join("\n", empty));
    }

    /**
     * net0 of each host served real socket calls, and counted them: a panel's rate of a counter that stays at 0 is
     * still a series, so "returns data" alone would pass with a net0 that serves nothing (as it did while the live
     * check's class path lacked the net domain's calls, and its agent served the core calls alone).
     */
    private static void assertNetTrafficCounted(LivePrometheus prometheus, String hostA, String hostB)
            throws Exception {
        List<String> missing = new ArrayList<>();
        for (String counted : List.of("vos_ring_read_bytes_total", "vos_ring_written_bytes_total",
                "vos_net_connections_accepted_total", "vos_net_connections_refused_total",
                "vos_ring_call_errors_total{errno=\"ECONNREFUSED\"}")) {
            String q = counted.contains("{") ? counted.replace("{", "{domain=\"net0\",") + " > 0"
                    : counted + "{domain=\"net0\"} > 0";
            List<Map<String, Object>> r = prometheus.await(q, x -> hosts(x).containsAll(List.of(hostA, hostB)),
                    Duration.ofSeconds(20));
            if (!hosts(r).containsAll(List.of(hostA, hostB))) {
                missing.add(q + " shows hosts " + hosts(r));
            }
        }
        assertEquals(List.of(), missing, "net0's traffic, counted on both hosts; its errors: "
                + prometheus.query("vos_ring_call_errors_total{domain=\"net0\"}") + ", its calls: "
                + prometheus.query("vos_ring_calls_total{domain=\"net0\"}"));
    }

    private static void killAndSeeTheRestart(ControlPlane a, LivePrometheus prometheus, String hostA, String hostB)
            throws Exception {
        DomainStatus before = status(a, "storage0");
        java.time.Instant killedAt = java.time.Instant.now();
        ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(status(a, "storage0").state() == DomainState.RUNNING
                && status(a, "storage0").generation() > before.generation()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before.generation() + 1, status(a, "storage0").generation(), "storage0 of host a restarted");

        // The Restarts panel as Grafana draws it: a range query from before the kill to now, one point a second.
        String restarts = Catalog.host().panels().stream().filter(p -> p.title().equals("Restarts")).findFirst()
                .orElseThrow().targets().getFirst().expr();
        java.time.Instant from = killedAt.minusSeconds(10);
        List<Map<String, Object>> shown = List.of();
        long panelDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < panelDeadline) {
            shown = prometheus.queryRange(LivePrometheus.substitute(restarts), from, java.time.Instant.now(),
                    Duration.ofSeconds(1)).stream().filter(LiveCheckTest::anyAboveZero).toList();
            if (!shown.isEmpty()) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals(1, shown.size(), "the restart panel shows one series above 0: " + shown
                + "\nscrapes of host a in the last 30 s: " + prometheus.query("count_over_time(up{instance=\""
                + hostA + "\"}[30s])") + "\nits restart counters over 30 s: "
                + prometheus.query("vos_domain_restarts_total{instance=\"" + hostA + "\"}[30s]") + "\n"
                + prometheus.log());
        Map<String, String> labels = LivePrometheus.labels(shown.getFirst());
        assertEquals(Map.of("instance", hostA, "domain", "storage0", "reason", "exit"), labels);

        long alertDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Map<String, Object>> restarted;
        do {
            restarted = prometheus.alerts().stream()
                    .filter(x -> "VosDomainRestarted".equals(LivePrometheus.labels(x).get("alertname"))).toList();
            if (restarted.stream().anyMatch(x -> "firing".equals(x.get("state")))) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < alertDeadline);
        assertEquals(1, restarted.size(), "one VosDomainRestarted alert: " + restarted);
        assertEquals("firing", restarted.getFirst().get("state"));
        assertEquals(hostA, LivePrometheus.labels(restarted.getFirst()).get("instance"),
                "it fires for host a (" + hostA + "), not host b (" + hostB + ")");
        assertEquals("storage0", LivePrometheus.labels(restarted.getFirst()).get("domain"));
    }

    /**
     * What Grafana puts for {@code $domain} with "All" selected: {@code .*} on a dashboard of every domain, and on a
     * dashboard of one kind the alternation of the domains its variable lists.
     */
    private static String allDomains(LivePrometheus prometheus, Dashboard d) throws Exception {
        if (d.domainKind().isEmpty()) {
            return ".*";
        }
        String series = LivePrometheus.substitute(d.domainSeries(), ".*");
        List<String> names = prometheus.await(series, r -> !r.isEmpty(), Duration.ofSeconds(10)).stream()
                .map(x -> LivePrometheus.labels(x).get("domain")).distinct().sorted().toList();
        assertEquals(DOMAINS_OF_KIND.get(d.domainKind()), names, d.title() + "'s domains");
        return "(" + String.join("|", names) + ")";
    }

    private static java.util.Set<String> hosts(List<Map<String, Object>> result) {
        return result.stream().map(x -> LivePrometheus.labels(x).get("instance")).collect(
                java.util.stream.Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static boolean anyAboveZero(Map<String, Object> series) {
        return ((List<Object>) series.get("values")).stream()
                .anyMatch(v -> Double.parseDouble((String) ((List<Object>) v).get(1)) > 0);
    }

    private static DomainStatus status(ControlPlane plane, String domain) {
        return plane.ps().stream().filter(s -> s.name().equals(domain)).findFirst().orElseThrow();
    }

    /** {@code promtool check metrics} on what the control plane serves, as Prometheus's own lint. */
    private static void checkMetricsLint(String host) throws Exception {
        Path promtool = PromtoolTest.promtool();
        String scrape = scrape(host);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(scrape.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out);
        assertTrue(scrape.contains("vos_ring_calls_total{domain=\"storage0\""), scrape);
    }

    private static String scrape(String host) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /**
     * Every vos metric a live control plane serves is in docs/operations.md's list (by its name in backquotes;
     * Micrometer's {@code _max} of a histogram under the histogram's), so the operators' list cannot miss one.
     */
    private static void assertEveryFamilyIsDocumented(String scrape) throws Exception {
        String doc = Files.readString(Tools.dashboardsDir().resolveSibling("docs").resolve("operations.md"));
        List<String> missing = new ArrayList<>();
        java.util.regex.Matcher type = java.util.regex.Pattern.compile("(?m)^# TYPE (vos_[a-z_]+) [a-z]+$")
                .matcher(scrape);
        int families = 0;
        while (type.find()) {
            families++;
            String name = type.group(1);
            if (!doc.contains("`" + name + "`") && !doc.contains("`" + name.replaceFirst("_max$", "") + "`")) {
                missing.add(name);
            }
        }
        assertTrue(families >= 20, "a scrape with every family: " + families);
        assertEquals(List.of(), missing, "served but not in docs/operations.md's list of metrics");
    }
}
