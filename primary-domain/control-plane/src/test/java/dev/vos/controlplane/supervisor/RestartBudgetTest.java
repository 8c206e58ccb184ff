package dev.vos.controlplane.supervisor;

import dev.vos.controlplane.spec.SupervisorSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Restart intensity within a period (Erlang/OTP) and exponential back-off with a cap (Kubernetes). */
class RestartBudgetTest {

    private static final SupervisorSpec LIMITS = new SupervisorSpec(3, 10, 100, 1_000, 500);

    @Test
    void moreThanIntensityRestartsWithinThePeriod_areRefused_withTheReason() {
        RestartBudget budget = new RestartBudget(LIMITS);
        assertTrue(budget.admit(0).isEmpty());
        assertTrue(budget.admit(1_000).isEmpty());
        assertTrue(budget.admit(2_000).isEmpty());
        String reason = budget.admit(3_000).orElseThrow();
        assertTrue(reason.contains("more than 3 restarts within 10 s"), reason);
    }

    @Test
    void restartsOlderThanThePeriod_leaveTheWindow() {
        RestartBudget budget = new RestartBudget(LIMITS);
        budget.admit(0);
        budget.admit(1_000);
        budget.admit(2_000);
        assertTrue(budget.admit(10_001).isEmpty(), "the restart at 0 is more than 10 s old");
        assertTrue(budget.admit(10_500).isPresent(), "1 000, 2 000 and 10 001 are all within the last 10 s");
    }

    @Test
    void backoff_doublesPerConsecutiveRestart_upToTheCap_andAStableRunResetsIt() {
        RestartBudget budget = new RestartBudget(new SupervisorSpec(100, 10, 100, 1_000, 500));
        long[] expected = {100, 200, 400, 800, 1_000, 1_000};
        for (int i = 0; i < expected.length; i++) {
            budget.admit(i);
            assertEquals(expected[i], budget.backoffMs(), "restart " + (i + 1));
        }
        budget.ran(9_999);
        budget.admit(20);
        assertEquals(1_000, budget.backoffMs(), "a run shorter than the period keeps the streak");
        budget.ran(10_000);
        budget.admit(30);
        assertEquals(100, budget.backoffMs(), "a run of a whole period ends the streak");
    }

    @Test
    void anOperatorRestart_forgivesTheHistory() {
        RestartBudget budget = new RestartBudget(LIMITS);
        budget.admit(0);
        budget.admit(1);
        budget.admit(2);
        budget.reset();
        assertTrue(budget.admit(3).isEmpty());
        assertEquals(100, budget.backoffMs());
    }
}
