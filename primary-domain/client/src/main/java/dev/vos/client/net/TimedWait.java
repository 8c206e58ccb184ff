package dev.vos.client.net;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SO_TIMEOUT on a blocking net0 channel: a read or an accept that waits at most so long, and the turn it waits for
 * under its channel's lock. The domain keeps no timers and a call in the ring cannot be taken back, so no timed
 * operation waits in the domain: it tries without waiting, and while it finds nothing, waits on a selector of its
 * own for the rest of the time, then tries again ({@link #until}).
 */
final class TimedWait {

    private TimedWait() {
    }

    /** One try of a timed operation, which never waits in the domain: its result, or null when there was none yet. */
    @FunctionalInterface
    interface Attempt<T> {
        T tryNow() throws IOException;
    }

    /**
     * Tries {@code attempt} until it gives a result or {@code deadline} ({@link System#nanoTime}) passes, waiting for
     * {@code ops} on {@code channel} in between; then {@code SocketTimeoutException(timedOut)}, the default provider's
     * text, with the channel left open.
     *
     * <p>A selector may report the channel ready when another thread already took what was there (stale readiness,
     * see docs/network.md); the try after it finds nothing and the loop waits on, where a blocking call would wait
     * past the timeout. The channel is registered with the selector through the selector's SPI, since a blocking
     * channel may not register itself: its mode and its keys are never touched, so other threads' calls on it find
     * it as the program left it. A channel that another thread closes meanwhile ends the wait with
     * {@code AsynchronousCloseException}, as the default provider's blocking calls report it (NetDifferentialTest's
     * close during a timed read and accept).
     */
    static <T> T until(final AbstractSelectableChannel channel, final int ops, final long deadline,
                       final Attempt<T> attempt, final String timedOut) throws IOException {
        VosSelector selector = null;
        try {
            while (true) {
                final T result = attempt.tryNow();
                if (result != null) {
                    return result;
                }
                final long leftNs = deadline - System.nanoTime();
                if (leftNs <= 0) {
                    if (!channel.isOpen()) {
                        throw new AsynchronousCloseException();
                    }
                    throw new SocketTimeoutException(timedOut);
                }
                if (selector == null) {
                    selector = (VosSelector) channel.provider().openSelector();
                    selector.register(channel, ops, null);
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs)));
                selector.selectedKeys().clear();
            }
        } catch (ClosedChannelException e) {
            // The caller found the channel open before the first try: a close since was another thread's.
            throw e.getClass() == ClosedChannelException.class ? new AsynchronousCloseException() : e;
        } finally {
            if (selector != null) {
                selector.close();
            }
        }
    }

    /**
     * Takes {@code lock} within {@code timeoutMs}, as NioSocketImpl's {@code tryLock}: an interrupt does not end the
     * wait (the thread's status is set again after it). The nanoseconds of the timeout left once it is held; 0 or
     * less, and the lock not held, when the time ran out first. For a socket's read lock and a listener's accept
     * lock: timed calls take turns, and the wait for a turn counts against the timeout.
     */
    static long lockWithin(final ReentrantLock lock, final int timeoutMs) {
        final long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final long start = System.nanoTime();
        long left = nanos;
        boolean acquired = false;
        boolean interrupted = false;
        while (!acquired && left > 0) {
            try {
                acquired = lock.tryLock(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            left = nanos - (System.nanoTime() - start);
        }
        if (acquired && left <= 0) {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return left;
    }
}
