package dev.vos.ring.server;

/**
 * Executes one kind of call on the server. Runs on a worker thread; must not keep {@code call} or any segment
 * slice it handed out beyond its return.
 */
@FunctionalInterface
public interface CallHandler {

    /**
     * Executes the call and returns its result in the kernel's convention: a value that is not negative, or
     * {@code -errno}. Arguments are the worker's private copies; payload bytes in the data area belong to the client
     * and may change while the handler reads them, so a handler that checks a payload copies it out first.
     */
    long handle(ServerCall call);
}
