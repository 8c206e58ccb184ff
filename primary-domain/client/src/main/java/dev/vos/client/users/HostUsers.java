package dev.vos.client.users;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;

/**
 * This host's users and groups, by number and name, from /etc/passwd and /etc/group: the domains run on this host
 * with its users, so a number a domain answers (a file's owner, a socket's peer) is named here. A number with no name
 * is shown as the number, as {@code ls} and the JDK show it.
 */
public final class HostUsers {

    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Path GROUP = Path.of("/etc/group");

    private HostUsers() {
    }

    /** The name of user {@code uid}, or the number. */
    public static String userName(int uid) {
        return nameOf(PASSWD, uid);
    }

    /** The name of group {@code gid}, or the number. */
    public static String groupName(int gid) {
        return nameOf(GROUP, gid);
    }

    /** The number of user {@code name} (a number names itself, as chown(1) takes it). */
    public static int userId(String name) throws UserPrincipalNotFoundException {
        return idOf(PASSWD, name);
    }

    /** The number of group {@code name} (a number names itself). */
    public static int groupId(String name) throws UserPrincipalNotFoundException {
        return idOf(GROUP, name);
    }

    private static String nameOf(Path table, int id) {
        String number = Integer.toString(id);
        for (String[] row : rows(table)) {
            if (row[2].equals(number)) {
                return row[0];
            }
        }
        return number;
    }

    private static int idOf(Path table, String name) throws UserPrincipalNotFoundException {
        for (String[] row : rows(table)) {
            if (row[0].equals(name)) {
                return Integer.parseInt(row[2]);
            }
        }
        try {
            return Integer.parseInt(name);
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
}
