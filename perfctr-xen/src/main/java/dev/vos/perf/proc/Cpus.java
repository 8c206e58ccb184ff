package dev.vos.perf.proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The machine's CPUs as the kernel lists them ({@code /sys/devices/system/cpu/online}: "0-3,6"). */
public final class Cpus {

    private Cpus() {
    }

    /** The online CPUs' numbers. */
    public static int[] online() {
        try {
            return parseList(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip());
        } catch (Exception e) {
            int n = Runtime.getRuntime().availableProcessors();
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
    }

    /**
     * A CPU list as the kernel and perf's {@code -C} write it, "0-3,6" or "1", as numbers.
     *
     * @throws IllegalArgumentException naming the part that is not a CPU or a range of them
     */
    public static int[] parseList(String list) {
        List<Integer> out = new ArrayList<>();
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int dash = part.indexOf('-');
            try {
                int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).strip());
                if (from < 0 || to < from) {
                    throw new NumberFormatException();
                }
                for (int c = from; c <= to; c++) {
                    out.add(c);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not a CPU or a range of CPUs (0-3)");
            }
        }
        return out.stream().mapToInt(Integer::intValue).distinct().toArray();
    }
}
