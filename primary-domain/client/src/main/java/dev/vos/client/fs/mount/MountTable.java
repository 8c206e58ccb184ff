package dev.vos.client.fs.mount;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Host path prefixes served by storage domains, one mount per line:
 *
 * <pre>
 * # PREFIX     DOMAIN:DIRECTORY   [stateDir=PATH | socket=PATH]
 * /srv/data    storage0:/
 * /srv/logs    storage0:/logs     stateDir=/run/vos
 * </pre>
 *
 * Fields are separated by blanks; {@code #} starts a comment. PREFIX is an absolute, normal host path other than
 * "/"; no prefix may lie beneath another. DIRECTORY is absolute in the domain ("/" is its export root). A
 * domain is reached through the control plane of {@code stateDir} (vos's default without it) or directly through
 * an agent's {@code socket}; every mount of one domain must say the same. The same text may be given inline,
 * entries separated by ';' (each then counts as a line).
 *
 * @param mounts the mounts, in the order written
 */
public record MountTable(List<Mount> mounts) {

    /** The domain names a host spec allows. */
    private static final Pattern DOMAIN_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    /** The table with no mounts: every path is the host's. */
    public static final MountTable EMPTY = new MountTable(List.of());

    public MountTable {
        mounts = List.copyOf(mounts);
    }

    /** The mount that covers the absolute, normal host path {@code path}, or null. */
    Mount find(String path) {
        // Indexed, not for-each: a host path pays this on each new path, and an iterator is one more object.
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            if (m.covers(path)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Reads a table.
     *
     * @param source what to name in messages: the file as given, or {@code -Dvos.mounts}
     * @param text   its text; lines end at '\n', or at ';' when {@code inline}
     * @throws MountTableException with every problem found
     */
    public static MountTable parse(String source, String text, boolean inline) throws MountTableException {
        List<String> problems = new ArrayList<>();
        List<Mount> mounts = new ArrayList<>();
        String[] lines = text.split(inline ? ";" : "\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Mount m = parseLine(source, i + 1, lines[i], problems);
            if (m != null && fitsWithOthers(source, m, mounts, problems)) {
                mounts.add(m);
            }
        }
        if (!problems.isEmpty()) {
            throw new MountTableException(problems);
        }
        return new MountTable(mounts);
    }

    /** A field of a line and the 1-based column where it starts. */
    private record Field(String text, int column) {
    }

    private static List<Field> fields(String line) {
        List<Field> fields = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '#') {
                break;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i)) && line.charAt(i) != '#') {
                i++;
            }
            fields.add(new Field(line.substring(start, i), start + 1));
        }
        return fields;
    }

    private static Mount parseLine(String source, int line, String text, List<String> problems) {
        List<Field> fields = fields(text);
        if (fields.isEmpty()) {
            return null;
        }
        int before = problems.size();
        Field prefix = fields.get(0);
        String why = normalAbsolute(prefix.text());
        if (why == null && prefix.text().equals("/")) {
            why = "the host's root cannot be a mount";
        }
        if (why != null) {
            problems.add(at(source, line, prefix.column(), "prefix '" + prefix.text() + "': " + why));
        }
        if (fields.size() < 2) {
            problems.add(at(source, line, text.stripTrailing().length() + 1,
                    "expected DOMAIN:DIRECTORY after the prefix, like storage0:/"));
            return null;
        }
        Field target = fields.get(1);
        int colon = target.text().indexOf(':');
        String domain = colon < 0 ? target.text() : target.text().substring(0, colon);
        String directory = colon < 0 ? "" : target.text().substring(colon + 1);
        if (colon < 0) {
            problems.add(at(source, line, target.column(), "'" + target.text()
                    + "' is not DOMAIN:DIRECTORY, like storage0:/"));
        } else if (!DOMAIN_NAME.matcher(domain).matches()) {
            problems.add(at(source, line, target.column(), "domain name '" + domain
                    + "': a lower-case letter, then up to 30 lower-case letters, digits or '-'"));
        } else {
            String dirWhy = normalAbsolute(directory);
            if (dirWhy != null) {
                problems.add(at(source, line, target.column() + colon + 1, "directory '" + directory + "' in "
                        + domain + ": " + dirWhy));
            }
        }
        Map<String, String> options = options(source, line, fields.subList(2, fields.size()), problems);
        if (problems.size() > before) {
            return null;
        }
        return new Mount(prefix.text(), domain, directory, options.get("stateDir"), options.get("socket"), line);
    }

    private static Map<String, String> options(String source, int line, List<Field> fields, List<String> problems) {
        Map<String, String> options = new HashMap<>();
        for (Field f : fields) {
            int eq = f.text().indexOf('=');
            String key = eq < 0 ? f.text() : f.text().substring(0, eq);
            if (!key.equals("stateDir") && !key.equals("socket")) {
                problems.add(at(source, line, f.column(), "unknown option '" + key
                        + "': the options are stateDir=PATH and socket=PATH"));
            } else if (eq < 0 || eq == f.text().length() - 1) {
                problems.add(at(source, line, f.column(), "option " + key + " needs a value: " + key + "=PATH"));
            } else if (options.put(key, f.text().substring(eq + 1)) != null) {
                problems.add(at(source, line, f.column(), "option " + key + " given twice"));
            }
        }
        if (options.containsKey("stateDir") && options.containsKey("socket")) {
            problems.add(at(source, line, fields.getFirst().column(),
                    "stateDir and socket exclude each other: a domain is reached through one of them"));
        }
        return options;
    }

    /** Whether {@code m} fits with the mounts before it; the first clash is a problem of its line. */
    private static boolean fitsWithOthers(String source, Mount m, List<Mount> earlier, List<String> problems) {
        for (Mount other : earlier) {
            String clash = null;
            if (other.prefix().equals(m.prefix())) {
                clash = "prefix " + m.prefix() + " is mounted already on line " + other.line();
            } else if (other.covers(m.prefix()) || m.covers(other.prefix())) {
                clash = "prefix " + m.prefix() + " and " + other.prefix() + " (line " + other.line()
                        + ") nest: a path must have one mount";
            } else if (other.domain().equals(m.domain()) && (!Objects.equals(other.stateDir(), m.stateDir())
                    || !Objects.equals(other.socket(), m.socket()))) {
                clash = "domain " + m.domain() + " is reached differently on line " + other.line()
                        + ": every mount of a domain names the same stateDir or socket";
            }
            if (clash != null) {
                problems.add(at(source, m.line(), 1, clash));
                return false;
            }
        }
        return true;
    }

    /** Why {@code path} is not an absolute, normal path, or null when it is. */
    private static String normalAbsolute(String path) {
        if (!path.startsWith("/")) {
            return "not absolute (it must start with '/')";
        }
        if (path.length() > 1 && path.endsWith("/")) {
            return "ends with '/'";
        }
        if (path.contains("//")) {
            return "has an empty name ('//')";
        }
        for (String name : path.substring(1).split("/")) {
            if (name.equals(".") || name.equals("..")) {
                return "has a '" + name + "' name (write the path it stands for)";
            }
        }
        if (path.indexOf('\0') >= 0) {
            return "has a NUL character";
        }
        return null;
    }

    private static String at(String source, int line, int column, String message) {
        return source + ":" + line + ":" + column + ": " + message;
    }
}
