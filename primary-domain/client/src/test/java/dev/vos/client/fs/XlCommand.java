package dev.vos.client.fs;

import dev.vos.ring.agent.StateDirectory;
import dev.vos.ring.agent.XenGuestSession;
import dev.vos.ring.transport.xen.XenStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Xen tool stack's {@code xl}, as the lab's client suites ({@code vos://} and the net domain's) run it in dom0
 * to create and hurt guests, and the wait for a created guest's agent.
 */
public final class XlCommand {

    /** The longest one {@code xl} may take: a create under emulation on a loaded host takes tens of seconds. */
    private static final long LIMIT_SECONDS = 120;
    /** The longest a created agent guest may take to serve: it boots and starts a JVM under emulation. */
    private static final long SERVING_LIMIT_SECONDS = 300;

    private XlCommand() {
    }

    /**
     * Whether this is the lab's dom0 with its agent image: Xen's grant device, and the guest's files where the lab
     * puts them ({@code $VOS_XEN_LAB_GUEST}). The suites' {@code @EnabledIf}.
     */
    public static boolean lab() {
        String guest = System.getenv("VOS_XEN_LAB_GUEST");
        return Files.exists(Path.of("/dev/xen/gntalloc")) && guest != null
                && Files.isRegularFile(Path.of(guest, "agent.cpio.gz"));
    }

    /**
     * Writes {@code /tmp/NAME.cfg}: a PV guest of the lab's agent image with 1 vCPU, {@code memoryMb} and
     * {@code words} on its kernel command line (its agent's kind, {@code vos.agent=KIND}), destroyed if it crashes.
     */
    public static Path agentGuest(String name, int memoryMb, String words) throws IOException {
        return agentGuest(name, memoryMb, words, "");
    }

    /** {@link #agentGuest(String, int, String)} with {@code lines} more of xl.cfg (a disk, for one). */
    public static Path agentGuest(String name, int memoryMb, String words, String lines) throws IOException {
        Path guest = Path.of(System.getenv("VOS_XEN_LAB_GUEST"));
        return Files.writeString(Path.of("/tmp", name + ".cfg"), String.format(Locale.ROOT, """
                name = "%s"
                type = "pv"
                kernel = "%s"
                ramdisk = "%s"
                memory = %d
                vcpus = 1
                extra = "console=hvc0 %s"
                on_crash = "destroy"
                """, name, guest.resolve("vmlinux"), guest.resolve("agent.cpio.gz"), memoryMb, words) + lines);
    }

    /**
     * Records in {@code stateDir} that the vos domain {@code domain} is the Xen guest {@code xenName}, as a control
     * plane running it would: all a client needs to reach it ({@code DomainClient.forDomain}).
     */
    public static void recordGuest(Path stateDir, String domain, String xenName) throws IOException {
        Files.createDirectories(StateDirectory.domainDirectory(stateDir, domain));
        Files.writeString(StateDirectory.xenGuest(stateDir, domain), XenGuestSession.XEN_DOMAIN + "=" + xenName
                + "\n");
    }

    /** A guest whose agent announced itself serving: its domain, its agent's pid in the guest, the time it took. */
    public record Serving(int domid, long agentPid, long ms) {
    }

    /**
     * Runs {@code xl ARGS} and answers its output.
     *
     * @throws IOException with the output if it failed or did not end within {@value #LIMIT_SECONDS} s
     */
    public static String xl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("xl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** {@link #xl}, for a clean-up: a failure is printed with {@code label}, not thrown. */
    public static void xlQuietly(String label, String... args) {
        try {
            xl(args);
        } catch (IOException | InterruptedException e) {
            System.out.println(label + ": " + e.getMessage());
        }
    }

    /**
     * {@code xl create}s the guest {@code name} of {@code cfg} and waits for its agent to announce itself serving in
     * xenstore, at most {@value #SERVING_LIMIT_SECONDS} s.
     */
    public static Serving createAndAwaitTheAgent(Path cfg, String name) throws Exception {
        long t0 = System.nanoTime();
        xl("create", cfg.toString());
        int domid = Integer.parseInt(xl("domid", name).trim());
        String announce = "/local/domain/" + domid + "/data/vos-agent";
        try (XenStore store = XenStore.open()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SERVING_LIMIT_SECONDS);
            while (!store.read(announce + "/state").orElse("").equals("serving")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the agent of " + name + " did not announce itself within "
                            + SERVING_LIMIT_SECONDS + " s (its console: guest-console/guest-" + name + ".log)");
                }
                Thread.sleep(200);
            }
            long pid = Long.parseLong(store.read(announce + "/pid").orElseThrow());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println(name + " (domain " + domid + ") serving " + ms + " ms after xl create");
            return new Serving(domid, pid, ms);
        }
    }
}
