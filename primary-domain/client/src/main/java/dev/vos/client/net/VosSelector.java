package dev.vos.client.net;

import dev.vos.client.DescriptorLostException;
import dev.vos.client.DomainHandle;
import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.DomainFailedException;
import dev.vos.ring.client.CallSlot;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A {@link Selector} over net-domain channels. Its <em>waker</em> (a descriptor of the session that {@code wake}
 * makes readable) holds an interest set in the domain, kept between selects: a select sends one {@code watch} naming
 * only the keys whose interest changed since the last one (and the cancelled ones), then one {@code ready}, which
 * answers the members found ready and the waker. So a select costs what changed and what is ready, not what is
 * registered, as the default provider's epoll selector. It waits in the domain, holding one slot of the ring and no
 * worker; the calling thread parks in the ring's wait (a virtual thread unmounts), it never spins past the ring's
 * short spin.
 *
 * <p><b>Waking.</b> {@link #wakeup()} during a select sends {@code wake} on another slot: the domain answers the
 * waiting ready at once. A wake that reaches the domain before the ready does is kept by the waker (a flag in the
 * domain) and answers it on arrival, so no interleaving of the two loses it. A {@code wakeup()} when no select waits
 * makes the next select return at once (it polls without waiting), as the JDK's; {@link #selectNow()} clears it. A wake
 * that was sent during a select the domain answered for another reason is used up before that select returns (one
 * more poll that does not wait), so it does not end the next one. A timed select schedules its own wake on a timer
 * thread of the provider (the domain keeps no timers); an interrupt of the selecting thread wakes it through
 * {@link #begin()}.
 *
 * <p><b>A dead domain.</b> A channel whose descriptor belongs to a session that ended (the domain died) cannot be
 * polled: the select reports it ready for every operation of interest at once, without waiting, and the program's
 * next call on it throws. A select whose own call fails with the domain reports every channel of it so. A
 * select with no channel of interest makes no call: it waits in this JVM for a wakeup, an interrupt or its timeout.
 *
 * <p><b>Pipes.</b> The ends of this provider's {@link VosPipe} are looked at in this JVM before the select waits and
 * after; a change to a pipe calls {@link #localEvent()}, which ends a select that waits (as a wakeup that does not
 * carry over) or keeps one about to wait from waiting.
 */
final class VosSelector extends AbstractSelector {

    private static final long NOW = -1;
    private static final long FOREVER = 0;

    private final NetClient client;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new Ungrowable(selected);

    /** Guards the wake state below: who may wake the select that waits, and whether one must. */
    private final Object wakeLock = new Object();
    private boolean selecting;
    /** A select with no channel of the domain's waits here, in this JVM, for a wakeup, a pipe or its timeout. */
    private boolean waitingLocally;
    /** A pipe registered here changed since the select began looking at pipes: it must not wait. */
    private boolean localChanged;
    private boolean wakeupPending;
    private boolean woken;
    private int wakesInFlight;
    private long selectNumber;
    /** The waker of the session the last select went to; made again on a new session. */
    private DomainHandle waker;

    /** Keys whose interest changed (or that are new) since the last select: what its watch names. Any thread. */
    private final Set<VosSelectionKey> changed = ConcurrentHashMap.newKeySet();
    /** The keys of pipe ends, looked at in this JVM. */
    private final Set<VosSelectionKey> locals = ConcurrentHashMap.newKeySet();
    // Under the select's lock (this, then publicSelected):
    /** The domain's interest set of {@link #membersOf}: its members' descriptors, and their keys. */
    private final Map<Long, VosSelectionKey> members = new HashMap<>();
    /** The waker whose set {@link #members} is; null before the first select and after the domain failed. */
    private DomainHandle membersOf;
    /** Descriptors of cancelled members, taken out of the set by the next watch. */
    private final List<Long> leaving = new ArrayList<>();
    /** Keys whose descriptor is of an ended session: ready for their interest at each select until cancelled. */
    private final Set<VosSelectionKey> lost = new HashSet<>();

    VosSelector(final VosSelectorProvider provider, final NetClient client) {
        super(provider);
        this.client = client;
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(NOW);
    }

    @Override
    public int select(final long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(timeout == 0 ? FOREVER : timeout);
    }

    @Override
    public int select() throws IOException {
        return doSelect(FOREVER);
    }

    @Override
    public Selector wakeup() {
        wake(-1);
        return this;
    }

    @Override
    protected SelectionKey register(final AbstractSelectableChannel ch, final int ops, final Object att) {
        if (!(ch instanceof Selectable selectable)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        final VosSelectionKey key = new VosSelectionKey(ch, selectable, this);
        if (selectable instanceof LocalSelectable local) {
            local.buffer().watch(this);
            locals.add(key);
        }
        key.attach(att);
        key.interestOps(ops);
        keys.add(key);
        return key;
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelected) {
                for (SelectionKey key : keys) {
                    key.cancel();
                }
                processCancelled();
                final DomainHandle last;
                synchronized (wakeLock) {
                    last = waker;
                    waker = null;
                }
                if (last != null) {
                    try {
                        client.close(last);
                    } catch (IOException gone) {
                        // the domain died and took the waker with it
                    }
                }
            }
        }
    }

    /** Deregisters the keys cancelled since the last look: they leave the key and selected sets. */
    private void processCancelled() {
        final Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (SelectionKey k : cancelled) {
                final VosSelectionKey key = (VosSelectionKey) k;
                keys.remove(key);
                selected.remove(key);
                changed.remove(key);
                lost.remove(key);
                if (key.memberFd() >= 0) {
                    members.remove(key.memberFd());
                    leaving.add(key.memberFd()); // the channel may live on (a key cancelled alone): out of the set
                    key.member(-1, 0);
                }
                deregister(key);
                if (key.selectable() instanceof LocalSelectable local && locals.remove(key) && locals.stream()
                        .noneMatch(other -> ((LocalSelectable) other.selectable()).buffer() == local.buffer())) {
                    local.buffer().unwatch(this);
                }
            }
            cancelled.clear();
        }
    }

    private int doSelect(final long timeoutMs) throws IOException {
        synchronized (this) {
            ensureOpen();
            synchronized (publicSelected) {
                processCancelled();
                synchronized (wakeLock) {
                    localChanged = false; // from here on, a pipe's change is seen by the look below or ends the wait
                }
                int updated = lookLocally();
                final long timeout = updated > 0 ? NOW : timeoutMs;
                if (!waitsOnDomain()) {
                    waitLocally(timeout); // nothing of the domain's to wait for: no slot, no call
                    updated += lookLocally();
                    processCancelled();
                    return updated;
                }
                CallSlot slot;
                try {
                    slot = client.calls().acquire();
                } catch (DomainFailedException down) {
                    return updated + reportAllWatched(); // every channel is of the dead session: its next call fails
                }
                try (CallSlot held = slot) {
                    updated += poll(held, timeout);
                }
                updated += lookLocally();
                processCancelled();
                return updated;
            }
        }
    }

    /**
     * Whether this select has something of the domain's to wait for: a member of the set, a lost key with interest,
     * or a key with interest to add. (Descriptors leaving alone do not need the call: the next select's takes them
     * out before it waits.)
     */
    private boolean waitsOnDomain() {
        if (!members.isEmpty() || lostWithInterest()) {
            return true;
        }
        for (VosSelectionKey key : changed) {
            if (key.isValid() && key.interestNow() != 0 && !(key.selectable() instanceof LocalSelectable)) {
                return true;
            }
        }
        return false;
    }

    private boolean lostWithInterest() {
        for (VosSelectionKey key : lost) {
            if (key.isValid() && key.interestNow() != 0) {
                return true;
            }
        }
        return false;
    }

    /** The pipe ends that are ready now: the keys whose ready set that updated. */
    private int lookLocally() {
        int updated = 0;
        for (VosSelectionKey key : locals) {
            if (key.isValid() && key.interestNow() != 0) {
                updated += ready(key, ((LocalSelectable) key.selectable()).readyOps(key.interestNow()));
            }
        }
        return updated;
    }

    /**
     * The domain failed: every key of its channels is ready for all its interest (the program's next call on it
     * meets the failure), and the set died with the session: each key is added anew to the next session's.
     */
    private int reportAllWatched() {
        int updated = 0;
        for (SelectionKey k : keys) {
            final VosSelectionKey key = (VosSelectionKey) k;
            if (!(key.selectable() instanceof LocalSelectable)) {
                updated += ready(key, key.interestNow());
            }
        }
        startOver(null);
        return updated;
    }

    /** The set is {@code set}'s from now on (null: none), empty: every key with interest is added anew. */
    private void startOver(final DomainHandle set) {
        membersOf = set;
        members.clear();
        leaving.clear();
        for (SelectionKey k : keys) {
            final VosSelectionKey key = (VosSelectionKey) k;
            key.member(-1, 0);
            if (!(key.selectable() instanceof LocalSelectable)) {
                changed.add(key);
            }
        }
    }

    private int ready(final VosSelectionKey key, final int ops) {
        if (ops == 0 || !key.isValid()) {
            return 0;
        }
        if (selected.contains(key)) {
            return key.addReady(ops) ? 1 : 0;
        }
        key.setReady(ops);
        selected.add(key);
        return 1;
    }

    /** One watch of what changed and one ready on {@code slot}: the keys whose ready set it updated. */
    private int poll(final CallSlot slot, final long timeoutMs) throws IOException {
        final MemorySegment entries = slot.data();
        final int room = (int) Math.min(NetCalls.MAX_POLLSET_ENTRIES,
                entries.byteSize() / NetCalls.POLLSET_ENTRY_BYTES);
        final DomainHandle wakerNow;
        try {
            wakerNow = wakerOf(slot);
            if (wakerNow != membersOf) {
                startOver(wakerNow); // a new session: a new set, empty
            }
            sendChanges(slot, room);
        } catch (DomainFailedException e) {
            return reportAllWatched();
        }
        int updated = 0;
        for (VosSelectionKey key : lost) {
            updated += ready(key, key.interestNow());
        }
        boolean wait = timeoutMs != NOW && !lostWithInterest();
        final long number;
        synchronized (wakeLock) {
            if (wakeupPending) {
                wakeupPending = false; // used by this select, or cleared by selectNow
                wait = false;
            }
            if (localChanged) {
                wait = false; // a pipe changed after the select looked at it
            }
            selecting = wait;
            woken = false;
            number = ++selectNumber;
        }
        ScheduledFuture<?> timer = null;
        long found = 0;
        boolean failed = false;
        try {
            if (wait) {
                begin(); // an interrupt of this thread calls wakeup()
                if (timeoutMs > 0) {
                    timer = client.timer().schedule(() -> wake(number), timeoutMs, TimeUnit.MILLISECONDS);
                }
            }
            found = client.ready(slot, wakerNow, room, !wait);
        } catch (DomainFailedException e) {
            failed = true;
        } catch (IOException | RuntimeException | Error e) {
            settleWakes(slot, true, wakerNow, false); // no wake may outlive the select, whatever failed
            throw e;
        } finally {
            if (timer != null) {
                timer.cancel(false);
            }
            if (wait) {
                end();
            }
        }
        if (failed) {
            settleWakes(slot, true, wakerNow, false);
            return updated + reportAllWatched();
        }
        // The answer is read before settleWakes, whose own call reuses the payload.
        final long wakerFd = wakerNow.valueFor(slot);
        boolean wakerSeen = false;
        for (int i = 0; i < found; i++) {
            final long at = (long) i * NetCalls.POLLSET_ENTRY_BYTES;
            final long fd = entries.get(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET);
            final int revents = entries.get(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET);
            if (fd == wakerFd) {
                wakerSeen = true;
                continue;
            }
            final VosSelectionKey key = members.get(fd);
            if (key != null) {
                updated += ready(key, ((VosSelectable) key.selectable()).readyOps(revents, key.interestNow()));
            }
        }
        settleWakes(slot, false, wakerNow, wakerSeen);
        return updated;
    }

    /**
     * One or more watch calls naming what changed since the last select: the descriptors of cancelled members
     * (events 0), then each changed key whose poll events differ from what the set holds for it. A key whose
     * descriptor is of an ended session joins {@link #lost}; an entry the domain finds {@code POLLNVAL} (its
     * descriptor closed, its key about to be cancelled with its channel) is no member.
     */
    private void sendChanges(final CallSlot slot, final int room) throws IOException {
        final MemorySegment entries = slot.data();
        final List<VosSelectionKey> batch = new ArrayList<>(); // each entry's key; null for a leaving descriptor
        for (Long fd : leaving) {
            put(entries, batch.size(), fd, 0);
            batch.add(null);
            if (batch.size() == room) {
                flush(slot, batch);
            }
        }
        leaving.clear();
        for (Iterator<VosSelectionKey> it = changed.iterator(); it.hasNext(); ) {
            final VosSelectionKey key = it.next();
            it.remove(); // first: a change made from now on is sent by the next select
            if (!key.isValid() || key.selectable() instanceof LocalSelectable) {
                continue;
            }
            final int want = ((VosSelectable) key.selectable()).pollEvents(key.interestNow());
            if (want == key.memberEvents()) {
                continue;
            }
            long fd = key.memberFd();
            if (fd < 0) {
                try {
                    fd = ((VosSelectable) key.selectable()).handle().valueFor(slot);
                } catch (DescriptorLostException e) {
                    lost.add(key);
                    continue;
                }
            }
            put(entries, batch.size(), fd, want);
            batch.add(key);
            if (want == 0) {
                members.remove(fd);
                key.member(-1, 0);
            } else {
                members.put(fd, key);
                key.member(fd, want);
            }
            if (batch.size() == room) {
                flush(slot, batch);
            }
        }
        if (!batch.isEmpty()) {
            flush(slot, batch);
        }
    }

    /** Sends the {@code batch.size()} entries in the payload as one watch; forgets the keys found NVAL. */
    private void flush(final CallSlot slot, final List<VosSelectionKey> batch) throws IOException {
        client.watch(slot, membersOf, batch.size());
        for (int i = 0; i < batch.size(); i++) {
            final VosSelectionKey key = batch.get(i);
            if (key != null && key.memberFd() >= 0 && revents(slot.data(), i) == NetCalls.POLLNVAL) {
                members.remove(key.memberFd());
                key.member(-1, 0);
            }
        }
        batch.clear();
    }

    /**
     * A select with no channel of interest: it can only be woken, interrupted or time out, so it waits for that here
     * (a virtual thread unmounts in {@code Object.wait}), and works while the domain is down.
     */
    private void waitLocally(final long timeoutMs) {
        synchronized (wakeLock) {
            if (wakeupPending || localChanged || timeoutMs == NOW) {
                wakeupPending = false;
                return;
            }
            waitingLocally = true;
            woken = false;
        }
        begin(); // an interrupt calls wakeup()
        try {
            synchronized (wakeLock) {
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
                while (!woken) {
                    if (timeoutMs == FOREVER) {
                        wakeLock.wait();
                    } else {
                        final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                        if (leftMs <= 0) {
                            break;
                        }
                        wakeLock.wait(leftMs);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as the JDK's select: it returns, the status stays set
        } finally {
            synchronized (wakeLock) {
                waitingLocally = false;
            }
            end();
        }
    }

    /** This session's waker, made on the first select and again on each new session (a new domain generation). */
    private DomainHandle wakerOf(final CallSlot slot) throws IOException {
        synchronized (wakeLock) {
            if (waker != null && waker.isLiveOn(slot)) {
                return waker;
            }
        }
        final DomainHandle made = client.waker(slot);
        synchronized (wakeLock) {
            waker = made;
        }
        return made;
    }

    /**
     * The select is over: no wake may reach it any more. A wake sent meanwhile is waited for and, if the ready did
     * not report the waker (the domain answered it for a socket first), used up by a pollset of the waker alone that
     * does not wait.
     */
    private void settleWakes(final CallSlot slot, final boolean failed, final DomainHandle wakerNow,
                             final boolean wakerSeen) throws IOException {
        final boolean sent;
        boolean interrupted = false;
        synchronized (wakeLock) {
            selecting = false;
            sent = woken;
            while (wakesInFlight > 0) {
                try {
                    wakeLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the wake's own call ends within the ring's bound: keep waiting for it
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (sent && !failed && !wakerSeen) {
            put(slot.data(), 0, wakerNow.valueFor(slot), NetCalls.POLLIN);
            client.pollset(slot, 1, true);
        }
    }

    /**
     * Wakes the select that waits, if any and if it is select {@code number} (-1: whichever waits; a
     * {@link #wakeup()}, which otherwise makes the next select return at once).
     */
    private void wake(final long number) {
        final DomainHandle target;
        synchronized (wakeLock) {
            if (waitingLocally) {
                woken = true;
                wakeLock.notifyAll();
                return;
            }
            if (!selecting || (number >= 0 && number != selectNumber)) {
                if (number < 0) {
                    wakeupPending = true;
                }
                return;
            }
            if (woken) {
                return;
            }
            woken = true;
            wakesInFlight++;
            target = waker;
        }
        sendWake(target);
    }

    /** {@code key}'s interest changed, or it is new: the next select's watch names it. Any thread. */
    void changed(final VosSelectionKey key) {
        changed.add(key);
    }

    /**
     * A pipe registered here changed (bytes, room, an end closed): a select that waits, in the domain or here, ends,
     * and one about to wait does not.
     */
    void localEvent() {
        final DomainHandle target;
        synchronized (wakeLock) {
            localChanged = true;
            if (waitingLocally) {
                woken = true;
                wakeLock.notifyAll();
                return;
            }
            if (!selecting || woken) {
                return;
            }
            woken = true;
            wakesInFlight++;
            target = waker;
        }
        sendWake(target);
    }

    /** Sends wake to {@code target}, counted in flight until its answer (see {@link #settleWakes}). */
    private void sendWake(final DomainHandle target) {
        try {
            client.wake(target);
        } catch (IOException e) {
            // The domain failed: the waiting ready fails with it and the select returns anyway.
        } finally {
            synchronized (wakeLock) {
                wakesInFlight--;
                wakeLock.notifyAll();
            }
        }
    }

    private static void put(final MemorySegment entries, final int index, final long fd, final int events) {
        final long at = (long) index * NetCalls.POLLSET_ENTRY_BYTES;
        entries.set(JAVA_LONG_UNALIGNED, at + NetCalls.POLLSET_ENTRY_FD_OFFSET, fd);
        entries.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_EVENTS_OFFSET, events);
        entries.set(JAVA_INT_UNALIGNED, at + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET, 0);
    }

    private static int revents(final MemorySegment entries, final int index) {
        return entries.get(JAVA_INT_UNALIGNED, (long) index * NetCalls.POLLSET_ENTRY_BYTES
                + NetCalls.POLLSET_ENTRY_REVENTS_OFFSET);
    }

    /** The selected-key set as the JDK hands it out: keys may be removed, never added. */
    private static final class Ungrowable extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> set;

        Ungrowable(final Set<SelectionKey> set) {
            this.set = set;
        }

        @Override
        public int size() {
            return set.size();
        }

        @Override
        public boolean contains(final Object o) {
            return set.contains(o);
        }

        @Override
        public boolean remove(final Object o) {
            return set.remove(o);
        }

        @Override
        public void clear() {
            set.clear();
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return set.iterator();
        }

        @Override
        public boolean add(final SelectionKey key) {
            throw new UnsupportedOperationException();
        }
    }
}
