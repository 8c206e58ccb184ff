package dev.vos.client.fs.mount;

import dev.vos.client.net.VosSockets;

import java.io.IOException;
import java.nio.file.FileSystems;

/**
 * Reads the mount table before {@code main}: {@code -javaagent:vos-client.jar} (its manifest names this class as
 * {@code Premain-Class}) with the flags that make vos the default provider. The JDK builds its default file system
 * lazily, on the first use of a path, and nothing in its start-up (the launcher, the class path's loader, which
 * uses the platform's own file system on purpose) uses one; so without the agent a JVM with a bad table runs
 * {@code main}, and only its first path use fails. With it, the table is read before {@code main}: a table with a
 * problem prints every problem ({@code FILE:LINE:COLUMN: MESSAGE}) and the JVM exits with status 1, having run
 * none of the program.
 *
 * <p>With {@code -Dvos.net.sockets=true} it also installs {@link VosSockets} before {@code main}, so that an unchanged
 * program's {@code Socket} and {@code ServerSocket} live in the net domain; given for that alone (no vos default
 * file system provider named), it reads no mount table.
 */
public final class MountTableAgent {

    /** The exit status of a JVM stopped by its mount table (or by an agent given without vos as its provider). */
    public static final int EXIT_BAD_TABLE = 1;

    private MountTableAgent() {
    }

    /**
     * Builds the default file system now. The provider's constructor has printed the table's problems when it
     * fails; the JDK's Error around them would add a stack trace that says nothing more, so it is not printed.
     */
    public static void premain(String args) {
        boolean sockets = Boolean.getBoolean(VosSockets.AGENT_PROPERTY);
        if (sockets) {
            installSockets();
        }
        String provider = System.getProperty("java.nio.file.spi.DefaultFileSystemProvider");
        if (sockets && provider == null) {
            return; // the agent was given for the sockets alone: no mount table to read
        }
        if (provider == null || !provider.contains(MountedFileSystemProvider.class.getName())) {
            System.err.println("vos: -javaagent reads the mount table of vos as the default file system provider,"
                    + " but -Djava.nio.file.spi.DefaultFileSystemProvider does not name "
                    + MountedFileSystemProvider.class.getName() + "; the JVM does not start");
            System.exit(EXIT_BAD_TABLE);
        }
        try {
            FileSystems.getDefault();
        } catch (Error e) {
            if (!(rootCause(e) instanceof MountTableException)) {
                throw e; // not the table's: the JDK's own report says more than this agent could
            }
            System.exit(EXIT_BAD_TABLE);
        }
    }

    /** {@link VosSockets#install()} before {@code main}: {@code -Dvos.net.sockets=true} with the agent. */
    private static void installSockets() {
        try {
            VosSockets.install();
        } catch (IOException | RuntimeException e) {
            System.err.println("vos: -D" + VosSockets.AGENT_PROPERTY + "=true: " + e.getMessage()
                    + "; the JVM does not start");
            System.exit(EXIT_BAD_TABLE);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
