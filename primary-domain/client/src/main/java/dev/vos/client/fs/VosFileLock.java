package dev.vos.client.fs;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;

/**
 * A byte-range lock held in the storage domain: an open-file-description lock on the channel's descriptor, so
 * it excludes other clients of the domain and other processes on the host, and it goes when the descriptor
 * does (the channel is closed, or the domain dies).
 */
final class VosFileLock extends FileLock {

    /** The channel whose descriptor holds the lock: the one that acquired it, or the one under that. */
    private final VosFileChannel channel;
    private volatile boolean valid = true;

    VosFileLock(VosFileChannel channel, long position, long size, boolean shared) {
        super(channel, position, size, shared);
        this.channel = channel;
    }

    /** A lock that {@code owner} acquired ({@link #acquiredBy()}), held on the descriptor of {@code channel}. */
    VosFileLock(VosAsynchronousFileChannel owner, VosFileChannel channel, long position, long size, boolean shared) {
        super(owner, position, size, shared);
        this.channel = channel;
    }

    /** The channel whose descriptor holds it (for an asynchronous channel's lock, not {@link #channel()}). */
    VosFileChannel descriptorChannel() {
        return channel;
    }

    @Override
    public boolean isValid() {
        return valid && channel.isOpen();
    }

    /** Marks it released without telling the domain (its descriptor is closed, or closing). */
    void invalidate() {
        valid = false;
    }

    @Override
    public synchronized void release() throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        if (valid) {
            channel.unlock(this);
            valid = false;
        }
    }
}
