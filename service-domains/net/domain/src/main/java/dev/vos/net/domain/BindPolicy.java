package dev.vos.net.domain;

import java.net.InetAddress;
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
}
