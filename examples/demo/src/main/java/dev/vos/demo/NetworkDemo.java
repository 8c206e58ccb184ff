package dev.vos.demo;

import dev.vos.client.net.VosSelectorProvider;
import dev.vos.controlplane.ControlPlane;
import dev.vos.controlplane.control.Command;
import dev.vos.controlplane.control.ControlException;
import dev.vos.controlplane.supervisor.StandbyState;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The network step of {@code vos demo}: {@link ServedHttpApp} (the JDK's {@code HttpServer} and a small loop, nothing
 * of vos in it) runs in a JVM whose {@code SelectorProvider} is vos's, so its sockets live in the net domain; this
 * JVM and curl fetch from it over real loopback TCP, as any client would; then the net domain is killed under that
 * load. What it shows: the outside clients' fetches fail fast while the domain is down (the listening socket died
 * with it: connections are refused, not hung), the application sees its server gone and re-creates it, and the
 * fetches succeed again once the next generation serves. The times are printed from the kill.
 */
final class NetworkDemo {

    /** Fetching threads of the load. */
    private static final int FETCHERS = 4;
    /** A failed fetch slower than this is not failing fast. */
    private static final Duration FAST = Duration.ofSeconds(2);

    /** The longest wait for the domain's standby to park before the kill. */
    private static final Duration PARK_WITHIN = Duration.ofSeconds(60);

    private final Path stateDir;
    private final String domain;
    private final boolean standby;
    private final PrintStream out;

    /** @param standby whether the domain's spec asks for a warm standby (the kill then waits until it parked) */
    NetworkDemo(Path stateDir, String domain, boolean standby, PrintStream out) {
        this.stateDir = stateDir;
        this.domain = domain;
        this.standby = standby;
        this.out = out;
    }

    /** One fetch of the load: when it ended (ns since the kill; negative before), how long it took, its outcome. */
    private record Fetch(long endNs, long tookNs, boolean ok, String failure) {
    }

