package dev.vos.controlplane.status;

import dev.vos.controlplane.journal.JournalEvent;
import dev.vos.controlplane.metrics.RingFigures;
import dev.vos.controlplane.supervisor.DomainState;
import dev.vos.controlplane.supervisor.DomainStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The control plane's status page, served beside {@code /metrics} on the same loopback port: {@code /} is one
 * self-contained HTML page (its script and styles inline, no fonts, nothing fetched from elsewhere, so it works on
 * an air-gapped host), which reads {@code /status.json} every second and draws the domains (state, generation,
 * pid, standby, uptime, restarts, last exit), the journal's recent events, and small charts of calls per second, mean
 * service time and restarts over the last five minutes. The figures are the control plane's own, sampled once a
 * second ({@link StatusHistory}); no Prometheus is needed to see them.
 *
 * <p>The page puts every string it receives into the document as text, never as markup: an exit reason or a log
 * line cannot inject anything.
 */
public final class StatusPage implements AutoCloseable {

    /** The page's path. */
    public static final String PATH = "/";
    /** Its data's path. */
    public static final String JSON_PATH = "/status.json";
    /** Recent journal events kept for the page. */
    static final int EVENTS = 20;
    private static final String HTML = loadHtml();

    private final StatusHistory history = new StatusHistory();
    private final Deque<JournalEvent> events = new ArrayDeque<>();
    private final Thread sampler;
    private volatile Supplier<List<DomainStatus>> domains = List::of;
    private volatile Function<String, RingFigures> figures = d -> null;
    private volatile boolean open = true;

    public StatusPage() {
        this.sampler = Thread.ofPlatform().name("vos-status-sampler").daemon().unstarted(this::sample);
    }

    /** Where the page's figures come from; samples them once a second from now on. */
    public void start(Supplier<List<DomainStatus>> domains, Function<String, RingFigures> figures) {
        this.domains = Objects.requireNonNull(domains, "domains");
        this.figures = Objects.requireNonNull(figures, "figures");
        sampler.start();
    }

    /** Keeps {@code event} among the recent ones the page shows. */
    public synchronized void event(JournalEvent event) {
        events.addLast(event);
        while (events.size() > EVENTS) {
            events.removeFirst();
        }
    }

    private void sample() {
        while (open) {
            long now = System.currentTimeMillis();
            try {
                for (DomainStatus s : domains.get()) {
                    history.add(now, s, figures.apply(s.name()));
                }
            } catch (RuntimeException e) {
                // a status read during shutdown; the next round tries again
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The page. */
    public String html() {
        return HTML;
    }

    /** The page's data as JSON. */
    public String json() {
        Instant now = Instant.now();
        StringBuilder j = new StringBuilder(4096).append("{\"time\":").append(str(now.toString()));
        j.append(",\"domains\":[");
        List<DomainStatus> all = domains.get();
        for (int i = 0; i < all.size(); i++) {
            DomainStatus s = all.get(i);
            double uptime = s.state() == DomainState.RUNNING
                    ? Math.max(0, Duration.between(s.since(), now).toMillis() / 1000.0) : 0;
            j.append(i == 0 ? "" : ",").append("{\"name\":").append(str(s.name()))
                    .append(",\"kind\":").append(str(s.kind()))
                    .append(",\"state\":").append(str(s.state().name()))
                    .append(",\"generation\":").append(s.generation())
                    .append(",\"pid\":").append(s.pid())
                    .append(",\"uptimeSeconds\":").append(String.format(Locale.ROOT, "%.1f", uptime))
                    .append(",\"restarts\":").append(s.restarts())
                    .append(",\"lastExit\":").append(str(s.lastExit()))
                    .append(",\"reason\":").append(str(s.reason()))
                    .append(",\"standby\":").append(str(s.standby().name()))
                    .append(",\"standbyPid\":").append(s.standbyPid()).append('}');
        }
        j.append("],\"events\":[");
        synchronized (this) {
            int i = 0;
            for (JournalEvent e : events.reversed()) {
                j.append(i++ == 0 ? "" : ",").append("{\"time\":").append(str(e.time().toString()))
                        .append(",\"domain\":").append(str(e.domain()))
                        .append(",\"generation\":").append(e.generation())
                        .append(",\"type\":").append(str(e.type().name()))
                        .append(",\"detail\":").append(str(e.detail())).append('}');
            }
        }
        j.append("],\"history\":{");
        int d = 0;
        for (Map.Entry<String, List<StatusHistory.Point>> e : history.points().entrySet()) {
            j.append(d++ == 0 ? "" : ",").append(str(e.getKey())).append(":[");
            List<StatusHistory.Point> points = e.getValue();
            for (int i = 0; i < points.size(); i++) {
                StatusHistory.Point p = points.get(i);
                j.append(i == 0 ? "" : ",").append('[').append(p.timeMs()).append(',')
                        .append(String.format(Locale.ROOT, "%.1f", p.callsPerSecond())).append(',')
                        .append(Double.isNaN(p.meanServiceSeconds()) ? "null"
                                : String.format(Locale.ROOT, "%.9f", p.meanServiceSeconds()))
                        .append(',').append(p.restarts()).append(']');
            }
            j.append(']');
        }
        return j.append("}}").toString();
    }

    /** {@code s} as a JSON string. */
    static String str(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '<' -> out.append("\\u003c"); // never a closing script tag, wherever the JSON ends up
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String loadHtml() {
        try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
            return new String(Objects.requireNonNull(in, "status.html").readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        open = false;
        sampler.interrupt();
    }
}
