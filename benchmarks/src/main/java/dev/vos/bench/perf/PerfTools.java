package dev.vos.bench.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the perf harnesses share: starting the two tools, knowing when they have attached, reading their output. */
final class PerfTools {

    private PerfTools() {
    }

    /**
     * The command that runs {@code vos perf ARGS} as a user does: through {@code launcher} (bin/vos), with its JVM
     * flags, its start-up cache and its priority, so that what is timed is what a user waits for.
     */
    static List<String> vosCommand(String launcher, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher, "perf"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** perf_event descriptors {@code pid} holds now ({@code anon_inode:[perf_event]} in /proc/PID/fd). */
    static int perfEventFds(long pid) {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[perf_event]")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return n;
    }

    /**
     * Waits until {@code tool} holds at least {@code fds} perf_event descriptors; returns the ns since
     * {@code startNs}, or -1 when it exited or {@code timeoutMs} passed first.
     */
    static long awaitFds(Process tool, int fds, long startNs, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline && tool.isAlive()) {
            if (perfEventFds(tool.pid()) >= fds) {
                return System.nanoTime() - startNs;
            }
            Thread.sleep(2);
        }
        return -1;
    }

    /**
     * perf stat's {@code -x,} output (and vos's, which has the same layout): per-thread rows
     * {@code comm-tid,value,unit,event,...} by event then tid; the rows without a thread (vos's process total) under
     * tid -1. task-clock in ns (from msec).
     */
    static Map<String, Map<Integer, Double>> parseCsv(String text) {
        Map<String, Map<Integer, Double>> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(",", -1);
            if (f.length < 4 || line.startsWith("#")) {
                continue;
            }
            int tid = -1;
            int v = 0;
            if (!f[0].isEmpty() && !Character.isDigit(f[0].charAt(0)) && !f[0].startsWith("<")) {
                int dash = f[0].lastIndexOf('-');
                try {
                    tid = Integer.parseInt(f[0].substring(dash + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                v = 1;
            }
            double value;
            try {
                value = Double.parseDouble(f[v]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (f[v + 1].equals("msec")) {
                value *= 1e6;
            }
            out.computeIfAbsent(f[v + 2], k -> new LinkedHashMap<>()).merge(tid, value, Double::sum);
        }
        return out;
    }

    /** The comm of each thread label in perf's {@code -x} per-thread output, by tid. */
    static Map<Integer, String> names(String text) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String label = line.split(",", -1)[0];
            int dash = label.lastIndexOf('-');
            if (dash > 0 && !line.startsWith("#")) {
                try {
                    out.put(Integer.parseInt(label.substring(dash + 1)), label.substring(0, dash));
                } catch (NumberFormatException e) {
                    // not a thread row
                }
            }
        }
        return out;
    }

    /** "17.42 21.03 19.80" of /proc/loadavg. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
