package dev.vos.ring.transport.xen;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Xen ioctl layouts against values worked out by hand from the Linux uapi headers' text
 * ({@code include/uapi/xen/gntalloc.h}, {@code gntdev.h}, {@code evtchn.h}, and {@code asm-generic/ioctl.h}'s
 * {@code _IOC}), not from a running Xen: natural alignment of x86_64, {@code _IOC_NONE} = 0,
 * {@code _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr}.
 */
class XenIoctlLayoutTest {

    /**
     * {@code struct ioctl_gntalloc_alloc_gref { uint16_t domid; uint16_t flags; uint32_t count; uint64_t index;
     * uint32_t gref_ids[1]; }}: 2 + 2 + 4 = 8 to index, 8 + 8 = 16 to gref_ids, 16 + 4 = 20 rounded up to the
     * u64's 8 = 24. {@code _IOC(_IOC_NONE, 'G' = 0x47, 5, 24)} = 0x18 << 16 | 0x47 << 8 | 5.
     */
    @Test
    void gntallocAllocGref() {
        assertEquals(0, GntallocAllocGref.DOMID_OFFSET);
        assertEquals(2, GntallocAllocGref.FLAGS_OFFSET);
        assertEquals(4, GntallocAllocGref.COUNT_OFFSET);
        assertEquals(8, GntallocAllocGref.INDEX_OFFSET);
        assertEquals(16, GntallocAllocGref.GREF_IDS_OFFSET);
        assertEquals(24, GntallocAllocGref.SIZE);
        assertEquals(0x00184705, GntallocAllocGref.IOCTL);
        assertEquals(1, GntallocAllocGref.FLAG_WRITABLE);
        assertEquals(24, GntallocAllocGref.bytesFor(1), "one page: the struct itself");
        assertEquals(16 + 4 * 1026, GntallocAllocGref.bytesFor(1026), "a default ring's 1026 pages");
    }

    /**
     * {@code struct ioctl_gntdev_grant_ref { uint32_t domid; uint32_t ref; }} is 8; {@code struct
     * ioctl_gntdev_map_grant_ref { uint32_t count; uint32_t pad; uint64_t index; struct ioctl_gntdev_grant_ref
     * refs[1]; }}: count 0, pad 4, index 8, refs 16 (domid 16, ref 20), size 24. {@code _IOC(_IOC_NONE, 'G', 0, 24)}.
     */
    @Test
    void gntdevMapGrantRef() {
        assertEquals(0, GntdevMapGrantRef.COUNT_OFFSET);
        assertEquals(4, GntdevMapGrantRef.PAD_OFFSET);
        assertEquals(8, GntdevMapGrantRef.INDEX_OFFSET);
        assertEquals(16, GntdevMapGrantRef.REFS_OFFSET);
        assertEquals(0, GntdevMapGrantRef.REF_DOMID_OFFSET);
        assertEquals(4, GntdevMapGrantRef.REF_REF_OFFSET);
        assertEquals(8, GntdevMapGrantRef.REF_SIZE);
        assertEquals(24, GntdevMapGrantRef.SIZE);
        assertEquals(0x00184700, GntdevMapGrantRef.IOCTL);
        assertEquals(16 + 8 * 3, GntdevMapGrantRef.refOffset(3));
        assertEquals(16 + 8 * 1026, GntdevMapGrantRef.bytesFor(1026));
    }

    /**
     * {@code struct ioctl_evtchn_bind_interdomain { unsigned int remote_domain, remote_port; }}: 0, 4, size 8;
     * {@code _IOC(_IOC_NONE, 'E' = 0x45, 1, 8)}.
     */
    @Test
    void evtchnBindInterdomain() {
        assertEquals(0, EvtchnBindInterdomain.REMOTE_DOMAIN_OFFSET);
        assertEquals(4, EvtchnBindInterdomain.REMOTE_PORT_OFFSET);
        assertEquals(8, EvtchnBindInterdomain.SIZE);
        assertEquals(0x00084501, EvtchnBindInterdomain.IOCTL);
    }

    /** {@code struct ioctl_evtchn_notify { unsigned int port; }}: size 4; {@code _IOC(_IOC_NONE, 'E', 4, 4)}. */
    @Test
    void evtchnNotify() {
        assertEquals(0, EvtchnNotify.PORT_OFFSET);
        assertEquals(4, EvtchnNotify.SIZE);
        assertEquals(0x00044504, EvtchnNotify.IOCTL);
    }

