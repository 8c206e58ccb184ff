package dev.vos.ring.agent;

import dev.vos.sys.Errno;
import dev.vos.sys.Linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * How a control plane promotes a parked standby agent: one line, {@code PROMOTE G\n}, on a pipe whose write end only
 * the control plane holds and whose read end the standby inherited ({@code --standby-fd}). The line says nothing but
 * the generation: everything else (the socket, the token's file, the calls) was fixed when the standby started, and
 * the token itself is issued to its file before the line is written. End of file before a line means the standby
 * is let go (the control plane closed the pipe, or died).
 *
 * <p>The other way, on a second pipe whose write end the standby inherited ({@code --parked-fd}), one line,
 * {@code PARKED\n}, once the standby has parked: its JVM is up, its calls registered and warm, its kind's resources
 * open. Until then a promotion still works, but waits for what the standby has left to do. End of file before the
 * line means the standby ended first.
 */
public final class StandbyChannel {

    /** The word that starts the one line. */
    static final String PROMOTE = "PROMOTE";
    /** The standby's one line, without its newline. */
    static final String PARKED = "PARKED";
    /** The longest line read: the word, a space, a generation's digits and the newline fit many times over. */
    static final int MAX_LINE_BYTES = 64;

    private StandbyChannel() {
    }

    /** The line that makes a standby generation {@code generation}. */
    public static String promoteLine(long generation) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation=" + generation + ", expected >= 1");
        }
        return PROMOTE + " " + generation + "\n";
    }

    /**
     * Writes the promotion line to {@code writeFd}, the control plane's end of the pipe.
     *
     * @throws IOException when the standby's end is gone (EPIPE: the standby died) or the write failed
     */
    public static void promote(int writeFd, long generation) throws IOException {
        String failure = writeLine(writeFd, promoteLine(generation));
        if (failure != null) {
            throw new IOException("cannot promote the standby: write to its pipe: " + failure);
        }
    }

    /**
     * Writes {@code PARKED\n} to {@code writeFd}, the standby's end of the second pipe, and closes it. A failure is
     * the control plane's to notice (it waits for the line): the standby serves all the same.
     */
    static void announceParked(int writeFd) {
        try {
            String failure = writeLine(writeFd, PARKED + "\n");
            if (failure != null) {
                System.err.println("vos domain agent: cannot say the standby parked: write to --parked-fd " + writeFd
                        + ": " + failure);
            }
        } finally {
            Linux.close(writeFd);
        }
    }

    /**
     * Writes {@code line} to {@code fd} in one {@code write} (a line this short is far below {@code PIPE_BUF}, so it
     * arrives whole or not at all); null once written, else what went wrong.
     */
    private static String writeLine(int fd, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(bytes.length);
            buffer.copyFrom(MemorySegment.ofArray(bytes));
            long r;
            do {
                r = Linux.write(fd, buffer);
            } while (r == -Errno.EINTR);
            return r == bytes.length ? null : r < 0 ? Errno.name((int) -r) : r + " of " + bytes.length + " bytes";
        }
    }

    /**
     * Waits, blocking, for the standby's line on {@code readFd}, the control plane's end of the second pipe: true
     * once it says it parked, false at end of file first (it ended, or its pipe was closed) or for any other line.
     * Does not close {@code readFd}.
     */
    public static boolean awaitParked(int readFd) {
        try {
            return PARKED.equals(readLine(readFd));
        } catch (IllegalArgumentException e) {
            return false; // a line of something else: not parked, as far as anyone can tell
        }
    }

    /**
     * Reads one line from {@code fd}, blocking; null at end of file before a newline (the standby is let go). Does
     * not close {@code fd}.
     *
     * @throws IllegalArgumentException when the line is longer than {@value #MAX_LINE_BYTES} bytes or the read fails
     */
    static String readLine(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            byte[] line = new byte[MAX_LINE_BYTES];
            int length = 0;
            while (true) {
                long r = Linux.read(fd, one);
                if (r == -Errno.EINTR) {
                    continue;
                }
                if (r < 0) {
                    throw new IllegalArgumentException("--standby-fd " + fd + ": read: " + Errno.name((int) -r));
                }
                if (r == 0) {
                    return null;
                }
                byte b = one.get(JAVA_BYTE, 0);
                if (b == '\n') {
                    return new String(line, 0, length, StandardCharsets.US_ASCII);
                }
                if (length == MAX_LINE_BYTES) {
                    throw new IllegalArgumentException("--standby-fd " + fd + ": a line longer than "
                            + MAX_LINE_BYTES + " bytes");
                }
                line[length++] = b;
            }
        }
    }

    /**
     * The generation a promotion line names.
     *
     * @throws IllegalArgumentException for any other line
     */
    static long promotedGeneration(String line) {
        String[] words = line.split(" ", -1);
        if (words.length != 2 || !words[0].equals(PROMOTE) || words[1].isEmpty() || words[1].length() > 19
                || !words[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("--standby-fd: expected '" + PROMOTE + " G', got '" + line + "'");
        }
        long generation = Long.parseLong(words[1]);
        if (generation < 1) {
            throw new IllegalArgumentException("--standby-fd: generation " + generation + ", expected >= 1");
        }
        return generation;
    }
}
