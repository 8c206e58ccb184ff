package dev.vos.dashboards;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Debian's {@code prometheus}, run for one test on loopback: scraping the given targets every second, evaluating
 * the given rule file every second, its data in a temporary directory. Stopped (SIGTERM, then SIGKILL) on close.
 */
final class LivePrometheus implements AutoCloseable {

    /** Scrape and evaluation interval: short, so that a run takes seconds. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** What {@code $__rate_interval} stands for here: four scrape intervals, as Grafana makes it at least. */
    static final String RATE_INTERVAL = "4s";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LivePrometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts it and waits until it is ready (at most 60 s). */
    static LivePrometheus start(Path binary, Path dir, List<String> targets, Path ruleFile) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n  - " + Json.quote(ruleFile.toAbsolutePath().toString()) + "\n"
                + "scrape_configs:\n  - job_name: " + Catalog.JOB + "\n    static_configs:\n      - targets: ["
                + targets.stream().map(Json::quote).collect(Collectors.joining(", ")) + "]\n");
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LivePrometheus prometheus = new LivePrometheus(p, port, log);
        try {
            prometheus.awaitReady();
            return prometheus;
        } catch (Exception e) {
            prometheus.close();
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[]{127, 0, 0, 1}))) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited " + process.exitValue() + ": " + log());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus not ready within 60 s: " + log());
    }

    /** Its log so far, for failure messages. */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An instant query's result vector: each element's {@code metric} labels and {@code value}. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        Map<String, Object> body = (Map<String, Object>) JsonReader.parse(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalArgumentException("query failed (" + r.statusCode() + "): " + promql + ": " + r.body());
        }
        Map<String, Object> data = (Map<String, Object>) body.get("data");
        return (List<Map<String, Object>>) data.get("result");
    }

    /**
     * A range query, as Grafana draws a panel: every series over {@code [start, end]} at {@code step}, each with its
     * {@code metric} labels and {@code values} ([time, "value"] pairs).
     */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> queryRange(String promql, java.time.Instant start, java.time.Instant end,
                                         Duration step) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start=" + start.getEpochSecond() + "&end=" + end.getEpochSecond() + "&step=" + step.toSeconds());
        Map<String, Object> body = (Map<String, Object>) JsonReader.parse(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.get("status"))) {
            throw new IllegalArgumentException("query failed (" + r.statusCode() + "): " + promql + ": " + r.body());
        }
        return (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("result");
    }

    /** The active alerts (pending and firing): each with {@code labels} and {@code state}. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> alerts() throws IOException, InterruptedException {
        Map<String, Object> body = (Map<String, Object>) JsonReader.parse(get("/api/v1/alerts").body());
        return (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("alerts");
    }

    /** Polls {@code promql} until its result satisfies {@code until}, at most {@code timeout}; returns the last. */
    List<Map<String, Object>> await(String promql, Predicate<List<Map<String, Object>>> until, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<String, Object>> result = query(promql);
        while (!until.test(result) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            result = query(promql);
        }
        return result;
    }

    /** A panel's query as Grafana sends it with every host and domain selected, on a dashboard of every domain. */
    static String substitute(String expr) {
        return substitute(expr, ".*");
    }

    /** A panel's query as Grafana sends it with every host selected and {@code $domain} as {@code domains}. */
    static String substitute(String expr, String domains) {
        return expr.replace("$__rate_interval", RATE_INTERVAL).replace("$instance", ".*").replace("$domain", domains);
    }

    /** The labels of a result element. */
    @SuppressWarnings("unchecked")
    static Map<String, String> labels(Map<String, Object> element) {
        return (Map<String, String>) (Object) element.get(element.containsKey("metric") ? "metric" : "labels");
    }

    /** The value of a result element (NaN as Prometheus writes it). */
    @SuppressWarnings("unchecked")
    static double value(Map<String, Object> element) {
        return Double.parseDouble((String) ((List<Object>) element.get("value")).get(1));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
