package dev.vos.controlplane.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class JournalTest {

    @TempDir
    Path dir;

    private static JournalEvent event(String domain, long generation, EventType type, String detail) {
        return new JournalEvent(Instant.parse("2026-11-21T00:10:00.123Z"), domain, generation, type, detail);
    }

    @Test
    void everyEventType_isNamedInTheLifecycleDoc() throws IOException {
        String doc = Files.readString(Path.of("../../docs/domain-lifecycle.md"));
        List<String> missing = Arrays.stream(EventType.values()).map(EventType::name)
                .filter(name -> !doc.contains("`" + name + "`")).toList();
        assertEquals(List.of(), missing, "event types an operator finds in 'vos events' and nowhere in the docs");
    }

    @Test
    void appendThenRead_roundTripsEveryField() throws IOException {
        List<JournalEvent> written = List.of(
                new JournalEvent(Instant.parse("2026-11-21T00:10:00Z"), "", 0, EventType.CONTROL_PLANE_STARTED, ""),
                new JournalEvent(Instant.parse("2026-11-21T00:10:00.123456789Z"), "storage0", 3,
                        EventType.DOMAIN_EXITED, "killed by SIGKILL"),
                event("net0", Long.MAX_VALUE, EventType.OPERATOR_KILL,
                        "quote \" backslash \\ slash / newline \n cr \r tab \t bell \u0007 nul \u0000 del \u007f"),
                event("stockage-é", 1, EventType.OPERATOR_KILL, "unicode: é ü 中文 😀, lone surrogates: \ud800 x \udc00"),
                event("x", 2, EventType.DOMAIN_HUNG, "\\u0041 is not an escape here, {\"nested\":1}"));
        try (Journal journal = Journal.open(dir.resolve("journal.jsonl"))) {
            for (JournalEvent e : written) {
                journal.append(e);
            }
            ReadResult read = journal.read();
            assertEquals(written, read.events());
            assertEquals(0, read.damagedLines());
        }
        List<String> lines = Files.readAllLines(dir.resolve("journal.jsonl"), StandardCharsets.UTF_8);
        assertEquals(written.size(), lines.size(), "one line per event: newlines in detail are escaped");
        assertEquals("{\"time\":\"2026-11-21T00:10:00.123456789Z\",\"domain\":\"storage0\",\"generation\":3,"
                + "\"type\":\"DOMAIN_EXITED\",\"detail\":\"killed by SIGKILL\"}", lines.get(1));
        assertTrue(lines.get(2).contains("\\\" backslash \\\\ slash / newline \\n cr \\r tab \\t bell \\u0007 nul"
                + " \\u0000 del \u007f"), lines.get(2));
        assertTrue(lines.get(3).contains("é ü 中文 😀, lone surrogates: \\ud800 x \\udc00"), lines.get(3));
    }

    @Test
    void everyEventTypeRoundTrips() throws IOException {
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file)) {
            for (EventType type : EventType.values()) {
                journal.append(event("d", 1, type, type.name().toLowerCase()));
            }
        }
        List<JournalEvent> read = Journal.read(file).events();
        assertEquals(List.of(EventType.values()), read.stream().map(JournalEvent::type).toList());
    }

    @Test
    void reopenedJournal_seesOldEventsAndAppendsAfterThem() throws IOException {
        Path file = dir.resolve("state/journal.jsonl");
        try (Journal first = Journal.open(file)) {
            first.append(event("", 0, EventType.CONTROL_PLANE_STARTED, "run 1"));
            first.append(event("storage0", 1, EventType.DOMAIN_RUNNING, ""));
        }
        // a new control plane: a new instance on the same file
        try (Journal second = Journal.open(file)) {
            assertEquals(List.of("run 1", ""), second.read().events().stream().map(JournalEvent::detail).toList());
            second.append(event("", 0, EventType.CONTROL_PLANE_STARTED, "run 2"));
            ReadResult read = second.read();
            assertEquals(3, read.events().size());
            assertEquals("run 2", read.events().get(2).detail());
            assertEquals(0, read.damagedLines());
            assertEquals(List.of(read.events().get(1), read.events().get(2)), second.tail(2));
            assertEquals(read.events(), second.tail(10));
            assertEquals(List.of(), second.tail(0));
        }
    }

    @Test
    void concurrentAppends_eachLineIsWholeAndNoneIsLost() throws Exception {
        int threads = 8;
        int perThread = 500;
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file);
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String domain = "domain" + t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        journal.append(event(domain, i, EventType.DOMAIN_RUNNING, "event " + i + " of " + domain
                                + " with \"quotes\" and a \n newline"));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
        ReadResult read = Journal.read(file);
        assertEquals(0, read.damagedLines());
        assertEquals(threads * perThread, read.events().size());
        assertEquals(threads * perThread, Files.readAllLines(file).size());
        Set<String> seen = new HashSet<>();
        long[] lastGeneration = new long[threads];
        Arrays.fill(lastGeneration, -1);
        for (JournalEvent e : read.events()) {
            assertTrue(seen.add(e.detail()), "duplicate " + e.detail());
            int t = Integer.parseInt(e.domain().substring("domain".length()));
            assertEquals(lastGeneration[t] + 1, e.generation(), "each thread's events in its own order");
            lastGeneration[t] = e.generation();
        }
    }

    @Test
    void tornLastLine_isSkippedAndCounted_andTheNextAppendStartsOnAFreshLine() throws IOException {
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file)) {
            journal.append(event("storage0", 1, EventType.DOMAIN_RUNNING, "before the crash"));
        }
        // a crash in the middle of the next write
        Files.writeString(file, "{\"time\":\"2026-11-21T00:10:01Z\",\"domain\":\"stor", StandardOpenOption.APPEND);

        ReadResult torn = Journal.read(file);
        assertEquals(List.of("before the crash"), torn.events().stream().map(JournalEvent::detail).toList());
        assertEquals(1, torn.damagedLines());

        try (Journal journal = Journal.open(file)) {
            journal.append(event("storage0", 2, EventType.DOMAIN_RUNNING, "after the restart"));
            ReadResult read = journal.read();
            assertEquals(List.of("before the crash", "after the restart"),
                    read.events().stream().map(JournalEvent::detail).toList());
            assertEquals(1, read.damagedLines(), "the torn line stays one damaged line");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).startsWith("{\"time\":"), lines.get(2));
    }

    @Test
    void aCompleteLastLineWithoutItsNewline_isStillTorn() throws IOException {
        // The append writes line and newline in one go; a line without its newline was never acknowledged.
        Path file = dir.resolve("journal.jsonl");
        String line = JournalJson.encode(event("a", 1, EventType.DOMAIN_RUNNING, ""));
        Files.writeString(file, line + "\n" + line);
        ReadResult read = Journal.read(file);
        assertEquals(1, read.events().size());
        assertEquals(1, read.damagedLines());
    }

    @Test
    void damagedLinesInTheMiddle_areSkippedAndCounted() throws IOException {
        Path file = dir.resolve("journal.jsonl");
        String good = JournalJson.encode(event("a", 1, EventType.DOMAIN_RUNNING, "good"));
        List<String> bad = List.of(
                "",                                                      // empty line
                "not json",
                good.replace("\"generation\":1", "\"generation\":-1"),  // negative generation
                good.replace("\"generation\":1", "\"generation\":01"),  // leading zero
                good.replace("\"generation\":1", "\"generation\":\"1\""),
                good.replace("\"generation\":1", "\"generation\":99999999999999999999"),
                good.replace("DOMAIN_RUNNING", "DOMAIN_DANCING"),
                good.replace("2026-11-21T00:10:00.123Z", "yesterday"),
                good.replace(",\"detail\":\"good\"", ""),                // missing field
                good.replace("}", ",\"extra\":1}"),                     // unknown field
                good.replace("}", ",\"detail\":\"again\"}"),            // duplicate field
                good + " ",                                              // trailing characters
                good.replace("{\"time\"", "{ \"time\""),                // whitespace
                good.replace("good", "bad \\x escape"),
                good.replace("good", "short \\u12"),
                good.replace("good", "sign \\u+123"),
                good.replace("good", "raw \t tab"),
                good.substring(0, good.length() - 1));                  // torn, then a newline
        StringBuilder content = new StringBuilder(good).append('\n');
        for (String line : bad) {
            content.append(line).append('\n').append(good).append('\n');
        }
        Files.writeString(file, content);
        byte[] invalidUtf8 = {'{', (byte) 0xC3, '}', '\n'};
        Files.write(file, invalidUtf8, StandardOpenOption.APPEND);
        Files.writeString(file, good + "\n", StandardOpenOption.APPEND);

        ReadResult read = Journal.read(file);
        assertEquals(bad.size() + 1, read.damagedLines());
        assertEquals(bad.size() + 2, read.events().size());
        assertTrue(read.events().stream().allMatch(e -> e.detail().equals("good")));
    }

    @Test
    void decode_namesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JournalJson.decode("{\"time\":\"x\",}"));
        assertEquals("expected '\"' at column 13", e.getMessage());
    }

    @Test
    void newJournal_isPrivateToItsOwner() throws IOException {
        Path file = dir.resolve("state/vos/journal.jsonl");
        try (Journal journal = Journal.open(file)) {
            journal.append(event("", 0, EventType.CONTROL_PLANE_STARTED, ""));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent().getParent())));
    }

    @Test
    void pendingInterrupt_doesNotLoseTheEventNorBreakTheJournal() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file)) {
            Thread.currentThread().interrupt();
            try {
                journal.append(event("storage0", 1, EventType.DOMAIN_STOPPED, "during shutdown"));
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt status is kept for the caller");
            }
            journal.append(event("storage0", 1, EventType.CONTROL_PLANE_STOPPED, "after"));
            assertEquals(2, journal.read().events().size());
        }
    }

    @Test
    void interruptDuringAWrite_failsThatAppendOnly() throws Exception {
        // The JDK closes a FileChannel when a thread blocked in it is interrupted. Interrupt an appending thread
        // until that happens (an fdatasync takes long enough to be hit), then check the journal still works.
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file)) {
            ClosedByInterruptException[] caught = new ClosedByInterruptException[1];
            Thread appender = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000 && caught[0] == null; i++) {
                    try {
                        journal.append(event("d", i, EventType.DOMAIN_RUNNING, "x".repeat(200)));
                    } catch (ClosedByInterruptException e) {
                        caught[0] = e;
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            while (appender.isAlive()) {
                appender.interrupt();
                Thread.onSpinWait();
            }
            appender.join();
            assumeTrue(caught[0] != null, "no interrupt landed inside a write on this machine");

            journal.append(event("d", 0, EventType.CONTROL_PLANE_STOPPED, "after the interrupt"));
            ReadResult read = journal.read();
            assertEquals("after the interrupt", read.events().getLast().detail());
            assertTrue(read.damagedLines() <= 1, "at most the interrupted line is damaged: " + read.damagedLines());
        }
    }

    @Test
    void closedJournal_refusesAppends() throws IOException {
        Journal journal = Journal.open(dir.resolve("journal.jsonl"));
        journal.close();
        journal.close(); // idempotent
        IOException e = assertThrows(IOException.class,
                () -> journal.append(event("", 0, EventType.CONTROL_PLANE_STOPPED, "")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void nullsAndNegativeGenerations_areRejected() {
        assertThrows(NullPointerException.class, () -> new JournalEvent(null, "", 0, EventType.OPERATOR_KILL, ""));
        assertThrows(NullPointerException.class, () -> new JournalEvent(Instant.EPOCH, "", 0, EventType.OPERATOR_KILL,
                null));
        assertThrows(IllegalArgumentException.class, () -> event("d", -1, EventType.DOMAIN_RUNNING, ""));
    }
}
