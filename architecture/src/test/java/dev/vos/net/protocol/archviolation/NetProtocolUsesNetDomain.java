package dev.vos.net.protocol.archviolation;

import dev.vos.net.domain.NetCallTableProvider;

/** A net protocol class that imports the domain's implementation instead of the other way round. */
public final class NetProtocolUsesNetDomain {
    NetCallTableProvider provider;
}
