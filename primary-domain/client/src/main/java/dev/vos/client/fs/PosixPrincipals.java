package dev.vos.client.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;

/**
 * Users and groups by number and name. The storage domain runs on this host with this host's users, so names
 * come from this host's /etc/passwd and /etc/group (a number with no name is shown as the number, as ls does).
 */
final class PosixPrincipals {

    /** A user or group: the number is what travels to the domain. */
    record User(int id, String getName) implements UserPrincipal {
        @Override
        public String toString() {
            return getName;
        }
    }

    record Group(int id, String getName) implements GroupPrincipal {
        @Override
        public String toString() {
            return getName;
        }
    }

    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    private PosixPrincipals() {
    }

    static User user(int uid) {
        return new User(uid, nameOf(PASSWD, uid));
    }

    static Group group(int gid) {
        return new Group(gid, nameOf(GROUP, gid));
    }

    private static String nameOf(Path table, int id) {
        for (String[] row : rows(table)) {
            if (row[2].equals(Integer.toString(id))) {
                return row[0];
            }
        }
        return Integer.toString(id);
    }

    private static int idOf(Path table, String name) throws UserPrincipalNotFoundException {
        for (String[] row : rows(table)) {
            if (row[0].equals(name)) {
                return Integer.parseInt(row[2]);
            }
        }
        try {
            return Integer.parseInt(name); // a number names itself, as chown(1) accepts
        } catch (NumberFormatException e) {
            throw new UserPrincipalNotFoundException(name);
        }
    }

    private static List<String[]> rows(Path table) {
        try {
            return Files.readAllLines(table).stream().map(line -> line.split(":", -1)).filter(r -> r.length > 2)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static final UserPrincipalLookupService LOOKUP = new UserPrincipalLookupService() {
        @Override
        public UserPrincipal lookupPrincipalByName(String name) throws IOException {
            return new User(idOf(PASSWD, name), name);
        }

        @Override
        public GroupPrincipal lookupPrincipalByGroupName(String group) throws IOException {
            return new Group(idOf(GROUP, group), group);
        }
    };

    /** The uid of a principal this lookup made (or a number's name); -1 for a group-only principal. */
    static int uidOf(UserPrincipal principal) throws IOException {
        if (principal instanceof User u) {
            return u.id();
        }
        if (principal instanceof Group) {
            throw new IOException("'" + principal.getName() + "' is a group, not a user");
        }
        return idOf(PASSWD, principal.getName());
    }

    static int gidOf(GroupPrincipal principal) throws IOException {
        if (principal instanceof Group g) {
            return g.id();
        }
        return idOf(GROUP, principal.getName());
    }
}
