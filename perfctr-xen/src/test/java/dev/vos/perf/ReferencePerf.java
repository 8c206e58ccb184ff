package dev.vos.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** The reference tool, Debian's {@code perf}, run on the same target; the tests fail (not skip) without it. */
final class ReferencePerf {

    private ReferencePerf() {
    }

    /** The perf binary: {@code perf} if it runs, else a versioned {@code perf_X.Y}; fails the test if none. */
    static String binary() {
        for (String candidate : candidates()) {
            try {
                Process p = new ProcessBuilder(candidate, "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("perf version")) {
                    return candidate;
                }
            } catch (IOException | InterruptedException e) {
                // next candidate
            }
        }
        return fail("the reference tool 'perf' is not installed (or does not run for this kernel):"
                + " apt-get update && apt-get install -y linux-perf");
    }

    private static List<String> candidates() {
        try (var s = Files.list(Path.of("/usr/bin"))) {
            var versioned = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("perf_\\d+\\.\\d+"))
                    .map(n -> "/usr/bin/" + n).sorted().toList();
            return java.util.stream.Stream.concat(java.util.stream.Stream.of("perf"), versioned.stream()).toList();
        } catch (IOException e) {
            return List.of("perf");
        }
    }

    /**
     * Parses {@code perf stat --per-thread -x,} output: {@code comm-tid,value,unit,event,...}. Returns
     * event -> tid -> value (task-clock in ns, as msec * 1e6).
     */
    static Map<String, Map<Integer, Double>> parsePerThread(String csv) {
        Map<String, Map<Integer, Double>> out = new HashMap<>();
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length < 4 || line.startsWith("#") || f[1].startsWith("<")) {
                continue;
            }
            int dash = f[0].lastIndexOf('-');
            if (dash < 0) {
                continue;
            }
            int tid;
            double value;
            try {
                tid = Integer.parseInt(f[0].substring(dash + 1));
                value = Double.parseDouble(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (f[2].equals("msec")) {
                value *= 1e6;
            }
            out.computeIfAbsent(f[3], k -> new HashMap<>()).put(tid, value);
        }
        return out;
    }
}
