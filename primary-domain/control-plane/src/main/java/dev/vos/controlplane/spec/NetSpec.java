package dev.vos.controlplane.spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of a network domain.
 *
 * @param bind the addresses the domain may bind, in the spec's order; required, at least one; IP literals only (the
 *             parser never looks a name up)
 * @param unix the directories in which its clients may bind and connect Unix domain sockets, absolute; none by
 *             default, and then every Unix socket path is refused
 */
public record NetSpec(List<InetAddress> bind, List<Path> unix) {

    public NetSpec {
        bind = List.copyOf(bind);
        unix = List.copyOf(unix);
    }

    /** A domain that serves no Unix domain sockets. */
    public NetSpec(List<InetAddress> bind) {
        this(bind, List.of());
    }
}
