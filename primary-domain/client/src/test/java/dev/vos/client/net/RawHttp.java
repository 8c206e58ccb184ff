package dev.vos.client.net;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * HTTP/1.1 by hand over a plain socket's streams, for driving a server from outside its JVM without a client library
 * in between: a request's bytes, and one response read off the stream by its {@code Content-Length}, whole, so that
 * two servers' answers compare byte for byte.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** A request with no body; {@code extraHeaders} are whole lines, each ending CRLF. */
    static byte[] get(final String path, final String extraHeaders) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST of {@code body} to {@code path}. */
    static byte[] post(final String path, final byte[] body) {
        final byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** One response: its head (status line and headers, up to the empty line) and then its body. */
    static byte[] response(final InputStream in) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final StringBuilder line = new StringBuilder();
        long length = 0;
        while (true) {
            final int b = in.read();
            if (b < 0) {
                throw new EOFException("the response ended in its head after " + bytes.size() + " bytes");
            }
            bytes.write(b);
            if (b != '\n') {
                line.append((char) b);
                continue;
            }
            final String header = line.toString().strip();
            line.setLength(0);
            if (header.isEmpty()) {
                break;
            }
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(header.substring("content-length:".length()).strip());
            }
        }
        final byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
        }
        bytes.writeBytes(body);
        return bytes.toByteArray();
    }

    /** A short, comparable name for {@code bytes}: their length and SHA-256. */
    static String digest(final byte[] bytes) {
        try {
            return bytes.length + ":" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
