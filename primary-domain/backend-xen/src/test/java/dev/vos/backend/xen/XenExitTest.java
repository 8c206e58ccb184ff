package dev.vos.backend.xen;

import dev.vos.backend.DomainExit;
import dev.vos.backend.xen.XenExit.Request;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Every row of the "LAST EXIT" table in docs/domain-lifecycle.md (Xen guests), without Xen. */
class XenExitTest {

    @Test
    void theGuestsOwnEnds_areToldAsXenTellsThem() {
        assertEquals(new DomainExit(0, "powered off"), XenExit.of(Request.NONE, "poweroff", ""));
        assertEquals(new DomainExit(1, "crashed (Xen shutdown reason crash)"), XenExit.of(Request.NONE, "crash", ""));
        assertEquals(new DomainExit(1, "watchdog fired (Xen shutdown reason watchdog)"),
                XenExit.of(Request.NONE, "watchdog", ""));
        assertEquals(new DomainExit(1, "rebooted (Xen shutdown reason reboot; vos starts a new generation per its"
                + " restart policy)"), XenExit.of(Request.NONE, "reboot", ""));
        assertEquals(new DomainExit(1, "shut down (Xen shutdown reason suspend)"),
                XenExit.of(Request.NONE, "suspend", ""));
    }

    @Test
    void aDeathWithoutAShutdown_isADestroy_byVosKillOrFromOutside() {
        assertEquals(new DomainExit(1, "destroyed from outside vos (xl destroy?)"), XenExit.of(Request.NONE, null, ""));
        assertEquals(new DomainExit(1, "destroyed by vos (KILL: vos kill, or a hang fenced)"),
                XenExit.of(Request.KILL, null, ""));
    }

    @Test
    void anEndOnPurpose_isClean() {
        assertEquals(new DomainExit(0, "shut down by vos"), XenExit.of(Request.STOP, "poweroff", ""));
        assertEquals(new DomainExit(0, "shut down by vos"), XenExit.of(Request.STOP, null, ""));
        assertEquals(new DomainExit(0, "destroyed by vos"), XenExit.of(Request.DESTROY, null, ""));
        assertEquals(new DomainExit(0, "destroyed by vos"), XenExit.of(Request.DESTROY, "poweroff", ""));
        assertTrue(XenExit.of(Request.DESTROY, null, "").clean(), "transient must not restart a stopped guest");
    }

    @Test
    void aCrashDuringTheGrace_isStillACrash() {
        assertEquals(new DomainExit(1, "crashed (Xen shutdown reason crash)"), XenExit.of(Request.STOP, "crash", ""));
        assertEquals(new DomainExit(1, "rebooted (Xen shutdown reason reboot; vos starts a new generation per its"
                + " restart policy)"), XenExit.of(Request.DESTROY, "reboot", ""));
    }

    @Test
    void aKilledGuestThatPoweredOffFirst_poweredOff() {
        assertEquals(new DomainExit(0, "powered off"), XenExit.of(Request.KILL, "poweroff", ""));
    }

    @Test
    void whatVosCouldNotSee_isAppended() {
        assertEquals("destroyed by vos; not seen gone: interrupted while waiting for it to go",
                XenExit.of(Request.DESTROY, null, "; not seen gone: interrupted while waiting for it to go")
                        .describe());
    }
}
