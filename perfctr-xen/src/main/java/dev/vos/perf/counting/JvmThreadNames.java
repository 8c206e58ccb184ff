package dev.vos.perf.counting;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full Java thread names of a target JVM, from {@code jcmd PID Thread.print} (a thread's comm is cut to 15
 * characters). Opt-in, because a thread dump stops the target at a safepoint and costs it tens of ms: the dump is
 * taken only when threads were found that it does not name yet, at most every {@link #MIN_REFRESH_NS} ns; threads
 * it does not know (not Java threads, or too new) fall back to their comm.
 */
public final class JvmThreadNames implements ThreadNamer {

    /** At most one thread dump per this many ns. */
    static final long MIN_REFRESH_NS = 10_000_000_000L;

    /** {@code "name" #12 [4242] ...} (JDK 19+) or {@code ... nid=0x1092 ...} (older): the name and the native id. */
    private static final Pattern HEADER = Pattern.compile("^\"(.*)\" (?:#\\d+ )?(?:\\[(\\d+)\\] )?.*$");
    private static final Pattern NID = Pattern.compile(" nid=(0x[0-9a-f]+|\\d+)");

    private final Map<Integer, String> names = new HashMap<>();
    private long lastRefreshNs = System.nanoTime() - MIN_REFRESH_NS;

    @Override
    public void refresh(int pid, boolean newThreads) {
        if (newThreads && System.nanoTime() - lastRefreshNs >= MIN_REFRESH_NS) {
            lastRefreshNs = System.nanoTime();
            String dump = threadDump(pid);
            if (dump != null) {
                names.putAll(parse(dump));
            }
        }
    }

    @Override
    public String name(int pid, int tid) {
        String n = names.get(tid);
        return n != null ? n : COMM.name(pid, tid);
    }

    /** tid -> Java thread name of a live JVM now (one {@code jcmd PID Thread.print}); empty when it cannot tell. */
    public static Map<Integer, String> dump(int pid) {
        String d = threadDump(pid);
        return d == null ? Map.of() : parse(d);
    }

    /** tid -> Java thread name, from a {@code Thread.print} dump. */
    public static Map<Integer, String> parse(String dump) {
        Map<Integer, String> out = new HashMap<>();
        for (String line : dump.split("\n")) {
            if (!line.startsWith("\"")) {
                continue;
            }
            Matcher m = HEADER.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Matcher nid = NID.matcher(line);
            String id = m.group(2) != null ? m.group(2) : nid.find() ? nid.group(1) : null;
            if (id == null) {
                continue;
            }
            int tid = id.startsWith("0x") ? Integer.parseInt(id.substring(2), 16) : Integer.parseInt(id);
            out.put(tid, m.group(1));
        }
        return out;
    }

    private static String threadDump(int pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Integer.toString(pid), "Thread.print").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (Exception e) {
            return null;
        }
    }
}
