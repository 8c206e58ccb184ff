package dev.vos.client.fs;

import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Attributes by name ("basic:size", "posix:permissions", "unix:ino", "*"), for {@code Files.readAttributes(path,
 * String)} and {@code Files.setAttribute}, with the default provider's names and errors: an unknown view is
 * {@link UnsupportedOperationException}, an unknown attribute {@link IllegalArgumentException}.
 */
final class AttributeNames {

    /** Reads attributes once, on first need. */
    @FunctionalInterface
    interface Source {
        VosFileAttributes get() throws IOException;
    }

    private static final Set<String> BASIC = Set.of("lastModifiedTime", "lastAccessTime", "creationTime", "size",
            "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
    private static final Set<String> OWNER = Set.of("owner");
    private static final Set<String> POSIX = Set.of("permissions", "group");
    private static final Set<String> UNIX = Set.of("mode", "ino", "dev", "nlink", "uid", "gid", "ctime");

    private AttributeNames() {
    }

    static Map<String, Object> read(String attributes, Source source) throws IOException {
        String view = "basic";
        String names = attributes;
        int colon = attributes.indexOf(':');
        if (colon >= 0) {
            view = attributes.substring(0, colon);
            names = attributes.substring(colon + 1);
        }
        Set<String> known = switch (view) {
            case "basic" -> BASIC;
            case "owner" -> OWNER;
            case "posix" -> union(BASIC, OWNER, POSIX);
            case "unix" -> union(BASIC, OWNER, POSIX, UNIX);
            default -> throw new UnsupportedOperationException("View '" + view + "' not available");
        };
        VosFileAttributes a = source.get();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names.split(",")) {
            if (name.equals("*")) {
                for (String each : known) {
                    out.put(each, value(a, each));
                }
            } else if (known.contains(name)) {
                out.put(name, value(a, name));
            } else {
                throw new IllegalArgumentException("'" + name + "' not recognized");
            }
        }
        return out;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Map<String, Boolean> all = new HashMap<>();
        for (Set<String> s : sets) {
            s.forEach(n -> all.put(n, true));
        }
        return all.keySet();
    }

    private static Object value(VosFileAttributes a, String name) {
        return switch (name) {
            case "lastModifiedTime" -> a.lastModifiedTime();
            case "lastAccessTime" -> a.lastAccessTime();
            case "creationTime" -> a.creationTime();
            case "size" -> a.size();
            case "isRegularFile" -> a.isRegularFile();
            case "isDirectory" -> a.isDirectory();
            case "isSymbolicLink" -> a.isSymbolicLink();
            case "isOther" -> a.isOther();
            case "fileKey" -> a.fileKey();
            case "owner" -> a.owner();
            case "group" -> a.group();
            case "permissions" -> a.permissions();
            case "mode" -> a.stat().mode();
            case "ino" -> a.stat().ino();
            case "dev" -> a.stat().dev();
            case "nlink" -> a.stat().nlink();
            case "uid" -> a.stat().uid();
            case "gid" -> a.stat().gid();
            case "ctime" -> a.changeTime();
            default -> throw new IllegalArgumentException("'" + name + "' not recognized");
        };
    }

    @SuppressWarnings("unchecked")
    static void set(VosAttributeView view, String attribute, Object value) throws IOException {
        String viewName = "basic";
        String name = attribute;
        int colon = attribute.indexOf(':');
        if (colon >= 0) {
            viewName = attribute.substring(0, colon);
            name = attribute.substring(colon + 1);
        }
        boolean basic = viewName.equals("basic") || viewName.equals("posix") || viewName.equals("unix");
        boolean owner = viewName.equals("owner") || viewName.equals("posix") || viewName.equals("unix");
        boolean posix = viewName.equals("posix") || viewName.equals("unix");
        if (!basic && !owner) {
            throw new UnsupportedOperationException("View '" + viewName + "' not available");
        }
        switch (name) {
            case "lastModifiedTime" -> requireView(basic, viewName, name,
                    () -> view.setTimes((FileTime) value, null, null));
            case "lastAccessTime" -> requireView(basic, viewName, name,
                    () -> view.setTimes(null, (FileTime) value, null));
            case "creationTime" -> requireView(basic, viewName, name,
                    () -> view.setTimes(null, null, (FileTime) value));
            case "owner" -> requireView(owner, viewName, name, () -> view.setOwner((UserPrincipal) value));
            case "group" -> requireView(posix, viewName, name, () -> view.setGroup((GroupPrincipal) value));
            case "permissions" -> requireView(posix, viewName, name,
                    () -> view.setPermissions((Set<PosixFilePermission>) value));
            default -> throw new IllegalArgumentException("'" + attribute + "' not recognized");
        }
    }

    @FunctionalInterface
    private interface Setter {
        void run() throws IOException;
    }

    private static void requireView(boolean inView, String view, String name, Setter setter) throws IOException {
        if (!inView) {
            throw new IllegalArgumentException("'" + view + ":" + name + "' not recognized");
        }
        setter.run();
    }
}
