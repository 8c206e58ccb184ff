package dev.vos.ring.server;

/**
 * Who a served ring's client is, as the kernel recorded it when the client connected to the domain's agent
 * ({@code SO_PEERCRED}): not what the client says about itself. A handler whose answer names a client's user (the
 * net domain's {@code SO_PEERCRED} between two of its clients) reads it here, since every socket the domain holds is
 * the domain's own to the kernel.
 *
 * @param pid the client's pid in the domain's pid namespace (0: outside it, the usual case)
 * @param uid its user
 * @param gid its primary group
 */
public record ClientCredentials(int pid, int uid, int gid) {
}
