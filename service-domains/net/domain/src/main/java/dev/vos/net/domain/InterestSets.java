package dev.vos.net.domain;

import dev.vos.net.protocol.NetCalls;
import dev.vos.net.protocol.NetCalls.Ready;
import dev.vos.net.protocol.NetCalls.Watch;
import dev.vos.ring.server.CallTable;
import dev.vos.ring.server.ServerCall;
import dev.vos.sys.Errno;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * watch and ready: a selector's interest set kept in the domain ({@link InterestSet}, one per waker). watch names
 * only the changes; ready looks at the candidates only, takes the epoll's edges (one trap) if none is ready, and
 * otherwise waits, answered by the first member an edge makes ready or by a wake.
 */
final class InterestSets {

    private InterestSets() {
    }

    /** Registers watch and ready. */
    static void register(CallTable.Builder table) {
        table.add(NetCalls.WATCH, "watch", InterestSets::watch)
                .addMayWait(NetCalls.READY, "ready", InterestSets::ready);
    }

    /** The waker {@code fd} names, or null: no descriptor of the session (EBADF). */
    private static NetSocket wakerOf(ServerCall call, long fd) {
        return ((SocketTable) call.session()).get(fd);
    }

    private static long watch(ServerCall call) {
        long count = call.arg(Watch.COUNT);
        if (count < 1 || count > NetCalls.MAX_POLLSET_ENTRIES) {
            return -Errno.EINVAL;
        }
        NetSocket waker = wakerOf(call, call.arg(Watch.FD));
        long error = waker == null ? -Errno.EBADF : waker.wakerError();
        if (error != 0) {
            return error;
        }
        InterestSet set = waker.interestSet(); // a waker closed since: its set is closed, and changes nothing
        int n = (int) count;
        MemorySegment entries = call.data(call.arg(Watch.ENTRIES_OFFSET), count * NetCalls.POLLSET_ENTRY_BYTES);
        if (entries == null) {
            return -Errno.EFAULT;
        }
        PollEntries read = PollEntries.read(entries, n); // all checked before any is applied
        if (read == null) {
            return -Errno.EINVAL;
        }
        long[] fds = read.fds();
        int[] events = read.events();
        SocketTable table = (SocketTable) call.session();
        long applied = 0;
        for (int i = 0; i < n; i++) {
            int found = apply(set, table.get(fds[i]), fds[i], events[i]) ? 0 : NetCalls.POLLNVAL;
            applied += found == 0 ? 1 : 0;
            entries.set(JAVA_INT_UNALIGNED, (long) i * NetCalls.POLLSET_ENTRY_BYTES
                    + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, found);
        }
        return applied;
    }

    /** One change of {@code set}; false if {@code socket} is no open socket of the session (or is a waker). */
    private static boolean apply(InterestSet set, NetSocket socket, long number, int events) {
        if (socket == null) {
            return false;
        }
        synchronized (socket) {
            if (socket.isClosed() || socket.isWaker()) {
                return false;
            }
            if (events == 0) {
                socket.leave(set);
            } else {
                socket.join(set, number, events); // a candidate at once: it may be ready already
            }
            return true;
        }
    }

    private static long ready(ServerCall call) {
        long room = call.arg(Ready.ROOM);
        long flags = call.arg(Ready.FLAGS);
        if (room < 1 || room > NetCalls.MAX_POLLSET_ENTRIES || (flags & ~(long) NetCalls.NO_WAIT) != 0) {
            return -Errno.EINVAL;
        }
        NetSocket waker = wakerOf(call, call.arg(Ready.FD));
        long error = waker == null ? -Errno.EBADF : waker.wakerError();
        if (error != 0) {
            return error;
        }
        InterestSet set = waker.interestSet(); // a waker closed since: its set is closed, and changes nothing
        MemorySegment entries = call.data(call.arg(Ready.ENTRIES_OFFSET), room * NetCalls.POLLSET_ENTRY_BYTES);
        if (entries == null) {
            return -Errno.EFAULT;
        }
        boolean drained = false;
        while (true) {
            int written = look(set, entries, (int) room);
            if (written > 0) {
                return written;
            }
            if (!drained) {
                // None known ready: take the edges the epoll holds (one trap for all), which make candidates.
                set.loopDrain();
                drained = true;
                continue;
            }
            if ((flags & NetCalls.NO_WAIT) != 0) {
                return 0;
            }
            long parked = set.park(call, entries);
            if (parked != 0) {
                return parked; // waits (DEFERRED), or EBUSY, EBADF
            }
            // a candidate came after the look: look again
        }
    }

    /**
     * Looks at every candidate of {@code set}, each under its socket's monitor, writing up to {@code room} entries
     * for those ready; drops the others. The number written.
     */
    private static int look(InterestSet set, MemorySegment entries, int room) {
        int written = 0;
        for (NetSocket socket : set.candidates()) {
            if (written == room) {
                break;
            }
            synchronized (socket) {
                InterestSet.Member member = set.member(socket);
                if (member == null) {
                    continue; // left the set since the snapshot
                }
                int found = PollSets.lookLocked(socket, member.events());
                if (found == 0) {
                    set.drop(socket);
                } else {
                    InterestSet.write(entries, written++, member, found);
                    set.reported(socket);
                }
            }
        }
        return written;
    }
}
