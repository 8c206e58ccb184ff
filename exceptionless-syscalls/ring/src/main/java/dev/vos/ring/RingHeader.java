package dev.vos.ring;

import dev.vos.ring.layout.HeaderLayout;
import dev.vos.ring.layout.RingGeometry;
import dev.vos.ring.layout.SlotLayout;

import java.io.IOException;

import static dev.vos.ring.layout.HeaderLayout.*;

/**
 * Writes a new segment's header (the creator) and checks an existing one (the attacher). The attacher copies the
 * geometry out once, validates it against the mapped size, and from then on uses only its own copy: a client that
 * rewrites its header later changes nothing on the server.
 */
public final class RingHeader {

    private RingHeader() {
    }

    /**
     * Formats a freshly created segment: geometry, empty queue, free slots; then publishes {@link
     * HeaderLayout#VERSION} with a release store, so that an attacher that reads the version (acquire) sees the rest.
     */
    public static void format(RingSegment segment, RingGeometry geometry, long generation) {
        segment.setLongPlain(MAGIC_OFFSET, MAGIC_VALUE);
        segment.setIntPlain(SLOT_COUNT_OFFSET, geometry.slotCount());
        segment.setIntPlain(DATA_BYTES_PER_SLOT_OFFSET, geometry.dataBytesPerSlot());
        segment.setLongPlain(SEGMENT_BYTES_OFFSET, geometry.segmentBytes());
        segment.setLongPlain(GENERATION_OFFSET, generation);
        segment.setLongPlain(LIVENESS_TIMEOUT_NS_OFFSET, geometry.livenessTimeoutNs());
        segment.setLongPlain(CREATED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        segment.setIntPlain(SERVER_STATE_OFFSET, SERVER_NEW);
        segment.setIntPlain(CLIENT_STATE_OFFSET, CLIENT_ATTACHED);
        new SubmitQueue(segment, geometry).format();
        for (int slot = 0; slot < geometry.slotCount(); slot++) {
            segment.setLongPlain(geometry.slotOffset(slot) + SlotLayout.CONTROL_OFFSET, SlotLayout.FREE);
        }
        segment.setIntRelease(VERSION_OFFSET, VERSION);
    }

    /**
     * Reads and checks the geometry of a mapped segment. Every failure names the field, what it holds and what was
     * expected.
     */
    public static RingGeometry validate(RingSegment segment) throws RingFormatException {
        if (segment.byteSize() < HEADER_BYTES) {
            throw new RingFormatException(segment, "file is " + segment.byteSize() + " bytes, smaller than the "
                    + HEADER_BYTES + "-byte header");
        }
        long magic = segment.getLongPlain(MAGIC_OFFSET);
        if (magic != MAGIC_VALUE) {
            throw new RingFormatException(segment, String.format("MAGIC is 0x%016x, expected 0x%016x (\"VOSRING1\"):"
                    + " not a vos ring segment", magic, MAGIC_VALUE));
        }
        int version = segment.getIntAcquire(VERSION_OFFSET);
        if (version != VERSION) {
            throw new RingFormatException(segment, "VERSION is " + version + ", this build reads version " + VERSION
                    + ": client and server must come from compatible vos releases");
        }
        RingGeometry geometry;
        try {
            geometry = new RingGeometry(segment.getIntPlain(SLOT_COUNT_OFFSET),
                    segment.getIntPlain(DATA_BYTES_PER_SLOT_OFFSET), segment.getLongPlain(LIVENESS_TIMEOUT_NS_OFFSET));
        } catch (IllegalArgumentException e) {
            throw new RingFormatException(segment, "bad geometry: " + e.getMessage());
        }
        long declared = segment.getLongPlain(SEGMENT_BYTES_OFFSET);
        if (declared != geometry.segmentBytes() || segment.byteSize() != geometry.segmentBytes()) {
            throw new RingFormatException(segment, "SEGMENT_BYTES is " + declared + " and the file is "
                    + segment.byteSize() + " bytes, but the geometry " + geometry + " needs "
                    + geometry.segmentBytes());
        }
        return geometry;
    }

    /** The generation written by the creator. */
    public static long generation(RingSegment segment) {
        return segment.getLongPlain(GENERATION_OFFSET);
    }

    /** A segment that is not a valid vos ring. */
    public static final class RingFormatException extends IOException {
        RingFormatException(RingSegment segment, String problem) {
            super(segment.name() + ": " + problem);
        }
    }
}
