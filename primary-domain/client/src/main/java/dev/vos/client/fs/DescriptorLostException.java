package dev.vos.client.fs;

import java.io.IOException;

/**
 * A channel or directory stream outlived the domain generation that opened its descriptor: the storage domain
 * died (and perhaps came back), and the descriptor died with it. Paths keep working; the file must be opened again.
 */
public final class DescriptorLostException extends IOException {

    DescriptorLostException(String domain, long openedIn, long now) {
        super("storage domain " + domain + " restarted (generation " + openedIn + " -> " + now
                + "): this channel's descriptor ended with generation " + openedIn + "; open the file again");
    }
}
