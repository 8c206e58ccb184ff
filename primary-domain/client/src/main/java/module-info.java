/**
 * What an application links to use service domains: {@link dev.vos.client.DomainClient} and the {@code vos://}
 * file system provider, found by {@link java.nio.file.spi.FileSystemProvider#installedProviders()} through the
 * service it provides, and the net domain's {@link java.nio.channels.spi.SelectorProvider} (named by the system
 * property {@code java.nio.channels.spi.SelectorProvider}, not a service: the JDK reads it so). With the ring, the
 * storage and net protocols and sys it is the whole of an application's vos.
 */
module dev.vos.client {
    requires transitive dev.vos.ring;
    requires dev.vos.storage.protocol;
    requires dev.vos.net.protocol;
    requires dev.vos.sys;
    requires jdk.net;

    exports dev.vos.client;
    exports dev.vos.client.fs;
    exports dev.vos.client.fs.mount;
    exports dev.vos.client.net;

    provides java.nio.file.spi.FileSystemProvider with dev.vos.client.fs.VosFileSystemProvider;
}
