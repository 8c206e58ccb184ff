package dev.vos.ring.transport.xen;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct xsd_sockmsg} of {@code xen/include/public/io/xs_wire.h}: the header of every xenstore message, a
 * request written to {@code /dev/xen/xenbus} or a reply read from it, followed by {@code len} bytes of payload
 * (nul-terminated strings; a written value is not terminated). Host byte order (the device and xenstored are on the
 * same machine's ABI).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           type (u32)                          |  0  XS_READ, XS_WRITE, ... or XS_ERROR
 *  +---------------------------------------------------------------+
 *  |                          req_id (u32)                         |  4  echoed in the reply
 *  +---------------------------------------------------------------+
 *  |                          tx_id (u32)                          |  8  0: no transaction
 *  +---------------------------------------------------------------+
 *  |                           len (u32)                           | 12  payload bytes that follow
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class XsSockmsg {

    /** The struct as the header declares it. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("req_id"),
            JAVA_INT.withName("tx_id"),
            JAVA_INT.withName("len"));

    /** u32: the message type. */
    public static final long TYPE_OFFSET = LAYOUT.byteOffset(groupElement("type"));
    /** u32: the request's id, echoed by the reply. */
    public static final long REQ_ID_OFFSET = LAYOUT.byteOffset(groupElement("req_id"));
    /** u32: the transaction, 0 for none. */
    public static final long TX_ID_OFFSET = LAYOUT.byteOffset(groupElement("tx_id"));
    /** u32: payload bytes after the header. */
    public static final long LEN_OFFSET = LAYOUT.byteOffset(groupElement("len"));
    /** {@code sizeof(struct xsd_sockmsg)}. */
    public static final long SIZE = LAYOUT.byteSize();

    /** {@code XENSTORE_PAYLOAD_MAX}: no message carries more payload (a reply that says so is refused). */
    public static final int PAYLOAD_MAX = 4096;

    /** {@code enum xsd_sockmsg_type}: the values the Xen transport sends, and the error reply. */
    public static final int XS_DIRECTORY = 1;
    public static final int XS_READ = 2;
    public static final int XS_WRITE = 11;
    public static final int XS_MKDIR = 12;
    public static final int XS_RM = 13;
    public static final int XS_SET_PERMS = 14;
    /** The reply to a failed request: its payload is the errno's name ({@code "ENOENT"}), nul-terminated. */
    public static final int XS_ERROR = 16;

    private XsSockmsg() {
    }
}
