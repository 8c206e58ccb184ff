package dev.vos.backend.xen;

import dev.vos.backend.Signals;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** What {@code vos kill NAME SIGNAL} does to a Xen guest, without Xen. */
class XenFaultTest {

    @Test
    void kill_destroys() {
        assertEquals(XenFault.DESTROY, XenFault.of(Signals.SIGKILL));
    }

    @Test
    void termIntHup_askTheGuestToShutDown() {
        for (int signal : new int[] {Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP}) {
            assertEquals(XenFault.SHUTDOWN_REQUEST, XenFault.of(signal), Signals.name(signal));
        }
    }

    @Test
    void quitAbrtSegv_crashTheGuestsKernel() {
        for (int signal : new int[] {Signals.SIGQUIT, Signals.SIGABRT, Signals.SIGSEGV}) {
            assertEquals(XenFault.CRASH_KERNEL, XenFault.of(signal), Signals.name(signal));
        }
    }

    @Test
    void stopPauses_contUnpauses() {
        assertEquals(XenFault.PAUSE, XenFault.of(Signals.SIGSTOP));
        assertEquals(XenFault.UNPAUSE, XenFault.of(Signals.SIGCONT));
    }

    @Test
    void anyOtherSignal_isRefused_sayingWhatAGuestTakes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> XenFault.of(Signals.SIGUSR1));
        assertEquals("a Xen guest takes KILL (destroy), TERM, INT or HUP (shutdown request), QUIT, ABRT or SEGV"
                + " (crash its kernel through sysrq c), STOP (pause) and CONT (unpause); not SIGUSR1", e.getMessage());
    }
}
