package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct ioctl_evtchn_bind_unbound_port} of {@code include/uapi/xen/evtchn.h}: allocates, on
 * {@code /dev/xen/evtchn}, a port of this domain that domain {@code remote_domain} may bind to; the ioctl returns the
 * port, which the offering side publishes in xenstore for the peer's {@link EvtchnBindInterdomain}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   remote_domain (unsigned int)                |  0
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EvtchnBindUnboundPort {

    /** The struct as the header declares it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("remote_domain"));

    /** unsigned int: the domain that may bind the port. */
    public static final long REMOTE_DOMAIN_OFFSET = LAYOUT.byteOffset(groupElement("remote_domain"));
    /** {@code sizeof(struct ioctl_evtchn_bind_unbound_port)}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /**
     * {@code IOCTL_EVTCHN_BIND_UNBOUND_PORT}: {@code _IOC(_IOC_NONE, 'E', 2, sizeof(struct
     * ioctl_evtchn_bind_unbound_port))}.
     */
    public static final int IOCTL = Ioc.none('E', 2, SIZE);

    private EvtchnBindUnboundPort() {
    }
}
