package dev.vos.client.fs;

import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The locks this JVM holds on each file of one vos file system, as the JDK's own {@code FileLockTable}: a lock
 * that overlaps one already held in this JVM (through any channel) is refused with
 * {@link OverlappingFileLockException} before the domain is asked, because the domain would grant it (both
 * are this client's) and the program would silently hold two locks on the same bytes.
 */
final class LockTable {

    private final Map<VosFileAttributes.FileKey, List<VosFileLock>> held = new HashMap<>();

    synchronized void add(VosFileAttributes.FileKey file, VosFileLock lock) {
        List<VosFileLock> locks = held.computeIfAbsent(file, k -> new ArrayList<>());
        for (VosFileLock other : locks) {
            if (other.overlaps(lock.position(), lock.size())) {
                throw new OverlappingFileLockException();
            }
        }
        locks.add(lock);
    }

    synchronized void remove(VosFileAttributes.FileKey file, VosFileLock lock) {
        List<VosFileLock> locks = held.get(file);
        if (locks != null) {
            locks.remove(lock);
            if (locks.isEmpty()) {
                held.remove(file);
            }
        }
    }

    /** Removes and returns every lock of {@code channel} on {@code file}. */
    synchronized List<VosFileLock> removeAll(VosFileAttributes.FileKey file, VosFileChannel channel) {
        List<VosFileLock> locks = held.get(file);
        List<VosFileLock> removed = new ArrayList<>();
        if (locks != null) {
            locks.removeIf(l -> {
                boolean mine = l.descriptorChannel() == channel;
                if (mine) {
                    removed.add(l);
                }
                return mine;
            });
            if (locks.isEmpty()) {
                held.remove(file);
            }
        }
        return removed;
    }
}
