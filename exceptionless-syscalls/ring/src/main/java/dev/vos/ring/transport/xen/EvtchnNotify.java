package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct ioctl_evtchn_notify} of {@code include/uapi/xen/evtchn.h}: sends an event to the other end of a bound
 * event channel, named by this domain's local port. The Xen transport's {@code ringPeer}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        port (unsigned int)                    |  0
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class EvtchnNotify {

    /** The struct as the header declares it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("port"));

    /** unsigned int: the local port of the channel. */
    public static final long PORT_OFFSET = LAYOUT.byteOffset(groupElement("port"));
    /** {@code sizeof(struct ioctl_evtchn_notify)}, which the ioctl number encodes. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code IOCTL_EVTCHN_NOTIFY}: {@code _IOC(_IOC_NONE, 'E', 4, sizeof(struct ioctl_evtchn_notify))}. */
    public static final int IOCTL = Ioc.none('E', 4, SIZE);

    private EvtchnNotify() {
    }
}
