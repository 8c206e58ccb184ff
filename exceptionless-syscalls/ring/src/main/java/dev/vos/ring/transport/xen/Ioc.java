package dev.vos.ring.transport.xen;

/**
 * The ioctl request numbers of the Xen devices, as {@code _IOC(_IOC_NONE, type, nr, size)} of
 * {@code include/uapi/asm-generic/ioctl.h} encodes them on x86_64: direction in bits 30..31 ({@code _IOC_NONE} = 0),
 * the argument's size in bits 16..29, the type letter in bits 8..15, the number in bits 0..7. The Xen headers declare
 * every one of theirs {@code _IOC_NONE}, although the kernel reads and writes the argument.
 */
public final class Ioc {

    /** {@code _IOC_SIZEBITS}: the size field holds less than 2^14 bytes. */
    static final int SIZE_BITS = 14;

    private Ioc() {
    }

    /**
     * {@code _IOC(_IOC_NONE, type, nr, size)}.
     *
     * @throws IllegalArgumentException if a field does not fit its bits
     */
    public static int none(char type, int nr, long size) {
        if (type > 0xff || nr < 0 || nr > 0xff || size < 0 || size >= 1L << SIZE_BITS) {
            throw new IllegalArgumentException("type=" + (int) type + ", nr=" + nr + ", size=" + size
                    + ": an ioctl number holds an 8-bit type and number and a 14-bit size");
        }
        return (int) (size << 16) | type << 8 | nr;
    }
}
