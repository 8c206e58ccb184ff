package dev.vos.controlplane.supervisor;

import dev.vos.backend.AgentRoute;
import dev.vos.backend.RunningDomain.Execution;
import dev.vos.ring.RingFailure;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When a death of the supervisor's health ring is a guest's agent ending in a live guest (fenced as a hang: no exit
 * event will come), and when it is a death whose exit event follows (left to that event). Without Xen: the decision
 * alone; the lab's XenSupervisedGuestIT runs the guests.
 */
class GuestAgentEndedTest {

    private static final AgentRoute GUEST = new AgentRoute.XenGuest("storage-y");

    @Test
    void aDeathWhileLibxlListsTheGuestRunning_isTheAgentAlone() {
        assertTrue(DomainSupervisor.agentEndedInALiveGuest(RingFailure.Died.unknown(), GUEST, Execution.RUNNING));
    }

    @Test
    void aDeathOfAGuestThatIsGoneOrPausedOrUnknown_isLeftToItsExitEvent() {
        for (Execution now : new Execution[] {Execution.GONE, Execution.PAUSED, Execution.UNKNOWN}) {
            assertFalse(DomainSupervisor.agentEndedInALiveGuest(RingFailure.Died.unknown(), GUEST, now),
                    now.name());
        }
    }

    @Test
    void aProcessDomainsDeath_isItsProcesss_andAHangIsNotADeath() {
        assertFalse(DomainSupervisor.agentEndedInALiveGuest(RingFailure.Died.unknown(), new AgentRoute.Socket(),
                Execution.RUNNING));
        assertFalse(DomainSupervisor.agentEndedInALiveGuest(new RingFailure.Hung(3_000_000_000L, 2_000_000_000L),
                GUEST, Execution.RUNNING));
    }
}
