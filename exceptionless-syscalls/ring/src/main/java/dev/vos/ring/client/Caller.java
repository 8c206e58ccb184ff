package dev.vos.ring.client;

import dev.vos.ring.DomainFailedException;

/**
 * What a call is issued on: its number and six arguments in, the result out. A held {@link CallSlot} runs it
 * on itself; a {@link CallSource} takes a slot for it. A service's protocol writes its encoders against this
 * (one static method per call, taking primitives), so that the argument order of each call is written once, in
 * the protocol, and every client issues it the same way on whichever of the two it holds.
 */
@FunctionalInterface
public interface Caller {

    /**
     * Runs call {@code callNumber} with arguments {@code a0..a5}.
     *
     * @return the result in the kernel's convention: a value that is not negative, or {@code -errno}
     * @throws DomainFailedException if the domain failed, hung or stopped before the call completed
     */
    long call(int callNumber, long a0, long a1, long a2, long a3, long a4, long a5) throws DomainFailedException;
}
