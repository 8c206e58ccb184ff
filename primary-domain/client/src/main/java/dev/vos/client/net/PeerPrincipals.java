package dev.vos.client.net;

import dev.vos.client.users.HostUsers;
import dev.vos.net.protocol.NetCalls;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * {@code SO_PEERCRED}'s value as the default provider gives it: a {@link UnixDomainPrincipal} of the JDK's own
 * principals, found by name through the default file system's lookup, so that it equals (and hashes as) the one the
 * default provider would give for the same user and group, and prints the same names.
 */
final class PeerPrincipals {

    private PeerPrincipals() {
    }

    /** The principal of the domain's {@link NetCalls#OPT_SO_PEERCRED} answer {@code value}. */
    static UnixDomainPrincipal of(final long value) throws IOException {
        final UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        return new UnixDomainPrincipal(
                lookup.lookupPrincipalByName(HostUsers.userName(NetCalls.peerUid(value))),
                lookup.lookupPrincipalByGroupName(HostUsers.groupName(NetCalls.peerGid(value))));
    }
}