    @Test
    void ioc_refusesWhatDoesNotFitItsBits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ioc.none('G', 0, 1 << 14));
        assertTrue(e.getMessage().contains("size=16384"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ioc.none('G', 256, 8));
    }

    /**
     * {@code struct ioctl_evtchn_bind_unbound_port { unsigned int remote_domain; }}: 0, size 4;
     * {@code _IOC(_IOC_NONE, 'E', 2, 4)} = 0x04 << 16 | 0x45 << 8 | 2.
     */
    @Test
    void evtchnBindUnboundPort() {
        assertEquals(0, EvtchnBindUnboundPort.REMOTE_DOMAIN_OFFSET);
        assertEquals(4, EvtchnBindUnboundPort.SIZE);
        assertEquals(0x00044502, EvtchnBindUnboundPort.IOCTL);
    }

    /**
     * {@code struct ioctl_gntalloc_unmap_notify} and {@code struct ioctl_gntdev_unmap_notify}, both {@code { uint64_t
     * index; uint32_t action; uint32_t event_channel_port; }}: 0, 8, 12, size 16; {@code _IOC(_IOC_NONE, 'G', 7, 16)}
     * = 0x10 << 16 | 0x47 << 8 | 7 on either device. {@code UNMAP_NOTIFY_CLEAR_BYTE} 1, {@code _SEND_EVENT} 2.
     */
    @Test
    void unmapNotify() {
        assertEquals(0, UnmapNotify.INDEX_OFFSET);
        assertEquals(8, UnmapNotify.ACTION_OFFSET);
        assertEquals(12, UnmapNotify.EVENT_CHANNEL_PORT_OFFSET);
        assertEquals(16, UnmapNotify.SIZE);
        assertEquals(0x00104707, UnmapNotify.GNTALLOC_IOCTL);
        assertEquals(0x00104707, UnmapNotify.GNTDEV_IOCTL);
        assertEquals(1, UnmapNotify.CLEAR_BYTE);
        assertEquals(2, UnmapNotify.SEND_EVENT);
    }

    /**
     * {@code struct ioctl_gntalloc_dealloc_gref { uint64_t index; uint32_t count; }}: 0, 8, 12 rounded up to the
     * u64's 8 = 16; {@code _IOC(_IOC_NONE, 'G', 6, 16)} = 0x00104706.
     */
    @Test
    void gntallocDeallocGref() {
        assertEquals(0, GntallocDeallocGref.INDEX_OFFSET);
        assertEquals(8, GntallocDeallocGref.COUNT_OFFSET);
        assertEquals(16, GntallocDeallocGref.SIZE);
        assertEquals(0x00104706, GntallocDeallocGref.IOCTL);
    }

    /**
     * {@code struct ioctl_gntdev_unmap_grant_ref { uint64_t index; uint32_t count; uint32_t pad; }}: 0, 8, size 16;
     * {@code _IOC(_IOC_NONE, 'G', 1, 16)} = 0x00104701.
     */
    @Test
    void gntdevUnmapGrantRef() {
        assertEquals(0, GntdevUnmapGrantRef.INDEX_OFFSET);
        assertEquals(8, GntdevUnmapGrantRef.COUNT_OFFSET);
        assertEquals(16, GntdevUnmapGrantRef.SIZE);
        assertEquals(0x00104701, GntdevUnmapGrantRef.IOCTL);
    }

    /**
     * {@code struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; }} of xs_wire.h: 0, 4, 8, 12, size 16. The
     * message types count from {@code XS_CONTROL} = 0 in the enum's order: DIRECTORY 1, READ 2, ..., WRITE 11,
     * MKDIR 12, RM 13, SET_PERMS 14, WATCH_EVENT 15, ERROR 16; {@code XENSTORE_PAYLOAD_MAX} 4096.
     */
    @Test
    void xsSockmsg() {
        assertEquals(0, XsSockmsg.TYPE_OFFSET);
        assertEquals(4, XsSockmsg.REQ_ID_OFFSET);
        assertEquals(8, XsSockmsg.TX_ID_OFFSET);
        assertEquals(12, XsSockmsg.LEN_OFFSET);
        assertEquals(16, XsSockmsg.SIZE);
        assertEquals(1, XsSockmsg.XS_DIRECTORY);
        assertEquals(2, XsSockmsg.XS_READ);
        assertEquals(11, XsSockmsg.XS_WRITE);
        assertEquals(12, XsSockmsg.XS_MKDIR);
        assertEquals(13, XsSockmsg.XS_RM);
        assertEquals(14, XsSockmsg.XS_SET_PERMS);
        assertEquals(16, XsSockmsg.XS_ERROR);
        assertEquals(4096, XsSockmsg.PAYLOAD_MAX);
    }

    /**
     * The liveness bytes sit in header bytes no field uses: after AWAKE_WORKERS (int at 132) in the workers' line,
     * after CLIENT_STATE (int at 200) in the client's line.
     */
    @Test
    void livenessBytes() {
        assertEquals(136, XenLiveness.SERVER_ALIVE_OFFSET);
        assertEquals(204, XenLiveness.CLIENT_ALIVE_OFFSET);
        assertEquals(dev.vos.ring.layout.HeaderLayout.CLIENT_STATE_OFFSET + 4, XenLiveness.CLIENT_ALIVE_OFFSET);
    }
}
