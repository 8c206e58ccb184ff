package dev.vos.controlplane.spec;

import java.net.InetAddress;
import java.util.List;

/**
 * The settings of a network domain.
 *
 * @param bind the addresses the domain may bind, in the spec's order; required, at least one; IP literals only (the
 *             parser never looks a name up)
 */
public record NetSpec(List<InetAddress> bind) {

    public NetSpec {
        bind = List.copyOf(bind);
    }
}
