package dev.vos.ring.transport;

import java.io.IOException;

/**
 * The creating side of a transport: makes a fresh segment of a given size, which only this process has mapped so far
 * (the client creates a ring's segment, then hands it to its server by the transport's own means: a path, a
 * descriptor over a socket, grant references in xenstore).
 */
@FunctionalInterface
public interface SegmentMaker {

    /** A fresh segment of exactly {@code bytes} bytes, zero-filled. */
    Segment create(long bytes) throws IOException;
}
