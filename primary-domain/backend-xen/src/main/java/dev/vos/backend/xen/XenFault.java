package dev.vos.backend.xen;

import dev.vos.backend.Signals;

/** What a signal of {@code vos kill} does to a Xen guest, which has no process to send it to. */
enum XenFault {
    /** KILL: destroy the domain at once. */
    DESTROY,
    /** TERM, INT, HUP: ask the guest to shut down ({@code libxl_domain_shutdown}); it must have PV drivers. */
    SHUTDOWN_REQUEST,
    /** QUIT, ABRT, SEGV: crash the guest's kernel with sysrq {@code c}, if its sysrq mask allows it. */
    CRASH_KERNEL;

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
            default -> throw new IllegalArgumentException("a Xen guest takes KILL (destroy), TERM, INT or HUP"
                    + " (shutdown request), and QUIT, ABRT or SEGV (crash its kernel through sysrq c); not "
                    + Signals.name(signal));
        };
    }
}
