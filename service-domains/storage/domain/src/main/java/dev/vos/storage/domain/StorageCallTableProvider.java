package dev.vos.storage.domain;

import dev.vos.ring.agent.CallTableProvider;
import dev.vos.ring.server.CallTable;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.storage.protocol.StorageFlags;
import dev.vos.sys.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The storage kind's calls (see {@link StorageCalls}), serving one export root, given either way:
 * <ul>
 *   <li>{@code exportRootFd=N}: a directory descriptor this process inherited (the control plane resolved the root
 *       once, when it started, and hands every generation that same directory: a link swapped in at the root's
 *       path later redirects nothing); {@code exportRoot} then only names it in messages;</li>
 *   <li>{@code exportRoot=/absolute/dir} alone: opened here, by path (a domain run by hand).</li>
 * </ul>
 * Either way the root is held open, O_PATH, for the agent's life: every client path is resolved beneath that
 * descriptor, so a rename or replacement of the root's own path later does not redirect the domain.
 * {@code allowSpecialFiles=true} lets clients open FIFOs, sockets and devices there; {@code mapReads=false} makes
 * every read a pread (by default reads of regular files are copied from mappings of them).
 */
public final class StorageCallTableProvider implements CallTableProvider {

    /** The option naming the exported directory. */
    public static final String EXPORT_ROOT = "exportRoot";
    /**
     * The option that lets clients open FIFOs, sockets and device nodes ({@code true}; default {@code false}: such
     * opens are EACCES). Opens never wait either way (see {@link StorageCalls}).
     */
    public static final String ALLOW_SPECIAL_FILES = "allowSpecialFiles";
    /**
     * The option that lets the domain answer reads of regular files by copying from read-only mappings of them
     * ({@code true}, the default; {@code false}: every read is a pread, batched or not). See docs/storage.md, "Reads
     * from a mapping of the file".
     */
    public static final String MAP_READS = "mapReads";
    /** The option giving the exported directory as an inherited descriptor's number. */
    public static final String EXPORT_ROOT_FD = "exportRootFd";

    @Override
    public String kind() {
        return "storage";
    }

    @Override
    public void register(CallTable.Builder table, Map<String, String> options) {
        String root = options.get(EXPORT_ROOT);
        String inherited = options.get(EXPORT_ROOT_FD);
        boolean allowSpecialFiles = flag(options, ALLOW_SPECIAL_FILES, "false");
        boolean mapReads = flag(options, MAP_READS, "true");
        if (inherited != null) {
            new StorageHandlers(reopen(inherited, root), allowSpecialFiles, mapReads).register(table);
            return;
        }
        if (root == null || root.isEmpty()) {
            throw new IllegalArgumentException("the storage kind needs --option " + EXPORT_ROOT + "=/absolute/dir"
                    + " or --option " + EXPORT_ROOT_FD + "=N");
        }
        Path path = Path.of(root);
        if (!path.isAbsolute() || !Files.isDirectory(path)) {
            throw new IllegalArgumentException(EXPORT_ROOT + " '" + root
                    + "' is not an absolute path to an existing directory");
        }
        new StorageHandlers(openRoot(root), allowSpecialFiles, mapReads).register(table);
    }

    /** A true/false option; absent is {@code absent}, anything else is refused rather than guessed. */
    private static boolean flag(Map<String, String> options, String name, String absent) {
        String value = options.getOrDefault(name, absent);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option " + name + " is '" + value
                    + "'; expected true or false");
        };
    }

    /**
     * The inherited descriptor {@code fd}, reopened as {@code openat2(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)}
     * (the same directory; ENOTDIR if it is none), then closed: what stays open is close-on-exec and O_PATH, like
     * a root opened by path.
     */
    private static int reopen(String fd, String label) {
        int inherited;
        try {
            inherited = Integer.parseInt(fd);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(EXPORT_ROOT_FD + " '" + fd + "' is not a descriptor number");
        }
        String named = label == null ? "descriptor " + inherited : label + " (descriptor " + inherited + ")";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dot = arena.allocate(2);
            dot.set(JAVA_BYTE, 0, (byte) '.');
            dot.set(JAVA_BYTE, 1, (byte) 0);
            long root = StorageSyscalls.openat2(inherited, dot,
                    StorageSyscalls.O_PATH | StorageFlags.O_DIRECTORY | StorageSyscalls.O_CLOEXEC, 0, 0);
            if (root < 0) {
                throw new IllegalArgumentException("the export root " + named + " cannot be opened: "
                        + Errno.name((int) -root));
            }
            StorageSyscalls.close(inherited);
            return (int) root;
        }
    }

    /** {@code openat2(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC)}: the one unconfined open. */
    private static int openRoot(String root) {
        byte[] bytes = root.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(bytes.length + 1L);
            s.copyFrom(MemorySegment.ofArray(bytes));
            s.set(JAVA_BYTE, bytes.length, (byte) 0);
            long fd = StorageSyscalls.openat2(StorageSyscalls.AT_FDCWD, s,
                    StorageSyscalls.O_PATH | StorageFlags.O_DIRECTORY | StorageSyscalls.O_CLOEXEC, 0, 0);
            if (fd < 0) {
                throw new IllegalArgumentException(EXPORT_ROOT + " '" + root + "' cannot be opened: "
                        + Errno.name((int) -fd));
            }
            return (int) fd;
        }
    }
}
