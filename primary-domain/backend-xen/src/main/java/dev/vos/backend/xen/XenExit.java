package dev.vos.backend.xen;

import dev.vos.backend.DomainExit;

/**
 * How the end of a Xen generation is told to the supervisor, from what vos asked of the domain and what Xen said.
 * Pure, so every case is tested without Xen (docs/domain-lifecycle.md, "Xen guests", has the table).
 */
final class XenExit {

    /** What vos asked of a domain before it ended. Set by the backend's caller, read when its death arrives. */
    enum Request {
        /** Nothing: its end is the guest's own doing, or someone else's ({@code xl destroy}). */
        NONE,
        /**
         * KILL destroyed it: {@code vos kill NAME KILL} (an injected fault) or its supervisor fencing a hang (the
         * journal's DOMAIN_HUNG just before says which); either way its end is not a clean one.
         */
        KILL,
        /** Stopped on purpose ({@code vos stop}, {@code vos restart}, shutdown): asked to power off. */
        STOP,
        /** Stopped on purpose, and destroyed: it did not power off within the grace, or there was none. */
        DESTROY
    }

    private XenExit() {
    }

    /**
     * The exit of a domain that is gone.
     *
     * @param request        what vos had asked of it
     * @param shutdownReason the reason of its {@code DOMAIN_SHUTDOWN} event ("poweroff", "crash", ...), or null if
     *                       it died without one (destroyed)
     * @param problem        "" or "; ..." when vos could not see it go, appended to the description
     * @return status 0 for an orderly end (powered off, or ended on purpose by vos), 1 for any other
     */
    static DomainExit of(Request request, String shutdownReason, String problem) {
        // Ended on purpose, it is clean, unless Xen says the guest ended otherwise first (a crash during the grace).
        boolean orderly = shutdownReason == null || shutdownReason.equals("poweroff");
        return switch (request) {
            case STOP -> orderly ? new DomainExit(0, "shut down by vos" + problem)
                    : told(request, shutdownReason, problem);
            case DESTROY -> orderly ? new DomainExit(0, "destroyed by vos" + problem)
                    : told(request, shutdownReason, problem);
            case KILL, NONE -> told(request, shutdownReason, problem);
        };
    }

    /** An end vos did not ask for (or one that came first), as Xen told it. */
    private static DomainExit told(Request request, String shutdownReason, String problem) {
        if (shutdownReason == null) {
            return new DomainExit(1, (request == Request.KILL ? "destroyed by vos (KILL: vos kill, or a hang fenced)"
                    : "destroyed from outside vos (xl destroy?)") + problem);
        }
        return switch (shutdownReason) {
            case "poweroff" -> new DomainExit(0, "powered off" + problem);
            case "crash" -> new DomainExit(1, "crashed (Xen shutdown reason crash)" + problem);
            case "watchdog" -> new DomainExit(1, "watchdog fired (Xen shutdown reason watchdog)" + problem);
            case "reboot" -> new DomainExit(1, "rebooted (Xen shutdown reason reboot; vos starts a new"
                    + " generation per its restart policy)" + problem);
            default -> new DomainExit(1, "shut down (Xen shutdown reason " + shutdownReason + ")" + problem);
        };
    }
}
