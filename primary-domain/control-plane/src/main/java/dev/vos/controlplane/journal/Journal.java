package dev.vos.controlplane.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The control plane's append-only record of lifecycle events: one JSON object per line (see {@link JournalJson}),
 * each forced to disk before {@link #append} returns. Events are rare (a start, a death, an operator command), so an
 * fdatasync each is cheap, and it means that after a crash of the control plane or the machine the journal holds
 * every event whose append returned.
 *
 * <p>A crash in the middle of a write can leave a torn last line. Reading skips and counts such lines instead of
 * failing ({@link ReadResult#damagedLines()}), and {@link #open} terminates a torn line before appending, so the
 * damage stays confined to that one line.
 *
 * <p>Thread-safe: supervisor threads append concurrently; each line is written whole under a lock.
 */
public final class Journal implements AutoCloseable {

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    /** Guarded by {@code this}; replaced if an interrupt closed it (see {@link #append}). */
    private FileChannel channel;
    private boolean closed;

    private Journal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the journal at {@code file} for appending, creating it (mode 0600, the journal names domains and carries
     * operator commands) and any missing parent directories (mode 0700) if needed.
     */
    public static Journal open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
            // The new name must survive a crash too, not only what is later written under it.
            syncDirectory(parent);
        } catch (FileAlreadyExistsException e) {
            // a journal from an earlier run of the control plane: append to it
        }
        return new Journal(file, openForAppend(file));
    }

    /** The file this journal writes. */
    public Path file() {
        return file;
    }

    /**
     * Writes {@code event} as one line and forces it to disk. When this returns normally the event survives a crash.
     *
     * <p>An interrupt pending on the calling thread does not stop the write (the supervisor typically records {@link
     * EventType#DOMAIN_STOPPED} precisely while being shut down): the interrupt status is cleared for the write and
     * set again afterwards. An interrupt that arrives during the write makes the JDK close the channel; this call then
     * throws, and the next append reopens the file, so one interrupted thread cannot silence the journal for all.
     *
     * @throws IOException if the line could not be written or forced; it may then be torn in the file
     */
    public void append(JournalEvent event) throws IOException {
        byte[] line = (JournalJson.encode(event) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            if (closed) {
                throw new IOException("journal " + file + " is closed");
            }
            boolean interrupted = Thread.interrupted();
            try {
                if (!channel.isOpen()) {
                    channel = openForAppend(file);
                }
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Reads the whole journal, including events appended through this instance. Holds the append lock while reading,
     * so it never sees a line of this process half-written.
     */
    public synchronized ReadResult read() throws IOException {
        return read(file);
    }

    /** The last {@code n} intact events, oldest first (fewer if the journal holds fewer). */
    public List<JournalEvent> tail(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        List<JournalEvent> events = read().events();
        return events.subList(Math.max(0, events.size() - n), events.size());
    }

    /**
     * Reads a journal file without opening it for writing (for {@code vos} commands that only display it). Every
     * newline-terminated line that parses is an event; every other line, including a last line without its newline
     * (a write torn by a crash), is counted in {@link ReadResult#damagedLines()}.
     */
    public static ReadResult read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /** Splits at '\n' and decodes each line on its own, so that damage in one line cannot spill into the next. */
    static ReadResult parse(byte[] bytes) {
        List<JournalEvent> events = new ArrayList<>();
        int damaged = 0;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            JournalEvent event = decodeLine(bytes, start, i);
            if (event == null) {
                damaged++;
            } else {
                events.add(event);
            }
            start = i + 1;
        }
        if (start < bytes.length) {
            // No newline after the last line: the append that wrote it never completed, whatever it contains.
            damaged++;
        }
        return new ReadResult(events, damaged);
    }

    /** The event in {@code bytes[from, to)}, or null if those bytes are not exactly one event in UTF-8. */
    private static JournalEvent decodeLine(byte[] bytes, int from, int to) {
        try {
            String line = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
            return JournalJson.decode(line);
        } catch (CharacterCodingException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    /**
     * Opens {@code file} for appending. If it does not end with a newline, the previous writer crashed mid-line:
     * write one first, so that the torn line stays a damaged line of its own instead of swallowing the next event.
     */
    private static FileChannel openForAppend(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            if (!endsWithNewline(file)) {
                ByteBuffer newline = ByteBuffer.wrap(new byte[]{'\n'});
                while (newline.hasRemaining()) {
                    channel.write(newline);
                }
                channel.force(false);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = reader.size();
            if (size == 0) {
                return true; // nothing to terminate
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            while (last.hasRemaining()) {
                if (reader.read(last, size - 1) < 0) {
                    throw new IOException(file + " shrank while being opened");
                }
            }
            return last.get(0) == '\n';
        }
    }

    /** fsync on the directory, which on Linux makes a newly created entry in it durable. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
