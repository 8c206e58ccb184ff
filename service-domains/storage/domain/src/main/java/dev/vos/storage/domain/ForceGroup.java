package dev.vos.storage.domain;

import dev.vos.ring.server.DeferredCall;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel descriptor's forces in a worker's {@link StorageBatch}, across flushes: those the descriptor's fsync in
 * flight will answer, and those that came after it was issued and wait for the next one. At most one fsync per
 * kernel descriptor is in flight (the class comment of {@link StorageBatch} says why). The worker's alone.
 */
final class ForceGroup {

    /** A force waiting for its answer: the deferred call, and the descriptor entry it pins until answered. */
    record Force(DeferredCall call, DescriptorTable table, DescriptorTable.Entry entry) {
    }

    private final int kernelFd;
    private final List<Force> inFlight = new ArrayList<>();
    /** Whether the sync in flight is an fdatasync: every force it answers asked for no more. */
    private boolean inFlightDataOnly;
    private final List<Force> waiting = new ArrayList<>();
    private boolean waitingDataOnly = true;

    ForceGroup(int kernelFd) {
        this.kernelFd = kernelFd;
    }

    int kernelFd() {
        return kernelFd;
    }

    /** Whether a sync of this descriptor was issued and has not completed. */
    boolean syncInFlight() {
        return !inFlight.isEmpty();
    }

    /** Whether forces wait for the next sync. */
    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Whether nothing is in flight and nothing waits: the group can go. */
    boolean isIdle() {
        return inFlight.isEmpty() && waiting.isEmpty();
    }

    /** {@code force} waits for the next sync; an fdatasync ({@code dataOnly}) leaves the group's kind as it is. */
    void add(Force force, boolean dataOnly) {
        waiting.add(force);
        waitingDataOnly &= dataOnly;
    }

    /**
     * The waiting forces go into flight, answered by the sync the caller issues now; returns whether that sync may
     * be an fdatasync (all of them asked for one). Only when no sync is in flight and some force waits.
     */
    boolean issue() {
        if (syncInFlight() || !hasWaiting()) {
            throw new IllegalStateException("fd " + kernelFd + ": in flight " + inFlight.size() + ", waiting "
                    + waiting.size());
        }
        inFlight.addAll(waiting);
        for (Force force : waiting) {
            // Its client sleeps rather than spins through the fsync (a few hundred microseconds): a spinning
            // vCPU slows the virtual disk's fsync itself (docs/storage.md, "A lone forced writer").
            force.call().markWaiting();
        }
        waiting.clear();
        inFlightDataOnly = waitingDataOnly;
        waitingDataOnly = true;
        return inFlightDataOnly;
    }

    /** Whether the sync in flight is an fdatasync. */
    boolean inFlightDataOnly() {
        return inFlightDataOnly;
    }

    /** The forces the sync in flight answers, taken out: it has completed. */
    List<Force> takeInFlight() {
        List<Force> done = List.copyOf(inFlight);
        inFlight.clear();
        return done;
    }

    /** Whether one sync answering every force, in flight and waiting, may be an fdatasync. */
    boolean allDataOnly() {
        return (inFlight.isEmpty() || inFlightDataOnly) && waitingDataOnly;
    }

    /** Every force, in flight or waiting, taken out, for one synchronous sync that answers them all. */
    List<Force> takeAll() {
        List<Force> all = new ArrayList<>(inFlight);
        all.addAll(waiting);
        inFlight.clear();
        waiting.clear();
        waitingDataOnly = true;
        return all;
    }
}
