package dev.vos.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything a backend needs to start one generation of a domain; the supervisor derives it from the spec.
 *
 * @param name       the domain's name
 * @param kind       its kind ("storage", "net"): selects the calls its agent serves
 * @param generation the generation being started (counts from 1, never reused)
 * @param workDir    the domain's own directory: its log lives here
 * @param socket     where the domain's agent must listen
 * @param memoryMb   heap of the domain's JVM
 * @param cpus       CPUs to pin the domain to; empty: not pinned
 * @param namespaces Linux namespaces to place the domain in ("mount", "pid", "net", "user"), where the kernel allows
 * @param options    kind-specific settings passed to the agent as {@code --option KEY=VALUE}
 * @param startTimeout how long the domain may take to listen
 * @param hangTimeout  the domain's hang timeout: its agent announces it to every client as the liveness timeout of
 *                     their rings, so that clients and the supervisor judge a silent domain alike
 * @param attachGroup  a group (gid) whose members may attach to the domain's agent besides the control plane's
 *                     user and root; empty: none
 * @param capabilities the Linux capabilities the domain keeps, by their names without {@code cap_}
 *                   ({@code dac_override}); empty: none. A backend that runs processes drops all others
 * @param descriptors directories the domain inherits, by option name: each value is a descriptor the control plane
 *                   holds ({@code /proc/PID/fd/N}); a process backend opens it in the domain's process before the
 *                   domain changes namespaces or privileges and passes the agent {@code --option NAME=FD}, the
 *                   inherited descriptor's number. A backend without a process of the control plane's to inherit
 *                   from ignores them
 */
public record DomainLaunch(String name, String kind, long generation, Path workDir, Path socket, int memoryMb,
                           List<Integer> cpus, Set<String> namespaces, Map<String, String> options,
                           Duration startTimeout, Duration hangTimeout, OptionalInt attachGroup,
                           List<String> capabilities, Map<String, Path> descriptors) {

    public DomainLaunch {
        cpus = List.copyOf(cpus);
        namespaces = Set.copyOf(namespaces);
        options = Map.copyOf(options);
        Objects.requireNonNull(hangTimeout, "hangTimeout");
        Objects.requireNonNull(attachGroup, "attachGroup");
        capabilities = List.copyOf(capabilities);
        descriptors = Map.copyOf(descriptors);
    }

    /** The domain's log file, appended to by every generation. */
    public Path logFile() {
        return workDir.resolve("domain.log");
    }
}
