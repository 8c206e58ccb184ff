/**
 * Layout descriptors for a Xen transport of the ring (not yet a transport: no segment, doorbell or peer watch here
 * yet): the argument structs and request numbers of the {@code /dev/xen/gntalloc}, {@code /dev/xen/gntdev} and
 * {@code /dev/xen/evtchn} ioctls it will make through FFM, from the Linux uapi headers, checked by
 * {@code XenIoctlLayoutTest} against values computed by hand from the header text. The transport's shape is in
 * docs/ring-protocol.md, section 15.
 */
package dev.vos.ring.transport.xen;
