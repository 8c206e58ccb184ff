package dev.vos.backend.xen;

import dev.vos.backend.Signals;

/** What a signal of {@code vos kill} does to a Xen guest, which has no process to send it to. */
enum XenFault {
    /** KILL: destroy the domain at once. */
    DESTROY,
    /** TERM, INT, HUP: ask the guest to shut down ({@code libxl_domain_shutdown}); it must have PV drivers. */
    SHUTDOWN_REQUEST,
    /** QUIT, ABRT, SEGV: crash the guest's kernel with sysrq {@code c}, if its sysrq mask allows it. */
    CRASH_KERNEL,
    /** STOP: pause the guest ({@code libxl_domain_pause}, as {@code xl pause}): its vCPUs run no more; a hang. */
    PAUSE,
    /** CONT: unpause it ({@code libxl_domain_unpause}, as {@code xl unpause}). */
    UNPAUSE;

    /**
     * The fault of {@code signal}.
     *
     * @throws IllegalArgumentException for a signal a Xen guest has no equivalent of, saying which it has
     */
    static XenFault of(int signal) {
        return switch (signal) {
            case Signals.SIGKILL -> DESTROY;
            case Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP -> SHUTDOWN_REQUEST;
            case Signals.SIGQUIT, Signals.SIGABRT, Signals.SIGSEGV -> CRASH_KERNEL;
            case Signals.SIGSTOP -> PAUSE;
            case Signals.SIGCONT -> UNPAUSE;
            default -> throw new IllegalArgumentException("a Xen guest takes KILL (destroy), TERM, INT or HUP"
                    + " (shutdown request), QUIT, ABRT or SEGV (crash its kernel through sysrq c), STOP (pause) and"
                    + " CONT (unpause); not " + Signals.name(signal));
        };
    }
}
