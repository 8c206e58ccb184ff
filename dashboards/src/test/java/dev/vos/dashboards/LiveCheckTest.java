package dev.vos.dashboards;

import dev.vos.client.DomainClient;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.spec.SpecParser;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;
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
 * The dashboards and rules against the real thing: two control planes on loopback (host a with a storage and a net
 * domain, host b with a storage domain), a client calling each storage domain, and Debian's Prometheus scraping
 * both every second. Every panel's query and every rule's series return data; {@code promtool check metrics} passes
 * on a live scrape; then storage0 of host a is killed, and the restart panel and the restart alert show it for host
 * a and not for host b. Needs {@code prometheus} and {@code promtool}; skips, saying so, without them.
 */
@Timeout(300)
class LiveCheckTest {

    @TempDir
    Path dir;

    private Path spec(String host, boolean net) throws Exception {
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
                """ + (net ? """
                  - name: net0
                    kind: net
                    backend: process
                    resources:
                      memoryMb: 64
                    net:
                      bind: [127.0.0.1]
                """ : ""));
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

    @Test
    void everyPanelAndRule_returnsSeries_andAKilledDomainShowsOnItsHostOnly() throws Exception {
        Path prometheusBinary = Tools.find("prometheus").orElse(null);
        Assumptions.assumeTrue(prometheusBinary != null, "prometheus is not installed" + Tools.INSTALL);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        AtomicBoolean stop = new AtomicBoolean();
        try (ControlPlane a = ControlPlane.start(SpecParser.parse(spec("a", true)), quiet);
             ControlPlane b = ControlPlane.start(SpecParser.parse(spec("b", false)), quiet)) {
            String hostA = "127.0.0.1:" + a.metricsPort();
            String hostB = "127.0.0.1:" + b.metricsPort();
            List<Thread> clients = List.of(load(a, stop), load(b, stop));
            try (LivePrometheus prometheus = LivePrometheus.start(prometheusBinary, dir.resolve("prometheus"),
                    List.of(hostA, hostB), Tools.dashboardsDir().resolve("prometheus/" + Generate.RULE_FILE))) {
                checkMetricsLint(hostA);
                // Enough samples for every window: a rate over $__rate_interval needs two.
                List<Map<String, Object>> scraped = prometheus.await("count_over_time(up{job=\"vos\"}[1m]) >= 8",
                        r -> r.size() == 2, Duration.ofSeconds(90));
                assertEquals(2, scraped.size(), "both control planes scraped 8 times: " + scraped + "\n"
                        + prometheus.log());
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
                    if (!d.domainKind().isEmpty() && r.stream().anyMatch(x -> "net0".equals(
                            LivePrometheus.labels(x).get("domain")))) {
                        empty.add(d.title() + " / " + p.title() + ": " + q + " shows net0, not a "
                                + d.domainKind() + " domain");
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
        assertTrue(!names.isEmpty() && !names.contains("net0"), d.title() + "'s domains: " + names);
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
