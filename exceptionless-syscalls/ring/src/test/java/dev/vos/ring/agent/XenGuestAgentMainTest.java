package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The guest agent's arguments and configuration, where there is no Xen: what it would serve, and what it refuses
 * before it opens xenstore. (Serving offers is the Xen lab's XenGuestAgentIT.)
 */
class XenGuestAgentMainTest {

    @Test
    void parse_kindOptionsAndDefaults() {
        XenGuestAgent.Config config = XenGuestAgentMain.parse(new String[]{"--kind", "nothing-installed",
                "--workers", "2", "--poll-ms", "250"});
        assertEquals("nothing-installed", config.kind());
        assertEquals(0, config.offeringDomid());
        assertEquals(Duration.ofMillis(250), config.poll());
        assertEquals(2, config.options().workers());
        assertTrue(config.table().size() > CoreCalls.GETPID, "the core calls are served whatever the kind");
    }

    @Test
    void parse_refusesWhatItCannotServe() {
        assertThrows(IllegalArgumentException.class, () -> XenGuestAgentMain.parse(new String[]{}));
        assertThrows(IllegalArgumentException.class, () -> XenGuestAgentMain.parse(new String[]{"--kind", "k",
                "--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> XenGuestAgentMain.parse(new String[]{"--kind", "k",
                "--option", "novalue"}));
        String poll = assertThrows(IllegalArgumentException.class, () -> XenGuestAgentMain.parse(new String[]{
                "--kind", "k", "--poll-ms", "1"})).getMessage();
        assertTrue(poll.contains("at least"), poll);
        String domain = assertThrows(IllegalArgumentException.class, () -> XenGuestAgentMain.parse(new String[]{
                "--kind", "k", "--offering-domain", "32752"})).getMessage();
        assertTrue(domain.contains("not a domain id"), domain);
    }
}
