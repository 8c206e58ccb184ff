package dev.vos.perf;

/** A collector could not start or go on; the message says why, in words meant for the person running it. */
public class PerfException extends Exception {

    public PerfException(String message) {
        super(message);
    }
}
