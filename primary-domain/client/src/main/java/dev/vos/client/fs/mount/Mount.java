package dev.vos.client.fs.mount;

import java.util.Objects;

/**
 * One line of a mount table: the host paths beneath {@code prefix} are served by the storage domain
 * {@code domain}, from its directory {@code directory} (an absolute path beneath the domain's export root).
 *
 * @param prefix    an absolute, normal host path other than "/" (no ".", "..", repeated or trailing '/')
 * @param domain    the storage domain's name, as in the host spec
 * @param directory the domain's directory the prefix stands for: "/" (the export root) or an absolute, normal path
 * @param stateDir  the control plane's state directory, or null for vos's default ({@code vos.stateDir},
 *                  {@code $VOS_STATE_DIR}, then {@code /run/vos} or its user's stand-in)
 * @param socket    a domain agent's socket (a domain without a control plane), or null
 * @param line      where it was written, for messages: 1-based line (entry) of the table
 */
public record Mount(String prefix, String domain, String directory, String stateDir, String socket, int line) {

    public Mount {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(directory, "directory");
    }

    /**
     * Whether the absolute, normal host path {@code path} is the prefix or beneath it: the one check a host path
     * pays, a comparison of characters.
     */
    boolean covers(String path) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    /** The domain's path for a host path this mount {@link #covers}. */
    String domainPath(String hostPath) {
        String rest = hostPath.substring(prefix.length());
        if (directory.equals("/")) {
            return rest.isEmpty() ? "/" : rest;
        }
        return directory + rest;
    }

    /** The host path for a domain path, or null when the domain path is not beneath this mount's directory. */
    String hostPath(String domainPath) {
        if (directory.equals("/")) {
            return domainPath.equals("/") ? prefix : prefix + domainPath;
        }
        if (domainPath.equals(directory)) {
            return prefix;
        }
        return domainPath.startsWith(directory + "/") ? prefix + domainPath.substring(directory.length()) : null;
    }

    @Override
    public String toString() {
        return prefix + " " + domain + ":" + directory;
    }
}
