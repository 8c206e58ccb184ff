package dev.vos.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code import} lines of vos's main sources, and the checks {@link SourceImportsTest} runs on them: what
 * {@link VosRules} checks on classes, seen where javac's constant inlining hides nothing.
 */
final class SourceImports {

    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;",
            Pattern.MULTILINE);

    /** One import of one source file. */
    record Import(String file, String fromPackage, String name, String toPackage) {
        @Override
        public String toString() {
            return file + ": import " + name;
        }
    }

    private SourceImports() {
    }

    /** The imports of every {@code src/main/java} file under {@code root} (build output and .git left out). */
    static List<Import> read(Path root) throws IOException {
        List<Import> imports = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(SourceImports::isMainSource).sorted().toList()) {
                imports.addAll(parse(root.relativize(file).toString(), Files.readString(file)));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return imports;
    }

    private static boolean isMainSource(Path file) {
        String path = file.toString().replace('\\', '/');
        return path.endsWith(".java") && path.contains("/src/main/java/") && !path.contains("/target/")
                && !path.contains("/.git/");
    }

    /** The imports of one source file; none for a file without a package (module-info.java). */
    static List<Import> parse(String file, String source) {
        Matcher pkg = PACKAGE.matcher(source);
        if (!pkg.find()) {
            return List.of();
        }
        List<Import> imports = new ArrayList<>();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            imports.add(new Import(file, pkg.group(1), m.group(2), packageOf(m.group(2))));
        }
        return imports;
    }

    /**
     * The package part of an imported name: the segments before the first that starts with a capital (a class),
     * or the whole name for a package import ({@code import a.b.*}).
     */
    static String packageOf(String name) {
        StringBuilder pkg = new StringBuilder();
        for (String segment : name.split("\\.")) {
            if (Character.isUpperCase(segment.charAt(0))) {
                break;
            }
            pkg.append(pkg.isEmpty() ? "" : ".").append(segment);
        }
        return pkg.toString();
    }

    /** True when {@code pkg} is {@code prefix} or inside it. */
    static boolean within(String pkg, String prefix) {
        return pkg.equals(prefix) || pkg.startsWith(prefix + ".");
    }

    /** Imports from a package under a key of {@link VosRules#MAY_USE} of a package its list does not allow. */
    static List<Import> beyondBoundaries(List<Import> imports) {
        List<Import> out = new ArrayList<>();
        for (Import i : imports) {
            for (Map.Entry<String, List<String>> layer : VosRules.MAY_USE.entrySet()) {
                if (within(i.fromPackage(), layer.getKey())
                        && layer.getValue().stream().noneMatch(allowed -> within(i.toPackage(), allowed))) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    /** Imports of {@code dev.vos.sys.Linux} (or its members) by the storage or the net protocol. */
    static List<Import> protocolSystemCalls(List<Import> imports) {
        return imports.stream().filter(i -> (within(i.fromPackage(), "dev.vos.storage.protocol")
                || within(i.fromPackage(), "dev.vos.net.protocol"))
                && (i.name().equals("dev.vos.sys.Linux") || i.name().startsWith("dev.vos.sys.Linux."))).toList();
    }

    /** Imports of JNA outside the Xen backend. */
    static List<Import> jnaOutsideXen(List<Import> imports) {
        return imports.stream().filter(i -> within(i.toPackage(), "com.sun.jna")
                && !within(i.fromPackage(), "dev.vos.backend.xen")).toList();
    }

    /**
     * The package cycles of vos the imports make: each strongly connected set of two or more {@code dev.vos}
     * packages, with the imports that tie it.
     */
    static List<List<Import>> cycles(List<Import> imports) {
        Map<String, Set<String>> edges = new TreeMap<>();
        Map<String, List<Import>> byEdge = new HashMap<>();
        for (Import i : imports) {
            if (within(i.fromPackage(), "dev.vos") && within(i.toPackage(), "dev.vos")
                    && !i.fromPackage().equals(i.toPackage())) {
                edges.computeIfAbsent(i.fromPackage(), p -> new TreeSet<>()).add(i.toPackage());
                edges.computeIfAbsent(i.toPackage(), p -> new TreeSet<>());
                byEdge.computeIfAbsent(i.fromPackage() + " " + i.toPackage(), e -> new ArrayList<>()).add(i);
            }
        }
        List<List<Import>> out = new ArrayList<>();
        for (Set<String> component : new Tarjan(edges).components()) {
            if (component.size() > 1) {
                List<Import> tying = new ArrayList<>();
                for (String from : component) {
                    for (String to : edges.get(from)) {
                        if (component.contains(to)) {
                            tying.addAll(byEdge.get(from + " " + to));
                        }
                    }
                }
                out.add(tying);
            }
        }
        return out;
    }

    /** Tarjan's strongly connected components (recursive: the graph is a few dozen packages). */
    private static final class Tarjan {
        private final Map<String, Set<String>> edges;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> components = new ArrayList<>();

        Tarjan(Map<String, Set<String>> edges) {
            this.edges = edges;
        }

        List<Set<String>> components() {
            for (String node : edges.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return components;
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.push(node);
            onStack.add(node);
            for (String next : edges.get(node)) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                components.add(component);
            }
        }
    }
}
