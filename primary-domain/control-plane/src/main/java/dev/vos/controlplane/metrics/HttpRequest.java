package dev.vos.controlplane.metrics;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The head of one HTTP/1.x request (request line and headers; the metrics endpoint takes no body), read from a
 * hostile client with a bound on its size: only what {@link MetricsServer} needs, and nothing it does not check.
 */
sealed interface HttpRequest {

    /** The method, an origin-form target and the version; nothing else (no control characters, no absolute URI). */
    Pattern REQUEST_LINE = Pattern.compile("([A-Z]{1,16}) (/[\\x21-\\x7e]*) HTTP/1\\.[01]");
    /** A header: a token, a colon, a value of visible characters, spaces and tabs. */
    Pattern HEADER = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \\t]*([\\x20-\\x7e\\t]*?)[ \\t]*");

    /** The client closed before the end of the head. */
    record Incomplete() implements HttpRequest {
    }

    /** The head did not end within the bound. */
    record TooLarge() implements HttpRequest {
    }

    /** The head ended but is no HTTP/1.x request; {@code why} says what is wrong, for the 400's body. */
    record Malformed(String why) implements HttpRequest {
    }

    /**
     * A request.
     *
     * @param path    the target without its query
     * @param headers by lowercase name; the first of repeated ones
     */
    record Parsed(String method, String path, Map<String, String> headers) implements HttpRequest {
        /** The header of that (lowercase) name, or null. */
        String header(String name) {
            return headers.get(name);
        }
    }

    /**
     * Reads until the blank line that ends the head, at most {@code maxBytes}; lines may end in CRLF or LF.
     *
     * @throws IOException if reading fails (the deadline closed the channel, or the client reset it)
     */
    static HttpRequest read(ReadableByteChannel channel, int maxBytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        int scanned = 0;
        while (true) {
            if (!buffer.hasRemaining()) {
                return new TooLarge();
            }
            if (channel.read(buffer) < 0) {
                return new Incomplete();
            }
            for (; scanned < buffer.position(); scanned++) {
                int end = headEnd(buffer, scanned);
                if (end >= 0) {
                    return parse(new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1));
                }
            }
            scanned = Math.max(0, buffer.position() - 2); // a CRLF CRLF may straddle two reads
        }
    }

    /** Where the head ends if a blank line starts right after {@code i}, or -1. */
    private static int headEnd(ByteBuffer buffer, int i) {
        byte[] b = buffer.array();
        int n = buffer.position();
        if (b[i] != '\n') {
            return -1;
        }
        if (i + 1 < n && b[i + 1] == '\n') {
            return i;
        }
        if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n') {
            return i;
        }
        return -1;
    }

    private static HttpRequest parse(String head) {
        String[] lines = head.split("\r?\n", -1);
        Matcher first = REQUEST_LINE.matcher(stripCr(lines[0]));
        if (!first.matches()) {
            return new Malformed("not an HTTP/1.x request line; expected: GET " + MetricsServer.PATH + " HTTP/1.1");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = stripCr(lines[i]);
            if (line.isEmpty()) {
                continue;
            }
            Matcher header = HEADER.matcher(line);
            if (!header.matches()) {
                return new Malformed("malformed header line " + i);
            }
            headers.putIfAbsent(header.group(1).toLowerCase(Locale.ROOT), header.group(2));
        }
        String target = first.group(2);
        int query = target.indexOf('?');
        return new Parsed(first.group(1), query < 0 ? target : target.substring(0, query), headers);
    }

    private static String stripCr(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
