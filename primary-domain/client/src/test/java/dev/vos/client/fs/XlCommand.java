package dev.vos.client.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Xen tool stack's {@code xl}, as the lab's {@code vos://} suites run it in dom0 to create and hurt guests. */
final class XlCommand {

    /** The longest one {@code xl} may take: a create under emulation on a loaded host takes tens of seconds. */
    private static final long LIMIT_SECONDS = 120;

    private XlCommand() {
    }

    /**
     * Runs {@code xl ARGS} and answers its output.
     *
     * @throws IOException with the output if it failed or did not end within {@value #LIMIT_SECONDS} s
     */
    static String xl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("xl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
