package dev.vos.demo;

import dev.vos.ring.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The README's main command works: the demo runs every step against a real child process and says so. */
@Timeout(120)
class RingDemoTest {

    @Test
    void demo_runsEveryStepAndCleansUp() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ok = new RingDemo(new RingDemo.Options(20_000, 2, 16, false), new PrintStream(bytes, true,
                StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains("unknown call 999 -> -ENOSYS"), out);
        assertTrue(out.contains("outside the data area -> -EFAULT"), out);
        assertTrue(out.contains("all 16 callers failed within"), out);
        assertTrue(out.contains("exited with status 137"), out);
        assertTrue(out.contains("[7] generation 2"), out);
        try (Stream<Path> left = Files.list(SegmentFiles.DIRECTORY)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(SegmentFiles.namePrefix("demo"))),
                    "the demo must remove its segments");
        }
    }

    @Test
    void badOptions_areNamed_andNothingRuns() {
        java.io.StringWriter err = new java.io.StringWriter();
        java.io.PrintWriter w = new java.io.PrintWriter(err, true);
        assertEquals(2, DemoMain.run(w, w, "--calls", "many"));
        assertTrue(err.toString().contains("'--calls'") && err.toString().contains("'many'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, DemoMain.run(w, w, "--fast"));
        assertTrue(err.toString().contains("'--fast'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, DemoMain.run(w, w, "--calls", "0"));
        assertTrue(err.toString().contains("must be at least 1"), err.toString());
    }
}
