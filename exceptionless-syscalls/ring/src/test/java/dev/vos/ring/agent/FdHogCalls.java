package dev.vos.ring.agent;

import dev.vos.ring.CoreCalls;
import dev.vos.ring.server.CallTable;
import dev.vos.sys.Errno;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test domain kind, "fdhog", whose one call holds descriptors per session as a storage domain does: call
 * {@link #OPEN} opens {@code /dev/null} and keeps it until the session ends, at most {@link #MAX_PER_SESSION} per
 * session (then EMFILE, as the storage domain's table answers), EMFILE also when the process runs out.
 */
public final class FdHogCalls implements CallTableProvider {

    /** {@code long open(void)}: descriptors this session now holds, or -EMFILE. */
    public static final int OPEN = CoreCalls.FIRST_DOMAIN_CALL;
    /** The storage domain's cap per session ({@code StorageCalls.MAX_DESCRIPTORS_PER_SESSION}). */
    public static final int MAX_PER_SESSION = 1024;

    @Override
    public String kind() {
        return "fdhog";
    }

    @Override
    public void register(CallTable.Builder table, Map<String, String> options) {
        table.sessionState(Held::new).add(OPEN, "open", call -> ((Held) call.session()).open());
    }

    /** One session's descriptors. */
    private static final class Held implements AutoCloseable {
        private final List<FileChannel> channels = new ArrayList<>();

        synchronized long open() {
            if (channels.size() >= MAX_PER_SESSION) {
                return -Errno.EMFILE;
            }
            try {
                channels.add(FileChannel.open(Path.of("/dev/null")));
                return channels.size();
            } catch (IOException e) {
                return -Errno.EMFILE;
            }
        }

        @Override
        public synchronized void close() throws IOException {
            for (FileChannel c : channels) {
                c.close();
            }
            channels.clear();
        }
    }
}
