package dev.vos.ring.transport;

/** Which end of a ring a doorbell belongs to. */
public enum Side {
    /** The side that created the segment and makes calls. */
    CLIENT,
    /** The side that attached to it and serves the calls (its workers). */
    SERVER
}
