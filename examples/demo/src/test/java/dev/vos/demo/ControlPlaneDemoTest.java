package dev.vos.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's main command, control-plane half: examples/host.yaml comes up, serves files and an HttpServer, survives
 * its faults, goes down.
 */
@Timeout(240) // about a minute alone; CI's build shares the 2 CPUs
class ControlPlaneDemoTest {

    @Test
    void exampleSpec_bothDomainsComeBackAndTheClientsFollow() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean ok = new ControlPlaneDemo(Path.of(System.getProperty("vos.repository"), "examples", "host.yaml"),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(ok, out);
        assertTrue(out.contains("storage0 is back as generation 2"), out);
        assertTrue(out.contains("net0 is back as generation 3"), out); // killed once by the network step
        assertTrue(out.contains("HttpClient (this JVM, the default provider): GET http://127.0.0.1:"), out);
        assertTrue(out.contains("app: serving port="), out);
        assertTrue(out.contains("provider=dev.vos.client.net.VosSelectorProvider"), out);
        assertTrue(out.contains("the clients failed fast"), out);
        assertTrue(out.contains("serving again on the next generation"), out);
        assertTrue(out.contains("DOMAIN_HUNG"), out);
        assertTrue(out.contains("calls succeed again on generation 2"), out);
        assertTrue(out.contains("CONTROL_PLANE_STOPPED"), out);
        assertTrue(out.contains("Files.walk: [/vos-demo, /vos-demo/hello.txt]"), out);
        assertTrue(out.contains("Files.readString(/../../../etc/passwd): FileSystemException"), out);
        assertTrue(out.contains("Files.writeString(Path.of(\"/srv/data/hello.txt\"), ...): 27 bytes"), out);
        assertTrue(out.contains("Files.getFileStore: vos://storage0"), out);
        assertTrue(out.contains("storage0 holds it, as vos://storage0/hello.txt: hello from a plain Path.of"), out);
    }
}
