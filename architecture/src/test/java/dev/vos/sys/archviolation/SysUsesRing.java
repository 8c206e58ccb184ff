package dev.vos.sys.archviolation;

import dev.vos.ring.RingSegment;

/** A system-call class that knows the ring above it. */
public final class SysUsesRing {
    RingSegment segment;
}
