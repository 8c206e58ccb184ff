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
 * The storage kind's calls (see {@link StorageCalls}), serving the directory named by the option
 * {@code exportRoot} (an absolute path to an existing directory); {@code allowSpecialFiles=true} lets clients open
 * FIFOs, sockets and devices there. The root is opened once, O_PATH, when the
 * table is built, and stays open for the agent's life: every client path is resolved beneath that descriptor, so
 * a rename or replacement of the root's own path later does not redirect the domain.
 */
public final class StorageCallTableProvider implements CallTableProvider {

    /** The option naming the exported directory. */
    public static final String EXPORT_ROOT = "exportRoot";
    /**
     * The option that lets clients open FIFOs, sockets and device nodes ({@code true}; default {@code false}: such
     * opens are EACCES). Opens never wait either way (see {@link StorageCalls}).
     */
    public static final String ALLOW_SPECIAL_FILES = "allowSpecialFiles";

    @Override
    public String kind() {
        return "storage";
    }

    @Override
    public void register(CallTable.Builder table, Map<String, String> options) {
        String root = options.get(EXPORT_ROOT);
        if (root == null || root.isEmpty()) {
            throw new IllegalArgumentException("the storage kind needs --option " + EXPORT_ROOT + "=/absolute/dir");
        }
        Path path = Path.of(root);
        if (!path.isAbsolute() || !Files.isDirectory(path)) {
            throw new IllegalArgumentException(EXPORT_ROOT + " '" + root
                    + "' is not an absolute path to an existing directory");
        }
        boolean allowSpecialFiles = flag(options, ALLOW_SPECIAL_FILES);
        new StorageHandlers(openRoot(root), allowSpecialFiles).register(table);
    }

    /** A true/false option; absent is false, anything else is refused rather than guessed. */
    private static boolean flag(Map<String, String> options, String name) {
        String value = options.getOrDefault(name, "false");
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("option " + name + " is '" + value
                    + "'; expected true or false");
        };
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
