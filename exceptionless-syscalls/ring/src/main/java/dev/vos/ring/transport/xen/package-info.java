/**
 * The Xen transport of the ring: grant-shared pages ({@link dev.vos.ring.transport.xen.GrantSegment}: gntalloc on
 * the granting side, gntdev on the mapping side), an interdomain event channel as the doorbell ({@link
 * dev.vos.ring.transport.xen.EventChannelDoorbell}), the server's liveness byte and its domain's state as the peer
 * watch, and a rendezvous through xenstore ({@link dev.vos.ring.transport.xen.XenRendezvous} over {@link
 * dev.vos.ring.transport.xen.XenStore}, the wire protocol on {@code /dev/xen/xenbus}). Everything through FFM
 * {@code ioctl}, {@code mmap}, {@code read}, {@code write} and {@code poll}; the argument structs are layout
 * descriptors here, checked by {@code XenIoctlLayoutTest} against values computed by hand from the headers. The
 * shape and its reasons: docs/ring-protocol.md, section 15.
 */
package dev.vos.ring.transport.xen;
