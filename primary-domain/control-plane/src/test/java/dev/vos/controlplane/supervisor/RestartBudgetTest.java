package dev.vos.controlplane.supervisor;

import dev.vos.controlplane.spec.SupervisorSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Restart intensity within a period (Erlang/OTP) and exponential back-off with a cap (Kubernetes), over the
 * monotonic clock's nanoseconds.
 */
class RestartBudgetTest {

    private static final SupervisorSpec LIMITS = new SupervisorSpec(3, 10, 100, 1_000, 500);
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void moreThanIntensityRestartsWithinThePeriod_areRefused_withTheReason() {
        RestartBudget budget = new RestartBudget(LIMITS);
        assertTrue(budget.admit(0).isEmpty());
        assertTrue(budget.admit(S).isEmpty());
        assertTrue(budget.admit(2 * S).isEmpty());
        String reason = budget.admit(3 * S).orElseThrow();
        assertTrue(reason.contains("more than 3 restarts within 10 s"), reason);
    }

    @Test
    void restartsOlderThanThePeriod_leaveTheWindow() {
        RestartBudget budget = new RestartBudget(LIMITS);
        budget.admit(0);
        budget.admit(S);
        budget.admit(2 * S);
        assertTrue(budget.admit(10 * S + MS).isEmpty(), "the restart at 0 is more than 10 s old");
        assertTrue(budget.admit(10 * S + 500 * MS).isPresent(), "1 s, 2 s and 10.001 s are all within the last 10 s");
    }

    @Test
    void theWindow_isExactlyThePeriod_toTheNanosecond() {
        RestartBudget budget = new RestartBudget(new SupervisorSpec(1, 10, 100, 1_000, 500));
        budget.admit(0);
        assertTrue(budget.admit(10 * S - 1).isPresent(), "1 ns short of the period: still in the window");
        assertTrue(budget.admit(10 * S).isEmpty(), "a whole period later: out of the window");
    }

    @Test
    void theWindow_holdsAcrossTheClocksWrapAround() {
        // nanoTime has an arbitrary origin and may wrap from Long.MAX_VALUE to Long.MIN_VALUE; only differences count.
        long start = Long.MAX_VALUE - 2 * S;
        RestartBudget budget = new RestartBudget(LIMITS);
        assertTrue(budget.admit(start).isEmpty());
        assertTrue(budget.admit(start + S).isEmpty());
        assertTrue(budget.admit(start + 3 * S).isEmpty(), "past the wrap");
        assertTrue(budget.admit(start + 4 * S).isPresent(), "4 restarts within 10 s, the wrap notwithstanding");
        assertTrue(budget.admit(start + 10 * S + 1).isEmpty(), "the first one left the window after the wrap");
    }

    @Test
    void backoff_doublesPerConsecutiveRestart_upToTheCap_andAStableRunResetsIt() {
        RestartBudget budget = new RestartBudget(new SupervisorSpec(100, 10, 100, 1_000, 500));
        long[] expected = {100, 200, 400, 800, 1_000, 1_000};
        for (int i = 0; i < expected.length; i++) {
            budget.admit(i);
            assertEquals(expected[i], budget.backoffMs(), "restart " + (i + 1));
        }
        budget.ran(10 * S - 1);
        budget.admit(20);
        assertEquals(1_000, budget.backoffMs(), "a run shorter than the period keeps the streak");
        budget.ran(10 * S);
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
