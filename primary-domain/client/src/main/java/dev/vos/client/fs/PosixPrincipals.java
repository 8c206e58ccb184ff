package dev.vos.client.fs;

import dev.vos.client.users.HostUsers;

import java.io.IOException;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Users and groups by number and name, as the storage domain's files carry them: named by this host's users
 * ({@link HostUsers}), since the storage domain runs on this host with them.
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

    private PosixPrincipals() {
    }

    static User user(int uid) {
        return new User(uid, HostUsers.userName(uid));
    }

    static Group group(int gid) {
        return new Group(gid, HostUsers.groupName(gid));
    }

    static final UserPrincipalLookupService LOOKUP = new UserPrincipalLookupService() {
        @Override
        public UserPrincipal lookupPrincipalByName(String name) throws IOException {
            return new User(HostUsers.userId(name), name);
        }

        @Override
        public GroupPrincipal lookupPrincipalByGroupName(String group) throws IOException {
            return new Group(HostUsers.groupId(group), group);
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
        return HostUsers.userId(principal.getName());
    }

    static int gidOf(GroupPrincipal principal) throws IOException {
        if (principal instanceof Group g) {
            return g.id();
        }
        return HostUsers.groupId(principal.getName());
    }
}
