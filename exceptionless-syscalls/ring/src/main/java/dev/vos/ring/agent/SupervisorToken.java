package dev.vos.ring.agent;

import dev.vos.sys.Linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * What proves that a session is the control plane's own, the supervisor's: a random secret the control plane writes
 * to an owner-only file in its own state directory for each generation, names to the agent at launch
 * ({@code --supervisor-token-file}), and presents in its {@code ATTACH SUPERVISOR <token>} line. A client cannot
 * forge it: the role is no longer a word anyone can send. The agent compares in constant time and never logs it.
 */
public final class SupervisorToken {

    /** Bytes of randomness: 256 bits. */
    private static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String text;

    private SupervisorToken(String text) {
        this.text = text;
    }

    /**
     * Makes a new token and writes it to {@code file}, replacing any old one atomically: written to a fresh name
     * beside it (owner-only from its creation, never over an existing name, never through a link), then renamed.
     */
    public static SupervisorToken issue(Path file) throws IOException {
        byte[] secret = new byte[BYTES];
        RANDOM.nextBytes(secret);
        SupervisorToken token = new SupervisorToken(HexFormat.of().formatHex(secret));
        Path fresh = file.resolveSibling(file.getFileName() + ".new-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
        try (SeekableByteChannel out = Files.newByteChannel(fresh, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            out.write(ByteBuffer.wrap((token.text + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            Files.deleteIfExists(fresh);
            throw new IOException("cannot write the supervisor token " + file + ": " + e.getMessage(), e);
        }
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return token;
    }

    /**
     * Reads the token in {@code file}, refusing a file that is not a regular file owned by this process's user (or
     * root), or that anyone else may read or write: a token others can read proves nothing.
     */
    public static SupervisorToken read(Path file) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> others = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
        if (!attributes.isRegularFile() || (owner != Linux.geteuid() && owner != 0)
                || attributes.permissions().stream().anyMatch(others::contains)) {
            throw new IOException("the supervisor token " + file + " must be a regular file of uid " + Linux.geteuid()
                    + " (or root) that only its owner may read and write; it is "
                    + PosixFilePermissions.toString(attributes.permissions()) + " of uid " + owner);
        }
        byte[] bytes;
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.allocate(4 * BYTES);
            while (buffer.hasRemaining() && in.read(buffer) > 0) {
                // a token is 65 bytes; more is not one
            }
            bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        if (text.length() != 2 * BYTES || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IOException("the supervisor token " + file + " is not " + 2 * BYTES + " hex digits");
        }
        return new SupervisorToken(text);
    }

    /** The token as the {@code ATTACH SUPERVISOR} line carries it. */
    String text() {
        return text;
    }

    /** Whether {@code presented} is this token; in time that does not depend on where the two differ. */
    boolean matches(String presented) {
        return MessageDigest.isEqual(text.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "SupervisorToken[not shown]";
    }
}
