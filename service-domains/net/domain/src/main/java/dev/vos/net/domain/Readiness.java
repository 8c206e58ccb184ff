package dev.vos.net.domain;

import dev.vos.ring.server.IdlePoll;
import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.vos.net.domain.NetSyscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The domain's readiness: one epoll for the sockets of every session, and one thread of its own that waits on it
 * and retries the calls parked on a socket when it reports that socket ready. This is what lets a worker answer a
 * call that would block by parking it (the ring's deferred completion): the worker goes on with other calls at once,
 * and the loop completes the parked call when the peer's bytes, the connection or the buffer space come.
 *
 * <p>Each socket is registered when it is made, edge-triggered for in and peer hang-up, and for out only once it is
 * found not writable ({@link Loop#watchWritable}): a new connection is writable, and registering it for out would
 * make an edge at once, which wakes the loop's thread beside the worker that is answering the accept. From then on
 * every state change is an edge, and at each the loop retries all of the socket's waiting calls under the socket's
 * monitor. A socket is named in epoll by a 64-bit id that is never reused, not by its kernel number (which is): an
 * event still queued for a socket closed meanwhile finds no socket and is dropped.
 *
 * <p>The loop runs while some session is open ({@link #acquire}, {@link Loop#release}): a domain with no clients
 * holds no thread and no epoll.
 *
 * <p>A busy-polling worker also asks the epoll itself, with a zero timeout, between polls of its empty queue
 * ({@link #idlePoll}), but only while some call is parked: when the clients and the workers all spin, the loop's
 * thread runs only when the scheduler preempts one of them, and a round trip that waited for a peer's reply took
 * a millisecond. Both take events from the same epoll; each edge goes to one of them, and either retries the
 * socket's calls under its monitor.
 *
 * <p>While workers poll, the loop's thread does not wait in the epoll: it looks, without waiting, every
 * {@link #SPARE_LOOK_NS}, for what no worker took (a worker polls only while its queue is empty). A thread asleep
 * in epoll_wait is woken by every edge, and the kernel does that inside the peer's own send: on this 2-CPU
 * machine, wrk's sends into net0's sockets spent 29 % of wrk's CPU samples waking it on the other CPU
 * (docs/network.md, "The readiness thread stands aside"). The thread waits in the epoll again as soon as a worker
 * goes to sleep ({@link dev.vos.ring.server.IdlePoll#workerSleeps}), or when no worker polled through one of its
 * looks.
 */
final class Readiness {

    private static final System.Logger LOG = System.getLogger(Readiness.class.getName());
    /** Events taken per epoll_wait: the most sockets one trap reports ready. */
    static final int EVENTS_PER_WAIT = 64;
    /** Longest epoll_wait, so that a loop told to stop notices within it. */
    static final int WAIT_TIMEOUT_MS = 100;
    /**
     * While workers poll the epoll: how often the loop's thread looks itself, without waiting, for the edges they
     * left (they look only while their queues are empty). The longest a parked call waits for its edge beyond what
     * it would with the thread asleep in the epoll, and only while every worker is busy with calls or descheduled.
     */
    static final long SPARE_LOOK_NS = 1_000_000L;

    private final AtomicLong ids = new AtomicLong();
    /** Whether each loop has its own thread; without one (tests), only idle polls take the epoll's events. */
    private final boolean withThread;
    /** {@link #SPARE_LOOK_NS}, or a test's. */
    private final long spareLookNs;
    /** Written under the monitor; read without it by idle polls, whose own session holds the loop. */
    private volatile Loop current;

    /** The domain's readiness: a loop with a thread of its own. */
    Readiness() {
        this(true);
    }

    /** {@code withThread} false: no loop thread; parked calls complete only through idle polls (tests). */
    Readiness(boolean withThread) {
        this(withThread, SPARE_LOOK_NS);
    }

    /** A loop whose thread, while workers poll, looks every {@code spareLookNs} (tests: a long one). */
    Readiness(boolean withThread, long spareLookNs) {
        this.withThread = withThread;
        this.spareLookNs = spareLookNs;
    }
    private int users;

    /** The running loop, started if none runs; each session takes it once and {@linkplain Loop#release releases} it. */
    synchronized Loop acquire() {
        if (current == null) {
            current = new Loop();
        }
        users++;
        return current;
    }

    /**
     * One worker's idle poll: the current loop's ready sockets, taken without waiting, when some call is parked.
     * A worker runs only while its session holds the loop ({@link SocketTable} acquires it before the ring's
     * workers start and releases it after they stop), so the loop it finds is open.
     */
    IdlePoll idlePoll() {
        MemorySegment events = Arena.ofAuto().allocate((long) EPOLL_EVENT_BYTES * EVENTS_PER_WAIT, 8);
        return new IdlePoll() {
            @Override
            public void poll() {
                Loop loop = current;
                if (loop != null) {
                    loop.pollNow(events);
                }
            }

            @Override
            public void workerSleeps() {
                Loop loop = current;
                if (loop != null) {
                    loop.workerSleeps();
                }
            }
        };
    }

    /** The running loop, or null (tests). */
    Loop current() {
        return current;
    }

    private void released(Loop loop) {
        synchronized (this) {
            if (--users > 0 || current != loop) {
                return;
            }
            current = null;
        }
        loop.stop();
    }

    /** One epoll and its thread. */
    final class Loop {
        private final int epfd;
        private final Thread thread;
        private final Map<Long, NetSocket> sockets = new ConcurrentHashMap<>();
        /** Calls parked on the loop's sockets now (a pollset's entries included): idle polls trap only when > 0. */
        private final AtomicInteger parked = new AtomicInteger();
        private volatile boolean running = true;
        /**
         * Whether a worker polled since the loop's thread last looked, and how often workers went to sleep: what
         * tells the thread that workers poll. Set only when clear, so that workers spinning every microsecond write
         * the line about once per look of the thread, not at every poll.
         */
        private final AtomicBoolean workerPolled = new AtomicBoolean();
        private final AtomicLong workerSleeps = new AtomicLong();
        /** The loop's thread's waits in the epoll (tests: it stands aside while workers poll). */
        private final AtomicLong waits = new AtomicLong();
        /** The kernel's id of the loop's thread, once it runs (tests read where it sleeps); 0 before. */
        private volatile int threadId;
        /** Each worker's buffer for {@link #drainNow}: workers are a few long-lived platform threads. */
        private final ThreadLocal<MemorySegment> drainBuffer = ThreadLocal.withInitial(
                () -> Arena.ofAuto().allocate((long) EPOLL_EVENT_BYTES * EVENTS_PER_WAIT, 8));

        private Loop() {
            long fd = epollCreate();
            if (fd < 0) {
                throw new IllegalStateException("epoll_create1: " + Errno.name((int) -fd));
            }
            epfd = (int) fd;
            thread = withThread ? Thread.ofPlatform().name("vos-net-readiness").daemon().start(this::run) : null;
        }

        /** A fresh socket id. */
        long nextId() {
            return ids.incrementAndGet();
        }

        /** Watches {@code socket} from now on, for in and peer hang-up: 0, or epoll_ctl's -errno. */
        long watch(NetSocket socket) {
            sockets.put(socket.id(), socket);
            long r = control(EPOLL_CTL_ADD, socket, EPOLLIN | EPOLLRDHUP | EPOLLET);
            if (r < 0) {
                sockets.remove(socket.id());
            }
            return r;
        }

        /**
         * Watches {@code socket} for out too, from now on: 0, or epoll_ctl's -errno. Under the socket's monitor. The
         * kernel looks at the socket as it adds the event, so one writable by then makes an edge: none is missed
         * between the look that found it not writable and this call.
         */
        long watchWritable(NetSocket socket) {
            return control(EPOLL_CTL_MOD, socket, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
        }

        private long control(int op, NetSocket socket, int events) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment event = arena.allocate(EPOLL_EVENT_BYTES, 4);
                event.set(JAVA_INT, EPOLL_EVENT_EVENTS_OFFSET, events);
                event.set(JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA_OFFSET, socket.id());
                return epollCtl(epfd, op, socket.kernelFd(), event.address());
            }
        }

        /** Forgets {@code socket}, about to be closed (closing its descriptor takes it out of the epoll set). */
        void forget(NetSocket socket) {
            sockets.remove(socket.id());
        }

        /** {@code delta} calls parked (positive) or answered (negative) on a socket of this loop. */
        void parked(int delta) {
            parked.getAndAdd(delta);
        }

        /** Calls parked now (tests). */
        int parked() {
            return parked.get();
        }

        /** An idle worker's look: the sockets ready now, retried, if any call waits; never blocks. */
        void pollNow(MemorySegment events) {
            if (!workerPolled.get()) {
                workerPolled.set(true);
            }
            if (parked.get() > 0 && running) {
                dispatch(epollWait(epfd, events.address(), EVENTS_PER_WAIT, 0), events);
            }
        }

        /**
         * A pollset's look when none of its sockets is known ready: the edges the epoll holds now, dispatched,
         * whether or not a call is parked (one trap for every socket of the domain, where the loop's thread may not
         * have run for a while on a host whose CPUs the workers and clients spin on).
         */
        void drainNow() {
            if (running) {
                MemorySegment events = drainBuffer.get();
                dispatch(epollWait(epfd, events.address(), EVENTS_PER_WAIT, 0), events);
            }
        }

        /** A worker goes to sleep, and its polls stop: the loop's thread looks again now, and waits in the epoll. */
        void workerSleeps() {
            workerSleeps.incrementAndGet();
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }

        /** How often the loop's thread has waited in the epoll so far (tests). */
        long waits() {
            return waits.get();
        }

        /** The kernel's id of the loop's thread, 0 until it runs or without one (tests). */
        int threadId() {
            return threadId;
        }

        /** Sockets watched (tests). */
        int watched() {
            return sockets.size();
        }

        /** A session is done with the loop; the last one stops it. */
        void release() {
            released(this);
        }

        private void stop() {
            running = false;
            try {
                if (thread != null) {
                    LockSupport.unpark(thread);
                    thread.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            NetSyscalls.close(epfd);
        }

        private void run() {
            threadId = Linux.gettid();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment events = arena.allocate((long) EPOLL_EVENT_BYTES * EVENTS_PER_WAIT, 8);
                boolean workersPoll = false;
                workerPolled.set(false);
                long sleeps = workerSleeps.get();
                while (running) {
                    long n;
                    if (workersPoll) {
                        n = epollWait(epfd, events.address(), EVENTS_PER_WAIT, 0);
                    } else {
                        waits.incrementAndGet();
                        n = epollWait(epfd, events.address(), EVENTS_PER_WAIT, WAIT_TIMEOUT_MS);
                    }
                    if (n < 0 && n != -Errno.EINTR) {
                        LOG.log(System.Logger.Level.ERROR, "epoll_wait failed ({0}); the readiness loop stops",
                                Errno.name((int) -n));
                        return;
                    }
                    dispatch(n, events);
                    if (workersPoll) {
                        LockSupport.parkNanos(this, spareLookNs);
                    }
                    // Workers poll when one polled since the last look and none went to sleep meanwhile.
                    boolean polled = workerPolled.getAndSet(false);
                    long nowSleeps = workerSleeps.get();
                    workersPoll = polled && nowSleeps == sleeps;
                    sleeps = nowSleeps;
                }
            }
        }

        /** Retries the calls of each socket among the {@code n} events (none when {@code n} is an error). */
        private void dispatch(long n, MemorySegment events) {
            for (int i = 0; i < n; i++) {
                long at = (long) i * EPOLL_EVENT_BYTES;
                long id = events.get(JAVA_LONG_UNALIGNED, at + EPOLL_EVENT_DATA_OFFSET);
                NetSocket socket = sockets.get(id);
                if (socket != null) {
                    socket.edge(events.get(JAVA_INT_UNALIGNED, at + EPOLL_EVENT_EVENTS_OFFSET));
                }
            }
        }
    }
}
