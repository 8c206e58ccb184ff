/**
 * The socket calls as clients and the network domain both speak them: call numbers, argument positions, the
 * sockaddr layout, socket options. Nothing here executes a system call.
 */
module dev.vos.net.protocol {
    requires transitive dev.vos.ring;

    exports dev.vos.net.protocol;
}
