package dev.vos.client.fs.mount;

import dev.vos.client.fs.VosFileSystemProvider;

import java.net.URI;
import java.nio.file.FileSystem;
import java.util.HashMap;
import java.util.Map;

/**
 * The vos file system of each mounted domain, made on the first use of one of its paths, never at start-up: the
 * default provider is built before the program runs, and a domain's client reaches for sockets and paths that
 * need the default file system finished. A domain that is down is therefore not an error here; its calls fail as
 * a {@code vos://} path's do.
 */
final class MountedDomains {

    private final VosFileSystemProvider vos = new VosFileSystemProvider();
    private final Map<String, FileSystem> systems = new HashMap<>();

    VosFileSystemProvider provider() {
        return vos;
    }

    /** The file system of {@code mount}'s domain, made on first use. */
    synchronized FileSystem of(Mount mount) {
        FileSystem fs = systems.get(mount.domain());
        if (fs == null) {
            Map<String, Object> env = new HashMap<>();
            if (mount.socket() != null) {
                env.put(VosFileSystemProvider.ENV_SOCKET, mount.socket());
            } else if (mount.stateDir() != null) {
                env.put(VosFileSystemProvider.ENV_STATE_DIR, mount.stateDir());
            }
            // The client attaches on its first call, not here.
            fs = vos.newFileSystem(URI.create(VosFileSystemProvider.SCHEME + "://" + mount.domain() + "/"), env);
            systems.put(mount.domain(), fs);
        }
        return fs;
    }
}
