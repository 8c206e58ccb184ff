package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.server.DeferredCall;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A waker's interest set: sockets of the session and the events asked of each, kept between calls, and the members
 * that may be ready now (<em>candidates</em>). A member becomes a candidate when it joins and whenever what its
 * socket is known ready for grows ({@link NetSocket#known}: an epoll edge, a send that found the peer gone, a wake);
 * a look that finds a candidate not ready drops it. So a {@code ready} call looks at the candidates only, and costs
 * what is ready, not what is registered.
 *
 * <p>Lock order: a socket's monitor, then a set's; a set never takes a socket's. Members are changed and candidates
 * dropped under the socket's monitor too, so that an edge (which needs it) cannot come between a look that found the
 * socket not ready and the drop: every edge after the drop makes the socket a candidate again.
 */
final class InterestSet {

    /** A member's number in the session's table, and the events asked of it. */
    record Member(long number, int events) {
    }

    private final Readiness.Loop loop;
    private final Map<NetSocket, Member> members = new HashMap<>();
    /** Members that may be ready, in the order they are to be looked at (reported ones move to the end). */
    private final LinkedHashSet<NetSocket> candidates = new LinkedHashSet<>();
    /** The one ready call that waits, and the payload it answers in; or null. */
    private DeferredCall parked;
    private MemorySegment parkedEntries;
    private boolean closed;

    InterestSet(Readiness.Loop loop) {
        this.loop = loop;
    }

    /** Puts {@code socket} in (or changes its events); a candidate at once. Under the socket's monitor. */
    synchronized void put(NetSocket socket, long number, int events) {
        if (closed) {
            return;
        }
        members.put(socket, new Member(number, events));
        candidates.add(socket);
    }

    /** Takes {@code socket} out, if it is a member. Under the socket's monitor. */
    synchronized void remove(NetSocket socket) {
        members.remove(socket);
        candidates.remove(socket);
    }

    /** Takes the edges the epoll holds now, dispatched: they make candidates. Under no monitor. */
    void loopDrain() {
        loop.drainNow();
    }

    /**
     * {@code socket} closed: it leaves the set, and a ready call that waits is answered with its entry
     * {@link NetCalls#POLLNVAL}, as a pollset is, so that a thread closing a channel ends another's wait on it.
     * Under the socket's monitor.
     */
    synchronized void closed(NetSocket socket) {
        Member member = members.remove(socket);
        candidates.remove(socket);
        if (member != null && parked != null) {
            write(parkedEntries, 0, member, NetCalls.POLLNVAL);
            answer(1);
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** {@code socket}'s membership, or null. Under the socket's monitor. */
    synchronized Member member(NetSocket socket) {
        return members.get(socket);
    }

    /** The candidates now, in look order. */
    synchronized NetSocket[] candidates() {
        return candidates.toArray(NetSocket[]::new);
    }

    /** A look found {@code socket} not ready: no longer a candidate. Under the socket's monitor. */
    synchronized void drop(NetSocket socket) {
        candidates.remove(socket);
    }

    /** A look reported {@code socket}: looked at last next time, so that no member starves. Under its monitor. */
    synchronized void reported(NetSocket socket) {
        if (candidates.remove(socket)) {
            candidates.add(socket);
        }
    }

    /**
     * What {@code socket} is known ready for grew: a member becomes a candidate, and answers the ready call that
     * waits, if it is ready for its events. Under the socket's monitor.
     */
    synchronized void offer(NetSocket socket) {
        Member member = closed ? null : members.get(socket);
        if (member == null) {
            return;
        }
        candidates.add(socket);
        if (parked == null) {
            return;
        }
        int found = PollSets.lookLocked(socket, member.events());
        if (found == 0 || parked == null) {
            return; // not ready; or the look's own poll(2) told this set, which answered already
        }
        write(parkedEntries, 0, member, found);
        reported(socket);
        answer(1);
    }

    /**
     * The ready call {@code call} found nothing: it waits, answering in {@code entries}; or, if a candidate came
     * since its look, 0 (look again), or EBUSY (another waits) or EBADF (the waker closed).
     */
    synchronized long park(ServerCall call, MemorySegment entries) {
        if (closed) {
            return -Errno.EBADF;
        }
        if (parked != null) {
            return -Errno.EBUSY;
        }
        if (!candidates.isEmpty()) {
            return 0;
        }
        parked = call.defer();
        parked.markWaiting(); // under the monitor offer answers under: it cannot answer before this
        parkedEntries = entries;
        loop.parked(1); // idle workers ask the epoll while a call waits
        return ServerCall.DEFERRED;
    }

    /** The waker closed: the call that waits is answered EBADF, and the set holds nothing from now on. */
    synchronized void close() {
        closed = true;
        members.clear();
        candidates.clear();
        if (parked != null) {
            answer(-Errno.EBADF);
        }
    }

    private void answer(long result) {
        DeferredCall call = parked;
        parked = null;
        parkedEntries = null;
        loop.parked(-1);
        call.complete(result);
    }

    /** Writes entry {@code index}: the member's number, its events, and the events found. */
    static void write(MemorySegment entries, int index, Member member, int found) {
        long at = (long) index * NetCalls.POLLSET_ENTRY_BYTES;
        entries.set(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET, member.number());
        entries.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_EVENTS_OFFSET, member.events());
        entries.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, found);
    }
}
