package dev.vos.client.fs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A path of a {@link VosFileSystem}: POSIX syntax ('/' separates names, a leading '/' makes it absolute), kept as
 * its normalised string (no repeated or trailing '/') and the offsets of its names. Like the JDK's own UnixPath,
 * operations are purely syntactic; only {@link #toRealPath} asks the domain. The file system's root, "/", is the
 * storage domain's export root; a relative path resolves against it.
 */
final class VosPath implements Path {

    private final VosFileSystem fs;
    /** The normalised text: "" (the empty path), "/", "a/b" or "/a/b". */
    private final String text;
    /** The start of each name in {@link #text}. */
    private final int[] offsets;

    VosPath(VosFileSystem fs, String input) {
        this.fs = fs;
        this.text = normalizeSlashes(input);
        this.offsets = offsetsOf(text);
    }

    private static String normalizeSlashes(String input) {
        if (input.indexOf('\u0000') >= 0) {
            throw new java.nio.file.InvalidPathException(input, "Nul character not allowed");
        }
        StringBuilder out = new StringBuilder(input.length());
        char previous = 0;
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == '/' && previous == '/') {
                continue;
            }
            out.append(c);
            previous = c;
        }
        if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    private static int[] offsetsOf(String text) {
        if (text.isEmpty()) {
            return new int[] {0}; // the empty path has one name, "" (as UnixPath)
        }
        List<Integer> starts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) == '/') {
                i++;
                continue;
            }
            starts.add(i);
            while (i < text.length() && text.charAt(i) != '/') {
                i++;
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The path the storage domain resolves beneath its export root: relative, "." for the root. */
    String domainPath() {
        String relative = toAbsolutePath().text.substring(1);
        return relative.isEmpty() ? "." : relative;
    }

    /** The text exceptions name, as the default provider names the path the caller gave. */
    String forMessages() {
        return text;
    }

    static VosPath check(Path path) {
        Objects.requireNonNull(path, "path");
        if (!(path instanceof VosPath p)) {
            throw new ProviderMismatchException("not a vos path: " + path.getClass().getName());
        }
        return p;
    }

    @Override
    public VosFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return text.startsWith("/");
    }

    @Override
    public VosPath getRoot() {
        return isAbsolute() ? new VosPath(fs, "/") : null;
    }

    @Override
    public VosPath getFileName() {
        if (text.equals("/")) {
            return null;
        }
        if (text.isEmpty()) {
            return this;
        }
        return new VosPath(fs, text.substring(offsets[offsets.length - 1]));
    }

    @Override
    public VosPath getParent() {
        int count = nameCount();
        if (count == 0 || (count == 1 && !isAbsolute())) {
            return null;
        }
        if (count == 1) {
            return getRoot();
        }
        int end = offsets[count - 1] - 1;
        return new VosPath(fs, text.substring(0, end));
    }

    private int nameCount() {
        return text.equals("/") ? 0 : offsets.length;
    }

    @Override
    public int getNameCount() {
        return nameCount();
    }

    private String name(int index) {
        int start = offsets[index];
        int end = index + 1 < offsets.length ? offsets[index + 1] - 1 : text.length();
        return text.substring(start, end);
    }

    @Override
    public VosPath getName(int index) {
        if (index < 0 || index >= nameCount()) {
            throw new IllegalArgumentException("index " + index + " is outside 0.." + (nameCount() - 1));
        }
        return new VosPath(fs, name(index));
    }

    @Override
    public VosPath subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > nameCount() || beginIndex >= endIndex) {
            throw new IllegalArgumentException("subpath(" + beginIndex + ", " + endIndex + ") of " + nameCount()
                    + " names");
        }
        return new VosPath(fs, String.join("/", names().subList(beginIndex, endIndex)));
    }

    private List<String> names() {
        List<String> names = new ArrayList<>(nameCount());
        for (int i = 0; i < nameCount(); i++) {
            names.add(name(i));
        }
        return names;
    }

    @Override
    public boolean startsWith(Path other) {
        if (!(Objects.requireNonNull(other) instanceof VosPath that) || that.fs != fs) {
            return false;
        }
        if (that.isAbsolute() != isAbsolute() || that.nameCount() > nameCount()) {
            return false;
        }
        if (that.text.isEmpty()) {
            return text.isEmpty();
        }
        return names().subList(0, that.nameCount()).equals(that.names());
    }

    @Override
    public boolean endsWith(Path other) {
        if (!(Objects.requireNonNull(other) instanceof VosPath that) || that.fs != fs) {
            return false;
        }
        if (that.isAbsolute()) {
            return that.equals(this);
        }
        if (that.text.isEmpty()) {
            return text.isEmpty();
        }
        int count = nameCount();
        int thatCount = that.nameCount();
        return thatCount <= count && names().subList(count - thatCount, count).equals(that.names());
    }

    @Override
    public VosPath normalize() {
        List<String> out = new ArrayList<>();
        for (String name : names()) {
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) {
                    out.removeLast();
                    continue;
                }
                if (isAbsolute()) {
                    continue; // "/.." is "/"
                }
            }
            out.add(name);
        }
        String joined = String.join("/", out);
        return new VosPath(fs, isAbsolute() ? "/" + joined : joined);
    }

    @Override
    public VosPath resolve(Path other) {
        VosPath that = check(other);
        if (that.isAbsolute()) {
            return that;
        }
        if (that.text.isEmpty()) {
            return this;
        }
        if (text.isEmpty()) {
            return that;
        }
        return new VosPath(fs, text + "/" + that.text);
    }

    @Override
    public VosPath resolve(String other) {
        return resolve(new VosPath(fs, other));
    }

    @Override
    public VosPath relativize(Path other) {
        VosPath that = check(other);
        if (that.equals(this)) {
            return new VosPath(fs, "");
        }
        if (that.isAbsolute() != isAbsolute()) {
            throw new IllegalArgumentException("'other' is different type of Path");
        }
        if (text.isEmpty()) {
            return that;
        }
        // As UnixPath: with "." or ".." in either, both are normalised first; what is left of this path after the
        // common names becomes one ".." each, and may not itself hold a "..".
        VosPath base = this;
        VosPath child = that;
        if (base.hasDots() || child.hasDots()) {
            base = base.normalize();
            child = child.normalize();
        }
        List<String> from = base.text.isEmpty() ? List.of() : base.names();
        List<String> to = child.text.isEmpty() ? List.of() : child.names();
        int common = 0;
        while (common < from.size() && common < to.size() && from.get(common).equals(to.get(common))) {
            common++;
        }
        List<String> remaining = from.subList(common, from.size());
        if (remaining.contains("..") || remaining.contains(".")) {
            throw new IllegalArgumentException("Unable to compute relative  path from " + this + " to " + other);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < remaining.size(); i++) {
            out.add("..");
        }
        out.addAll(to.subList(common, to.size()));
        return new VosPath(fs, String.join("/", out));
    }

    private boolean hasDots() {
        return names().stream().anyMatch(n -> n.equals(".") || n.equals(".."));
    }

    @Override
    public URI toUri() {
        try {
            return new URI(VosFileSystemProvider.SCHEME, fs.domain(), toAbsolutePath().text, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("path " + text + " makes no URI", e);
        }
    }

    @Override
    public VosPath toAbsolutePath() {
        return isAbsolute() ? this : new VosPath(fs, text.isEmpty() ? "/" : "/" + text);
    }

    @Override
    public VosPath toRealPath(LinkOption... options) throws IOException {
        return fs.provider().realPath(this, options);
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("the storage domain does not deliver file events (no inotify)");
    }

    @Override
    public int compareTo(Path other) {
        return text.compareTo(check(other).text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VosPath that && that.fs == fs && that.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }

    /** The names, as strings. */
    List<String> nameList() {
        return List.copyOf(names());
    }
}
