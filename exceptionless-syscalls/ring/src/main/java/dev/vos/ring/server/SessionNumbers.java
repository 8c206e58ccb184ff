package dev.vos.ring.server;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The numbers one client session's objects go by (the storage domain's descriptors, the net domain's sockets): a
 * number is {@code nonce << 32 | serial}.
 * <ul>
 *   <li>The <b>nonce</b> is drawn at random for the session (31 bits, never 0), so a number of another session, or
 *       of an ended one, names nothing here even where its serial is in use: a client that re-attached cannot reach
 *       the new session's objects with an old channel's number.</li>
 *   <li>The <b>serial</b> counts up from {@link #FIRST} and is <b>not reused</b> when its object is removed: a
 *       number comes back only after the session has been handed {@code 2^32 - 3} numbers since (and never while
 *       it is mapped). The kernel reuses the lowest free descriptor at once; a domain must not, because a client's
 *       call is not executed when the client decided to make it. A call on number 5 still in the ring (or between
 *       a thread's check and its submission) while another thread closes 5 and a third opens a socket would land
 *       on the third thread's socket if that socket were numbered 5 again; with a fresh serial it is EBADF, as
 *       the call on a closed descriptor it is.</li>
 * </ul>
 * Lookups are an array index and two compares: the serial's low bits pick a slot of a power-of-two table kept at
 * most half full (so a new serial finds a free slot in a step or two), and the slot's serial must match. Nothing on
 * the hot path allocates.
 *
 * <p>Not thread-safe: its owner (a descriptor or socket table) calls it under its own monitor.
 *
 * @param <T> what a number names
 */
public final class SessionNumbers<T> {

    /** The first serial handed out: 0, 1 and 2 look like stdin/stdout/stderr to a POSIX-minded client. */
    public static final int FIRST = 3;
    /** The largest nonce: 31 bits, so that every number is a positive long. */
    public static final int MAX_NONCE = Integer.MAX_VALUE;
    private static final long SERIAL_MASK = 0xFFFF_FFFFL;
    /** Nonces must not be guessable by another session's client: one guess is one call, 2^31 of them. */
    private static final SecureRandom NONCES = new SecureRandom();
    private static final int INITIAL_SLOTS = 16;
    /** The largest table: half of it may be in use, so at most 2^29 objects per session, whatever {@code max} says. */
    private static final int MAX_SLOTS = 1 << 30;

    /** The session's nonce, in place: the high half every number of this session carries. */
    private final long tag;
    private final int max;
    private Object[] values = new Object[INITIAL_SLOTS];
    private int[] serials = new int[INITIAL_SLOTS];
    /** The next serial to try, as an unsigned int. */
    private int next = FIRST;
    private int size;

    /** Numbers for a session with a random nonce, at most {@code max} mapped at once. */
    public SessionNumbers(int max) {
        this(1 + NONCES.nextInt(MAX_NONCE), max);
    }

    /** Numbers with the nonce {@code nonce} (1..{@link #MAX_NONCE}): tests that need known numbers. */
    public SessionNumbers(int nonce, int max) {
        if (nonce < 1) {
            throw new IllegalArgumentException("nonce=" + nonce + ": must be in [1, " + MAX_NONCE + "]");
        }
        if (max < 1) {
            throw new IllegalArgumentException("max=" + max + ": must be positive");
        }
        this.tag = (long) nonce << 32;
        this.max = Math.min(max, MAX_SLOTS / 2);
    }

    /** Whether {@code max} numbers are mapped: {@link #add} would refuse (the caller's EMFILE). */
    public boolean full() {
        return size >= max;
    }

    /** How many numbers are mapped. */
    public int size() {
        return size;
    }

    /** Maps {@code value} to a number never handed out in this session before (see the class); -1 if {@link #full}. */
    public long add(T value) {
        if (full()) {
            return -1;
        }
        if (2 * (size + 1) > values.length) {
            grow();
        }
        int mask = values.length - 1;
        int serial = next;
        while (values[serial & mask] != null || Integer.compareUnsigned(serial, FIRST) < 0) {
            serial++; // a slot held by a live serial (at most half are), or the wrap past 2^32 - 1 into 0..2
        }
        next = serial + 1;
        values[serial & mask] = value;
        serials[serial & mask] = serial;
        size++;
        return tag | (serial & SERIAL_MASK);
    }

    /** What {@code number} names, or null: not this session's, never handed out, or removed. */
    public T get(long number) {
        int slot = slot(number);
        return slot < 0 ? null : value(slot);
    }

    /** Unmaps {@code number} and returns what it named, or null (as {@link #get}). */
    public T remove(long number) {
        int slot = slot(number);
        if (slot < 0) {
            return null;
        }
        T value = value(slot);
        values[slot] = null;
        size--;
        return value;
    }

    /** Every mapped number, in the order they were handed out (from the oldest serial still mapped). */
    public List<Long> numbers() {
        List<Long> out = new ArrayList<>(size);
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                out.add(tag | (serials[i] & SERIAL_MASK));
            }
        }
        // Serials count up from where the oldest live one was: sort by distance below `next`, unsigned.
        out.sort((a, b) -> Integer.compareUnsigned(next - (int) (long) b, next - (int) (long) a));
        return out;
    }

    /** Unmaps every number; returns what they named. */
    public List<T> clear() {
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                out.add(value(i));
                values[i] = null;
            }
        }
        size = 0;
        return out;
    }

    /** The slot {@code number} is mapped in, or -1. */
    private int slot(long number) {
        if ((number & ~SERIAL_MASK) != tag) {
            return -1; // another session's number (or a forged one), whatever its serial
        }
        int serial = (int) number;
        int slot = serial & (values.length - 1);
        return values[slot] != null && serials[slot] == serial ? slot : -1;
    }

    @SuppressWarnings("unchecked")
    private T value(int slot) {
        return (T) values[slot];
    }

    /**
     * Doubles the table. Two live serials in different slots stay in different slots (the new mask keeps the old
     * one's bits), so the entries move without collisions.
     */
    private void grow() {
        Object[] oldValues = values;
        int[] oldSerials = serials;
        values = new Object[oldValues.length * 2];
        serials = new int[oldValues.length * 2];
        int mask = values.length - 1;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                values[oldSerials[i] & mask] = oldValues[i];
                serials[oldSerials[i] & mask] = oldSerials[i];
            }
        }
    }
}