    boolean run(ControlPlane plane, int step) throws IOException, InterruptedException, ControlException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Djava.nio.channels.spi.SelectorProvider=" + VosSelectorProvider.class.getName(),
                "-D" + VosSelectorProvider.DOMAIN_PROPERTY + "=" + domain,
                ServedHttpApp.class.getName(), "0");
        out.printf("[%d] the JDK's HttpServer through %s: a JVM started with%n", step, domain);
        out.printf("      -Djava.nio.channels.spi.SelectorProvider=%s -D%s=%s%n", VosSelectorProvider.class.getName(),
                VosSelectorProvider.DOMAIN_PROPERTY, domain);
        out.printf("    runs %s (HttpServer and a loop that re-creates it when its listening socket is gone)%n",
                ServedHttpApp.class.getSimpleName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("VOS_STATE_DIR", stateDir.toString());
        Process app = builder.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        long[] kill = {Long.MAX_VALUE};
        Thread reader = Thread.ofPlatform().daemon().start(() -> relay(app, lines, kill));
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(FAST).version(HttpClient.Version.HTTP_1_1)
                .build()) {
            String serving = awaitLine(lines, "serving port=", Duration.ofSeconds(60));
            if (serving == null) {
                out.println("    the application did not serve within 60 s");
                return false;
            }
            int port = Integer.parseInt(serving.split("port=")[1].split(" ")[0]);
            URI uri = URI.create("http://127.0.0.1:" + port + "/");
            HttpResponse<String> first = http.send(HttpRequest.newBuilder(uri).timeout(FAST).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.printf("    java.net.http.HttpClient (this JVM, the default provider): GET %s -> %d, %d bytes: %s%n",
                    uri, first.statusCode(), first.body().length(), first.body().lines().findFirst().orElse(""));
            boolean ok = first.statusCode() == 200 && first.body().startsWith(ServedHttpApp.BODY_FIRST_LINE);
            ok &= curl(uri);

            ConcurrentLinkedQueue<Fetch> fetches = new ConcurrentLinkedQueue<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            List<Thread> fetchers = new ArrayList<>();
            for (int i = 0; i < FETCHERS; i++) {
                fetchers.add(Thread.ofPlatform().daemon().start(() -> load(http, uri, loading, kill, fetches)));
            }
            Thread.sleep(1_000);
            if (standby) {
                ok &= awaitParkedStandby(plane);
            }
            out.printf("    %d threads fetch it in a loop; vos kill %s --signal KILL%n", FETCHERS, domain);
            synchronized (kill) {
                kill[0] = System.nanoTime();
            }
            plane.handle(new Command.Kill(domain, 9));
            String again = awaitLine(lines, "serving again", Duration.ofSeconds(60));
            long servedAgainNs = firstOkAfterKill(fetches, kill[0], Duration.ofSeconds(30));
            Thread.sleep(500);
            loading.set(false);
            for (Thread t : fetchers) {
                t.join(5_000);
            }
            ok &= report(fetches, again, servedAgainNs);
            return ok;
        } finally {
            app.getOutputStream().close(); // the application ends when its standard input closes
            if (!app.waitFor(10, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
            reader.join(2_000);
        }
    }

    /**
     * Waits until the domain's standby has parked, so that the time to serving again is a promotion's, not a JVM's
     * start (a standby started a second after the domain ran may still be starting, more so on a fresh state
     * directory, where the AOT cache is trained meanwhile). Says so, as {@code vos ps}'s STANDBY column would.
     */
    private boolean awaitParkedStandby(ControlPlane plane) throws InterruptedException, ControlException {
        long deadline = System.nanoTime() + PARK_WITHIN.toNanos();
        while (plane.supervisor(domain).standbyState() != StandbyState.PARKED) {
            if (System.nanoTime() - deadline > 0) {
                out.printf("    %s's standby did not park within %d s (vos ps: %s)%n", domain,
                        PARK_WITHIN.toSeconds(), plane.supervisor(domain).standbyState());
                return false;
            }
            Thread.sleep(10);
        }
        out.printf("    %s's standby (pid %d) has parked: vos ps shows it in STANDBY, the journal as STANDBY_PARKED%n",
                domain, plane.supervisor(domain).standbyPid());
        return true;
    }

    /** Prints the application's lines as they come (with the time since the kill, once there is one). */
    private void relay(Process app, LinkedBlockingQueue<String> lines, long[] kill) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                long since;
                synchronized (kill) {
                    since = kill[0];
                }
                String when = since == Long.MAX_VALUE ? "" : String.format("(+%d ms) ",
                        (System.nanoTime() - since) / 1_000_000);
                out.println("      app: " + when + line);
                lines.add(line);
            }
        } catch (IOException e) {
            // the application ended
        }
    }

    private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = lines.poll(left, TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    /** curl from outside the JVM, if the machine has it: the same body. */
    private boolean curl(URI uri) throws IOException, InterruptedException {
        Path curl = Path.of("/usr/bin/curl");
        if (!Files.isExecutable(curl)) {
            out.println("    curl: not installed here; skipped");
            return true;
        }
        Process p = new ProcessBuilder(curl.toString(), "-s", "--max-time", "5", uri.toString())
                .redirectErrorStream(true).start();
        String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        out.printf("    curl -s %s -> %d bytes: %s%n", uri, body.length(), body.lines().findFirst().orElse(""));
        return done && p.exitValue() == 0 && body.startsWith(ServedHttpApp.BODY_FIRST_LINE);
    }

    private static void load(HttpClient http, URI uri, AtomicBoolean loading, long[] kill,
            ConcurrentLinkedQueue<Fetch> fetches) {
        while (loading.get()) {
            long start = System.nanoTime();
            boolean ok;
            String failure = null;
            try {
                ok = http.send(HttpRequest.newBuilder(uri).timeout(FAST.multipliedBy(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                ok = false;
                failure = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                return;
            }
            long end = System.nanoTime();
            long since;
            synchronized (kill) {
                since = kill[0];
            }
            fetches.add(new Fetch(since == Long.MAX_VALUE ? -1 : end - since, end - start, ok, failure));
            if (!ok) {
                try {
                    Thread.sleep(20); // a refused connect returns at once: do not spin on it
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** When (ns since the kill) the first fetch that began after a failure succeeded; -1 if none within. */
    private static long firstOkAfterKill(ConcurrentLinkedQueue<Fetch> fetches, long killNs, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            boolean failed = false;
            for (Fetch f : fetches) {
                if (f.endNs() >= 0 && !f.ok()) {
                    failed = true;
                } else if (failed && f.ok()) {
                    return f.endNs();
                }
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private boolean report(ConcurrentLinkedQueue<Fetch> fetches, String again, long servedAgainNs) {
        long before = fetches.stream().filter(f -> f.endNs() < 0 && f.ok()).count();
        List<Fetch> failed = fetches.stream().filter(f -> f.endNs() >= 0 && !f.ok()).toList();
        long slowestFailureMs = failed.stream().mapToLong(Fetch::tookNs).max().orElse(0) / 1_000_000;
        long firstFailureMs = failed.stream().mapToLong(Fetch::endNs).min().orElse(-1_000_000) / 1_000_000;
        String kinds = String.join(", ", failed.stream().map(Fetch::failure).distinct().sorted().toList());
        out.printf("    before the kill: %d fetches, all served%n", before);
        out.printf("    after it: %d fetches failed (%s), the first %d ms after the kill, the slowest in %d ms%n",
                failed.size(), kinds, firstFailureMs, slowestFailureMs);
        boolean fast = !failed.isEmpty() && slowestFailureMs < FAST.toMillis();
        out.println(fast ? "    the clients failed fast: no fetch hung on the dead domain"
                : "    the clients did NOT fail fast (or none failed)");
        boolean back = again != null && servedAgainNs >= 0;
        out.println(back ? String.format("    serving again on the next generation, %d ms after the kill",
                servedAgainNs / 1_000_000) : "    the application did not serve again within 30 s");
        return fast && back;
    }
}
