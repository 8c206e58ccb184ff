package dev.vos.storage.protocol.archviolation;

import dev.vos.sys.Linux;

/** A protocol class that executes a system call. */
public final class ProtocolCallsLinux {

    private ProtocolCallsLinux() {
    }

    static long pid() {
        return Linux.syscall(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0);
    }
}
