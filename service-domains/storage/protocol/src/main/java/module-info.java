/**
 * The storage calls as clients and the storage domain both speak them: call numbers, argument positions, wire
 * layouts, flags. Nothing here executes a system call.
 */
module dev.vos.storage.protocol {
    requires transitive dev.vos.ring;

    exports dev.vos.storage.protocol;
}
