package dev.vos.net.domain;

import dev.vos.sys.Errno;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The addresses a net domain's clients may bind (the spec's {@code net.bind}); any port of them. The wildcard
 * ({@code 0.0.0.0}, {@code ::}) is one only when it is listed.
 *
 * @param addresses the addresses, in the spec's order
 */
record BindPolicy(Set<InetAddress> addresses) {

    BindPolicy {
        addresses = Set.copyOf(addresses);
    }

    /**
     * The policy of the agent option {@code bind}: IP literals separated by commas ({@code 127.0.0.1,::1}), as the
     * control plane passes them. Names are refused: nothing is looked up.
     *
     * @throws IllegalArgumentException for an empty list or anything that is not an IP literal
     */
    static BindPolicy parse(String option) {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        for (String item : option.split(",", -1)) {
            String text = item.strip();
            try {
                addresses.add(InetAddress.ofLiteral(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option " + NetCallTableProvider.BIND + ": '" + text
                        + "' is not an IP address literal");
            }
        }
        return new BindPolicy(addresses);
    }

    /** Whether a client may bind {@code address}. */
    boolean allows(InetAddress address) {
        return addresses.contains(address);
    }

    /** What a join on an interface may do: {@link #JOIN}, or the errno to answer. */
    static final int JOIN = 0;

    /**
     * Whether a client may join a multicast group on the interface of index {@code index} of this host: where the
     * policy names a wildcard, on any interface there is; else only on one holding an address the policy names, so
     * that no client receives a group's traffic on an interface it could not bind. {@link #JOIN}, or ENODEV for no
     * such interface, EADDRNOTAVAIL for one the policy does not let in.
     */
    int joinOn(int index) {
        NetworkInterface interf;
        try {
            interf = index < 1 ? null : NetworkInterface.getByIndex(index);
        } catch (SocketException e) {
            interf = null;
        }
        if (interf == null) {
            return Errno.ENODEV;
        }
        for (InetAddress a : addresses) {
            if (a.isAnyLocalAddress()) {
                return JOIN;
            }
        }
        for (InetAddress a : Collections.list(interf.getInetAddresses())) {
            if (addresses.contains(a)) {
                return JOIN;
            }
        }
        return Errno.EADDRNOTAVAIL;
    }
}
