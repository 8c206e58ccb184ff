package dev.vos.net.protocol.archviolation;

import dev.vos.sys.Linux;

/** A net protocol class that executes a system call. */
public final class NetProtocolCallsLinux {

    private NetProtocolCallsLinux() {
    }

    static long pid() {
        return Linux.syscall(Linux.SYS_GETPID, 0, 0, 0, 0, 0, 0);
    }
}
