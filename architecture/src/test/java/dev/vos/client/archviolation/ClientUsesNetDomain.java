package dev.vos.client.archviolation;

import dev.vos.net.domain.NetCallTableProvider;

/** A client class that reaches into the net domain (the client may use the net protocol, never the domain). */
public final class ClientUsesNetDomain {
    NetCallTableProvider provider;
}
