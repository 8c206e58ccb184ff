package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct ioctl_evtchn_bind_interdomain} of {@code include/uapi/xen/evtchn.h}: binds this domain's end of an
 * interdomain event channel on {@code /dev/xen/evtchn} to the peer's port (the peer allocated it unbound and
 * published it in xenstore). The ioctl returns the local port; notifications then arrive as that port number read
 * from the descriptor (4 bytes each), and the port is unmasked by writing it back.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   remote_domain (unsigned int)                |  0
 *  +---------------------------------------------------------------+
 *  |                    remote_port (unsigned int)                 |  4
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EvtchnBindInterdomain {

    /** The struct as the header declares it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("remote_domain"),
            JAVA_INT.withName("remote_port"));

    /** unsigned int: the peer's domain id. */
    public static final long REMOTE_DOMAIN_OFFSET = LAYOUT.byteOffset(groupElement("remote_domain"));
    /** unsigned int: the peer's unbound port. */
    public static final long REMOTE_PORT_OFFSET = LAYOUT.byteOffset(groupElement("remote_port"));
    /** {@code sizeof(struct ioctl_evtchn_bind_interdomain)}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /**
     * {@code IOCTL_EVTCHN_BIND_INTERDOMAIN}: {@code _IOC(_IOC_NONE, 'E', 1, sizeof(struct
     * ioctl_evtchn_bind_interdomain))}.
     */
    public static final int IOCTL = Ioc.none('E', 1, SIZE);

    private EvtchnBindInterdomain() {
    }
}
