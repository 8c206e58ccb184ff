package dev.vos.client.net;

/** What a step of a differential scenario did, as a line both providers' runs are compared by. */
final class Outcomes {

    private Outcomes() {
    }

    /** One step of a scenario: a value, or an exception. */
    interface Step {
        Object run() throws Exception;
    }

    /** What {@code step} did: its value, or the class of what it threw. */
    static String attempt(final Step step) {
        try {
            return String.valueOf(step.run());
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
