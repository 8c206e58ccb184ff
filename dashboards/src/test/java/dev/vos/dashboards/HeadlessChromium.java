package dev.vos.dashboards;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, with one page open, driven over the DevTools protocol (a WebSocket on
 * loopback): evaluate JavaScript in the page, take a screenshot. Stopped, with its helper processes, on close.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern LISTENING =
            Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, String pageSocket) throws Exception {
        this.process = process;
        this.socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener())
                .get(30, TimeUnit.SECONDS);
    }

    /** Opens {@code url} in a new headless Chromium whose profile lives in {@code profile}. */
    static HeadlessChromium open(Path binary, Path profile, String url) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--remote-allow-origins=*", "--window-size=1200,900", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int port = devToolsPort(p);
            return new HeadlessChromium(p, pageSocket(port, url));
        } catch (Exception e) {
            stop(p);
            throw e;
        }
    }

    private static int devToolsPort(Process p) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuilder said = new StringBuilder();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(2)));
                    } else if (!port.isDone() && said.length() < 4000) {
                        said.append(line).append('\n');
                    }
                }
                port.completeExceptionally(new IllegalStateException("chromium ended: " + said));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        });
        return port.get(60, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private static String pageSocket(int port, String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                for (Object o : (List<Object>) JsonReader.parse(body)) {
                    Map<String, Object> target = (Map<String, Object>) o;
                    if ("page".equals(target.get("type")) && ((String) target.get("url")).startsWith(url)) {
                        return (String) target.get("webSocketDebuggerUrl");
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no page for " + url + " in " + body);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Sends one DevTools command and waits for its result. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true)
                .get(10, TimeUnit.SECONDS);
        Map<String, Object> reply = answer.get(30, TimeUnit.SECONDS);
        if (reply.containsKey("error")) {
            throw new IllegalStateException(method + ": " + reply.get("error"));
        }
        return (Map<String, Object>) reply.get("result");
    }

    /** Evaluates a JavaScript expression in the page; its value as a string ("" for null or undefined). */
    @SuppressWarnings("unchecked")
    String evaluate(String expression) throws Exception {
        Map<String, Object> result = call("Runtime.evaluate", "{\"expression\":" + Json.quote(expression)
                + ",\"returnByValue\":true}");
        Object value = ((Map<String, Object>) result.get("result")).get("value");
        return value == null ? "" : value.toString();
    }

    /** A PNG of the page as it is drawn now. */
    byte[] screenshot() throws Exception {
        String data = (String) call("Page.captureScreenshot", "{\"format\":\"png\"}").get("data");
        return java.util.Base64.getDecoder().decode(data);
    }

    @Override
    public void close() {
        socket.abort();
        stop(process);
    }

    private static void stop(Process p) {
        List<ProcessHandle> helpers = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.forEach(ProcessHandle::destroyForcibly);
    }

    /** Gathers each message (it may come in parts) and hands a reply to its caller. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        @SuppressWarnings("unchecked")
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                Map<String, Object> m = (Map<String, Object>) JsonReader.parse(message.toString());
                message.setLength(0);
                if (m.get("id") instanceof Double id) {
                    CompletableFuture<Map<String, Object>> f = pending.remove(id.intValue());
                    if (f != null) {
                        f.complete(m);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    /** How long to wait, at most, for the page to show something. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
}
