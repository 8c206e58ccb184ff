package dev.vos.controlplane.spec;

import dev.vos.ring.agent.StateDirectory;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a host spec (YAML, see {@code docs/spec.md}) into a {@link HostSpec}, or reports every problem in it with
 * its line and field. The YAML is composed into a node tree, which keeps each node's line, and the tree is walked
 * by hand: no reflection, and a wrong type is a message, not a ClassCastException.
 *
 * <p>Parsing has no side effects: it reads the spec and looks at the paths it names (an export root must exist),
 * but creates nothing and starts nothing.
 */
public final class SpecParser {

    /** How {@link #parse(String, Path)} names its input in messages. */
    public static final String STRING_SOURCE = "<string>";
    /** The most collections a spec may nest, the document's own mapping included; a sound spec needs 5. */
    public static final int MAX_NESTING = 32;
    /** The most domains one host's spec may list. */
    public static final int MAX_DOMAINS = 64;
    /** The largest spec file read, in bytes (1 MiB): a spec of {@value #MAX_DOMAINS} domains takes some 20 KiB. */
    public static final int MAX_SPEC_BYTES = 1 << 20;

    private static final List<String> ROOT_KEYS = List.of("version", "controlPlane", "supervisor", "domains");
    private static final List<String> CONTROL_PLANE_KEYS =
            List.of("stateDir", "metricsPort", "metricsSocket", "metricsTokenFile");
    private static final List<String> SUPERVISOR_KEYS =
            List.of("intensity", "periodSeconds", "backoff", "hangTimeoutMs");
    private static final List<String> RESTART_KEYS =
            List.of("policy", "intensity", "periodSeconds", "backoff", "hangTimeoutMs");
    private static final List<String> BACKOFF_KEYS = List.of("initialMs", "maxMs");
    private static final List<String> DOMAIN_KEYS = List.of("name", "kind", "backend", "restart", "startTimeoutMs",
            "stopGraceMs", "resources", "namespaces", "capabilities", "storage", "net", "xen", "attachGroup",
            "standby");
    private static final List<String> RESOURCES_KEYS = List.of("memoryMb", "cpus");
    private static final List<String> STORAGE_KEYS = List.of("exportRoot", "allowSpecialFiles", "mapReads");
    private static final List<String> NET_KEYS = List.of("bind", "unix");
    private static final List<String> XEN_KEYS = List.of("config");

    private static final Pattern DOMAIN_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final String DOMAIN_NAME_RULE = "a lowercase letter, then up to 30 lowercase letters, digits or '-'";
    private static final Pattern DOTTED_QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private final String source;
    private final Path specFile;
    private final Path baseDir;
    private final Map<String, String> env;
    private final String userHome;
    private final int cpuCount;
    private final Problems problems = new Problems();
    /** The control plane's state directory, once read: no export root may overlap it. */
    private Path stateDir;

    SpecParser(String source, Path specFile, Path baseDir, Map<String, String> env, String userHome, int cpuCount) {
        this.source = source;
        this.specFile = specFile;
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.env = env;
        this.userHome = userHome;
        this.cpuCount = cpuCount;
    }

    /**
     * Reads the spec file {@code file}; relative paths in it resolve against its folder.
     *
     * @throws SpecException with every problem: the file is missing or unreadable, the YAML is malformed, or the
     *                       spec breaks a rule; messages name the file as {@code file} is written
     */
    public static HostSpec parse(Path file) throws SpecException {
        String source = file.toString();
        String yaml = readBounded(file, source);
        Path absolute = file.toAbsolutePath().normalize();
        return onThisHost(source, absolute, absolute.getParent()).read(yaml);
    }

    /**
     * The file's text, read only if it is a regular file of at most {@value #MAX_SPEC_BYTES} bytes: a FIFO or a
     * device would block or never end, and a huge file would fill the heap before a single rule is checked.
     */
    private static String readBounded(Path file, String source) throws SpecException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw fileProblem(source, "is a directory, not a spec file");
            }
            if (!attributes.isRegularFile()) {
                throw fileProblem(source, "is not a regular file");
            }
            if (attributes.size() > MAX_SPEC_BYTES) {
                throw fileProblem(source, tooLarge(attributes.size()));
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_SPEC_BYTES + 1); // the file may have grown since it was measured
            }
            if (bytes.length > MAX_SPEC_BYTES) {
                throw fileProblem(source, tooLarge(bytes.length));
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw fileProblem(source, "no such file");
        } catch (AccessDeniedException e) {
            throw fileProblem(source, "cannot be read: permission denied");
        } catch (CharacterCodingException e) {
            throw fileProblem(source, "is not UTF-8 text");
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read: " + e);
        }
    }

    private static String tooLarge(long size) {
        return "is " + size + " bytes; a spec may be at most " + MAX_SPEC_BYTES + " bytes";
    }

    /**
     * Reads a spec from a string, as if from a file in {@code baseDir}: relative paths resolve against it. The
     * result's {@link HostSpec#specFile()} is null, and messages name the input {@value #STRING_SOURCE}.
     *
     * @throws SpecException with every problem in the spec
     */
    public static HostSpec parse(String yaml, Path baseDir) throws SpecException {
        return onThisHost(STRING_SOURCE, null, baseDir).read(yaml);
    }

    private static SpecParser onThisHost(String source, Path specFile, Path baseDir) {
        return new SpecParser(source, specFile, baseDir, System.getenv(), System.getProperty("user.home"),
                Runtime.getRuntime().availableProcessors());
    }

    private static SpecException fileProblem(String source, String message) {
        return new SpecException(source, List.of(new SpecProblem(0, 0, "", message)));
    }

    HostSpec read(String yaml) throws SpecException {
        Node root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(new CoreSchema())
                    .setCodePointLimit(MAX_SPEC_BYTES).build();
            // The composer recurses once per level: a deep document would overflow the stack, so the depth is
            // measured first on the parser's events, which come one at a time.
            Event tooDeep = firstTooDeep(new Parse(settings).parseString(yaml));
            if (tooDeep != null) {
                problems.at(tooDeep.getStartMark().orElse(null), "", "the YAML nests more than " + MAX_NESTING
                        + " levels deep; a spec needs 5");
                throw new SpecException(source, problems.list());
            }
            root = new Compose(settings).composeString(yaml).orElse(null);
        } catch (MarkedYamlEngineException e) {
            // Malformed YAML leaves no tree to check: this is the only problem reported.
            Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            String context = e.getContext() == null ? "" : " (" + e.getContext()
                    + e.getContextMark().map(m -> " on line " + (m.getLine() + 1)).orElse("") + ")";
            problems.at(mark, "", "YAML syntax error: " + e.getProblem() + context);
            throw new SpecException(source, problems.list());
        } catch (YamlEngineException e) {
            problems.wholeFile("YAML error: " + e.getMessage());
            throw new SpecException(source, problems.list());
        }
        if (root == null) {
            problems.wholeFile("the spec is empty; it needs at least 'version: 1' and 'domains:'");
            throw new SpecException(source, problems.list());
        }
        HostSpec spec = host(root);
        if (problems.count() > 0) {
            throw new SpecException(source, problems.list());
        }
        return spec;
    }

    /** The first collection that opens more than {@value #MAX_NESTING} levels deep, or null. */
    private static Event firstTooDeep(Iterable<Event> events) {
        int depth = 0;
        for (Event event : events) {
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > MAX_NESTING) {
                        return event;
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> {
                }
            }
        }
        return null;
    }

    private HostSpec host(Node root) {
        Section top = Section.of(root, "", problems, ROOT_KEYS);
        Node versionNode = top.require("version", "write 'version: " + HostSpec.VERSION + "' at the top");
        if (versionNode != null) {
            Long version = Values.integer(versionNode, "version", Long.MIN_VALUE, Long.MAX_VALUE,
                    "the number " + HostSpec.VERSION, problems);
            if (version != null && version != HostSpec.VERSION) {
                problems.at(versionNode, "version", "version " + version + " is not supported; this vos reads version "
                        + HostSpec.VERSION);
            }
        }
        ControlPlaneSpec controlPlane = controlPlane(top.section("controlPlane", CONTROL_PLANE_KEYS));
        stateDir = controlPlane.stateDir();
        SupervisorSpec supervisor = limits(top.section("supervisor", SUPERVISOR_KEYS), SupervisorSpec.DEFAULTS);
        List<DomainSpec> domains = domains(top, supervisor);
        unixDirectoriesApart(domains, controlPlane);
        if (problems.count() > 0) {
            return null;
        }
        return new HostSpec(HostSpec.VERSION, specFile, controlPlane, supervisor, domains);
    }

    private ControlPlaneSpec controlPlane(Section section) {
        Path stateDir = StateDirectory.defaultPath(env, userHome);
        if (section.has("stateDir")) {
            Path given = path(section.get("stateDir"), section.field("stateDir"));
            if (given != null) {
                stateDir = given;
                // A missing folder is fine, the control plane creates it; a file in its place is not.
                if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
                    problems.at(section.get("stateDir"), section.field("stateDir"),
                            stateDir + " exists but is not a directory");
                }
            }
        }
        int metricsPort = (int) section.integer("metricsPort", 0, 65535, ControlPlaneSpec.DEFAULT_METRICS_PORT);
        Path metricsSocket = section.has("metricsSocket") ? metricsSocket(section) : null;
        Path tokenFile = section.has("metricsTokenFile") ? metricsTokenFile(section) : null;
        return new ControlPlaneSpec(stateDir, metricsPort, metricsSocket, tokenFile);
    }

    private Path metricsSocket(Section section) {
        Node node = section.get("metricsSocket");
        String field = section.field("metricsSocket");
        if (section.has("metricsPort")) {
            problems.at(node, field, "give metricsPort or metricsSocket, not both: the endpoint listens on one");
            return null;
        }
        Path socket = path(node, field);
        if (socket == null) {
            return null;
        }
        if (socket.getParent() == null || !Files.isDirectory(socket.getParent())) {
            problems.at(node, field, socket.getParent() + " is not an existing directory");
            return null;
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && (Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(socket))) {
            problems.at(node, field, socket + " exists and is not a socket; vos replaces only a stale socket");
            return null;
        }
        return socket;
    }

    private Path metricsTokenFile(Section section) {
        Node node = section.get("metricsTokenFile");
        String field = section.field("metricsTokenFile");
        Path file = path(node, field);
        if (file == null) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            problems.at(node, field, file + (Files.exists(file) ? " is not a regular file" : " does not exist")
                    + "; expected a file holding the bearer token");
            return null;
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                problems.at(node, field, file + " is " + PosixFilePermissions.toString(mode) + ": every local user"
                        + " could read or change the token; chmod o-rw it");
                return null;
            }
        } catch (IOException | UnsupportedOperationException e) {
            problems.at(node, field, file + ": cannot read its mode: " + e.getMessage());
            return null;
        }
        return file;
    }

    /**
     * Restart limits from a {@code supervisor:} or a domain's {@code restart:} section: each field given overrides
     * the one {@code inherited}.
     */
    private SupervisorSpec limits(Section section, SupervisorSpec inherited) {
        int intensity = (int) section.integer("intensity", 0, Integer.MAX_VALUE, inherited.intensity());
        int periodSeconds = (int) section.integer("periodSeconds", 1, Integer.MAX_VALUE, inherited.periodSeconds());
        Section backoff = section.section("backoff", BACKOFF_KEYS);
        long initialMs = backoff.integer("initialMs", 0, Integer.MAX_VALUE, inherited.backoffInitialMs());
        long maxMs = backoff.integer("maxMs", 0, Integer.MAX_VALUE, inherited.backoffMaxMs());
        boolean bothSound = !problems.has(backoff.field("initialMs")) && !problems.has(backoff.field("maxMs"));
        if (bothSound && maxMs < initialMs) {
            // Reported where the operator wrote the offending number; the other one may be inherited.
            if (backoff.has("maxMs")) {
                problems.at(backoff.get("maxMs"), backoff.field("maxMs"), "maxMs " + maxMs + " is less than initialMs "
                        + initialMs + "; the cap must be at least the first delay");
            } else if (backoff.has("initialMs")) {
                problems.at(backoff.get("initialMs"), backoff.field("initialMs"), "initialMs " + initialMs
                        + " is more than the inherited maxMs " + maxMs + "; lower it, or raise maxMs here too");
            }
        }
        long hangTimeoutMs = section.integer("hangTimeoutMs", SupervisorSpec.MIN_HANG_TIMEOUT_MS,
                SupervisorSpec.MAX_HANG_TIMEOUT_MS, inherited.hangTimeoutMs());
        return new SupervisorSpec(intensity, periodSeconds, initialMs, maxMs, hangTimeoutMs);
    }

    private List<DomainSpec> domains(Section top, SupervisorSpec supervisor) {
        Node node = top.require("domains", "list the host's service domains, at least one");
        if (node == null) {
            return List.of();
        }
        List<Node> items = Values.list(node, "domains", "a list of domains", problems);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            problems.at(node, "domains", "the list is empty; a host needs at least one domain");
        }
        if (items.size() > MAX_DOMAINS) {
            // Not read further: each domain costs a supervisor, a process and a JVM, and their problems would
            // bury this one.
            problems.at(node, "domains", items.size() + " domains; a host may have at most " + MAX_DOMAINS);
            return List.of();
        }
        Map<String, Node> names = new HashMap<>();
        List<DomainSpec> domains = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            DomainSpec domain = domain(items.get(i), "domains[" + i + "]", supervisor, names);
            if (domain != null) {
                domains.add(domain);
            }
        }
        return domains;
    }

    /** One domain, or null if it has problems (they are reported). */
    private DomainSpec domain(Node node, String field, SupervisorSpec supervisor, Map<String, Node> names) {
        int problemsBefore = problems.count();
        Section domain = Section.of(node, field, problems, DOMAIN_KEYS);
        String name = name(domain, names);
        Node kindNode = domain.require("kind", "expected one of: " + Values.words(DomainKind.class));
        DomainKind kind = kindNode == null ? null
                : Values.keyword(kindNode, domain.field("kind"), DomainKind.class, "a domain kind", problems);
        BackendKind backend = domain.keyword("backend", BackendKind.class, "a backend", BackendKind.PROCESS);

        Section restart = domain.section("restart", RESTART_KEYS);
        RestartPolicy policy = restart.keyword("policy", RestartPolicy.class, "a restart policy",
                RestartPolicy.PERMANENT);
        SupervisorSpec limits = limits(restart, supervisor);
        long startTimeoutMs = domain.integer("startTimeoutMs", DomainSpec.MIN_START_TIMEOUT_MS,
                DomainSpec.MAX_START_TIMEOUT_MS, DomainSpec.DEFAULT_START_TIMEOUT_MS);
        long stopGraceMs = domain.integer("stopGraceMs", 0, DomainSpec.MAX_STOP_GRACE_MS,
                DomainSpec.DEFAULT_STOP_GRACE_MS);
        ResourcesSpec resources = resources(domain.section("resources", RESOURCES_KEYS));
        Set<Namespace> namespaces = namespaces(domain, kind);
        OptionalInt attachGroup = domain.has("attachGroup")
                ? OptionalInt.of((int) domain.integer("attachGroup", 0, DomainSpec.MAX_GID, 0)) : OptionalInt.empty();
        Set<Capability> capabilities = capabilities(domain);
        boolean standby = standby(domain, backend);

        StorageSpec storage = null;
        if (onlyFor(domain, "storage", kind == DomainKind.STORAGE, kind != null, "kind storage",
                "exportRoot, the directory the domain serves")) {
            storage = storage(domain.section("storage", STORAGE_KEYS));
        }
        NetSpec net = null;
        if (onlyFor(domain, "net", kind == DomainKind.NET, kind != null, "kind net",
                "bind, the addresses the domain may bind")) {
            net = net(domain.section("net", NET_KEYS));
        }
        XenSpec xen = null;
        boolean backendKnown = !problems.has(domain.field("backend"));
        if (onlyFor(domain, "xen", backend == BackendKind.XEN, backendKnown, "backend xen",
                "config, the guest's xl config file")) {
            xen = xen(domain.section("xen", XEN_KEYS));
        }
        if (problems.count() > problemsBefore) {
            return null;
        }
        return new DomainSpec(name, kind, backend, policy, limits, startTimeoutMs, stopGraceMs, resources, namespaces,
                storage, net, xen, attachGroup, capabilities, standby);
    }

    /** {@code standby: true|false}, default {@value DomainSpec#DEFAULT_STANDBY}; only the process backend keeps one. */
    private boolean standby(Section domain, BackendKind backend) {
        Node node = domain.get("standby");
        if (node == null) {
            return DomainSpec.DEFAULT_STANDBY;
        }
        Boolean standby = Values.bool(node, domain.field("standby"), problems);
        if (Boolean.TRUE.equals(standby) && backend != BackendKind.PROCESS) {
            problems.at(node, domain.field("standby"), "a standby is kept for backend process only; remove it or"
                    + " set it to false");
            return false;
        }
        return Boolean.TRUE.equals(standby);
    }

    /**
     * Checks a section that a domain has if and only if it is of some kind or backend, and says whether to read it.
     *
     * @param wanted   the domain is of that kind or backend
     * @param known    its kind or backend could be read (if not, neither presence nor absence is an error)
     * @param which    "kind storage", for messages
     * @param contents what the section holds, for the message when it is missing
     */
    private boolean onlyFor(Section domain, String key, boolean wanted, boolean known, String which, String contents) {
        if (!domain.has(key)) {
            if (wanted) {
                domain.missing(key, "a domain of " + which + " needs '" + key + ":' with " + contents);
            }
            return false;
        }
        if (known && !wanted) {
            problems.at(domain.keyNode(key), domain.field(key), "only a domain of " + which + " has this section");
        }
        return true;     // read it anyway, so that its own problems are reported too
    }

    private String name(Section domain, Map<String, Node> names) {
        Node node = domain.require("name", "expected " + DOMAIN_NAME_RULE);
        if (node == null) {
            return null;
        }
        String field = domain.field("name");
        String name = Values.text(node, field, "a domain name", problems);
        if (name == null) {
            return null;
        }
        if (!DOMAIN_NAME.matcher(name).matches()) {
            problems.at(node, field, Values.quote(name) + " is not a valid domain name; expected " + DOMAIN_NAME_RULE);
            return null;
        }
        Node first = names.putIfAbsent(name, node);
        if (first != null) {
            int firstLine = first.getStartMark().map(m -> m.getLine() + 1).orElse(0);
            problems.at(node, field, Values.quote(name) + " is already the name of the domain on line " + firstLine
                    + "; names must be unique");
        }
        return name;
    }

    private ResourcesSpec resources(Section section) {
        int memoryMb = (int) section.integer("memoryMb", ResourcesSpec.MIN_MEMORY_MB, ResourcesSpec.MAX_MEMORY_MB,
                ResourcesSpec.DEFAULT_MEMORY_MB);
        List<Integer> cpus = new ArrayList<>();
        if (section.has("cpus")) {
            String field = section.field("cpus");
            List<Node> items = Values.list(section.get("cpus"), field, "a list of CPU numbers, like [0, 1]", problems);
            for (int i = 0; items != null && i < items.size(); i++) {
                Node item = items.get(i);
                String itemField = field + "[" + i + "]";
                Long cpu = Values.integer(item, itemField, Long.MIN_VALUE, Long.MAX_VALUE,
                        "a CPU number from 0 to " + (cpuCount - 1), problems);
                if (cpu == null) {
                    continue;
                }
                if (cpu < 0 || cpu >= cpuCount) {
                    problems.at(item, itemField, "CPU " + cpu + " does not exist; this host has " + cpuCount
                            + (cpuCount == 1 ? " CPU, numbered 0" : " CPUs, numbered 0 to " + (cpuCount - 1)));
                } else if (cpus.contains(cpu.intValue())) {
                    problems.at(item, itemField, "CPU " + cpu + " is listed twice");
                } else {
                    cpus.add(cpu.intValue());
                }
            }
        }
        return new ResourcesSpec(memoryMb, cpus);
    }

    private Set<Namespace> namespaces(Section domain, DomainKind kind) {
        if (!domain.has("namespaces")) {
            return DomainSpec.DEFAULT_NAMESPACES;
        }
        String field = domain.field("namespaces");
        List<Node> items = Values.list(domain.get("namespaces"), field,
                "a list of namespaces from: " + Values.words(Namespace.class), problems);
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemField = field + "[" + i + "]";
            Namespace namespace = Values.keyword(items.get(i), itemField, Namespace.class, "a namespace", problems);
            if (namespace == null) {
                continue;
            }
            if (!namespaces.add(namespace)) {
                problems.at(items.get(i), itemField, "'" + Values.word(namespace) + "' is listed twice");
            } else if (namespace == Namespace.NET && kind != null && kind != DomainKind.NET) {
                problems.at(items.get(i), itemField, "'net' is only allowed for domains of kind net; this one is "
                        + Values.word(kind));
            }
        }
        return namespaces;
    }

    /** The capabilities a domain keeps: none unless listed, each from {@link Capability}, none twice. */
    private Set<Capability> capabilities(Section domain) {
        Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        if (!domain.has("capabilities")) {
            return capabilities;
        }
        String field = domain.field("capabilities");
        List<Node> items = Values.list(domain.get("capabilities"), field,
                "a list of capabilities from: " + Values.words(Capability.class), problems);
        for (int i = 0; items != null && i < items.size(); i++) {
            String itemField = field + "[" + i + "]";
            Capability capability = Values.keyword(items.get(i), itemField, Capability.class, "a capability a"
                    + " domain may keep", problems);
            if (capability != null && !capabilities.add(capability)) {
                problems.at(items.get(i), itemField, "'" + Values.word(capability) + "' is listed twice");
            }
        }
        return capabilities;
    }

    private StorageSpec storage(Section section) {
        Node node = section.require("exportRoot", "give the directory the storage domain serves");
        if (node == null) {
            return null;
        }
        String field = section.field("exportRoot");
        Path exportRoot = path(node, field);
        if (exportRoot == null) {
            return null;
        }
        if (!Files.exists(exportRoot)) {
            problems.at(node, field, exportRoot + " does not exist; create it (mkdir -p " + exportRoot
                    + ") or name an existing directory");
            return null;
        }
        if (!Files.isDirectory(exportRoot)) {
            problems.at(node, field, exportRoot + " is not a directory");
            return null;
        }
        String unsafe = ExportRoots.unsafe(exportRoot, stateDir);
        if (unsafe != null) {
            problems.at(node, field, unsafe);
            return null;
        }
        Node special = section.get("allowSpecialFiles");
        Boolean allowSpecialFiles = special == null ? Boolean.FALSE
                : Values.bool(special, section.field("allowSpecialFiles"), problems);
        Node map = section.get("mapReads");
        Boolean mapReads = map == null ? Boolean.TRUE : Values.bool(map, section.field("mapReads"), problems);
        return allowSpecialFiles == null || mapReads == null ? null
                : new StorageSpec(exportRoot, allowSpecialFiles, mapReads);
    }

    private NetSpec net(Section section) {
        Node node = section.require("bind", "give the addresses the domain may bind, like [127.0.0.1, \"::1\"]");
        if (node == null) {
            return null;
        }
        String field = section.field("bind");
        List<Node> items = Values.list(node, field, "a list of IP addresses", problems);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            problems.at(node, field, "the list is empty; name at least one address the domain may bind");
        }
        List<InetAddress> bind = new ArrayList<>();
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String itemField = field + "[" + i + "]";
            String text = Values.text(items.get(i), itemField, "an IP address", problems);
            InetAddress address = text == null ? null : ipLiteral(text);
            if (text != null && address == null) {
                problems.at(items.get(i), itemField, Values.quote(text)
                        + " is not an IP address; expected an IPv4 (127.0.0.1) or IPv6 (\"::1\") literal, not a name"
                        + (text.contains("%") ? "; the zone after '%' must be an interface of this host" : ""));
            } else if (address != null && !seen.add(address)) {
                problems.at(items.get(i), itemField, Values.quote(text) + " is listed twice");
            } else if (address != null) {
                bind.add(address);
            }
        }
        return new NetSpec(bind, section.has("unix") ? unix(section) : List.of());
    }

    /**
     * A net domain's {@code unix}: directories of their own for its clients' Unix domain sockets. Not a system
     * directory or inside a tree of the kernel's or the host's configuration (as an export root may not be), not the
     * state directory or beside it, and no comma (the agent's option separates directories with commas). The
     * domain checks at start who may change them (docs/network.md).
     */
    private List<Path> unix(Section section) {
        String field = section.field("unix");
        List<Node> items = Values.list(section.get("unix"), field, "a list of directories", problems);
        if (items == null) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String itemField = field + "[" + i + "]";
            Path dir = path(items.get(i), itemField);
            if (dir == null) {
                continue;
            }
            String why = unsafeUnixDirectory(dir);
            if (why != null) {
                problems.at(items.get(i), itemField, why);
            } else if (dirs.contains(dir)) {
                problems.at(items.get(i), itemField, dir + " is listed twice");
            } else {
                dirs.add(dir);
            }
        }
        return dirs;
    }

    /** Why {@code dir} may not hold a net domain's Unix domain sockets, or null. */
    private String unsafeUnixDirectory(Path dir) {
        if (dir.toString().contains(",")) {
            return dir + " has a comma, which the domain's option cannot carry; rename it";
        }
        for (Path system : ExportRoots.SYSTEM_DIRECTORIES) {
            if (system.startsWith(dir)) {
                return dir + " is or holds the system directory " + system + "; give a directory of its own, such"
                        + " as /run/vos/NAME";
            }
        }
        for (Path tree : ExportRoots.SYSTEM_TREES) {
            if (dir.startsWith(tree)) {
                return dir + " is inside " + tree + "; give a directory of its own, such as /run/vos/NAME";
            }
        }
        if (ExportRoots.overlap(dir, stateDir) != null) { // by the state directory's real path, as for an export
            return dir + " overlaps the control plane's state directory " + stateDir + ": a client could take the"
                    + " name of a domain's socket; give a directory of its own";
        }
        return null;
    }

    /**
     * No net domain's Unix socket directory may overlap a storage domain's export root (the storage domain's clients
     * could then remove, rename or replace the sockets' files) or another net domain's, nor hold the control plane's
     * metrics socket (the net domain's clients would reach it with the domain's rights).
     */
    private void unixDirectoriesApart(List<DomainSpec> domains, ControlPlaneSpec controlPlane) {
        for (DomainSpec net : domains) {
            if (net.net() == null) {
                continue;
            }
            for (Path dir : net.net().unix()) {
                Path metrics = controlPlane.metricsSocket();
                if (metrics != null && metrics.toAbsolutePath().normalize().startsWith(dir)) {
                    problems.wholeFile("domain " + net.name() + ": net.unix " + dir + " holds the control plane's"
                            + " metrics socket " + metrics + ", which the domain's clients would reach; give a"
                            + " directory of its own");
                }
                for (DomainSpec other : domains) {
                    Path root = other.storage() == null ? null : other.storage().exportRoot();
                    if (root != null && (dir.startsWith(root) || root.startsWith(dir))) {
                        problems.wholeFile("domain " + net.name() + ": net.unix " + dir + " overlaps the export root "
                                + root + " of domain " + other.name() + ", whose clients could replace its"
                                + " sockets' files; give a directory of its own");
                    }
                    // Each domain takes back the names it finds left behind: two in one directory would take each
                    // other's. Reported once, from the first of the two in the spec's order.
                    List<Path> theirs = other.net() == null || domains.indexOf(other) <= domains.indexOf(net)
                            ? List.of() : other.net().unix();
                    for (Path their : theirs) {
                        if (dir.startsWith(their) || their.startsWith(dir)) {
                            problems.wholeFile("domains " + net.name() + " and " + other.name() + ": net.unix " + dir
                                    + " and " + their + " overlap; each net domain needs directories of its own");
                        }
                    }
                }
            }
        }
    }

    /**
     * The address {@code text} is a literal of, or null. Never a DNS lookup. IPv4 must be a dotted quad: the legacy
     * forms {@code InetAddress} also takes ({@code 127.1}, {@code 10}) read as typos in a spec.
     */
    private static InetAddress ipLiteral(String text) {
        if (!text.contains(":") && !DOTTED_QUAD.matcher(text).matches()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private XenSpec xen(Section section) {
        Node node = section.require("config", "give the path of the guest's xl config file");
        if (node == null) {
            return null;
        }
        String field = section.field("config");
        Path config = path(node, field);
        if (config == null) {
            return null;
        }
        if (!Files.isRegularFile(config)) {
            problems.at(node, field, config + (Files.exists(config) ? " is not a regular file" : " does not exist")
                    + "; expected the guest's xl config file");
            return null;
        }
        return new XenSpec(config);
    }

    /** A path from the spec, absolute, a relative one resolved against the spec's folder; null if invalid. */
    private Path path(Node node, String field) {
        String text = Values.text(node, field, "a path", problems);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            problems.at(node, field, "the path is empty");
            return null;
        }
        if (text.startsWith("~")) {
            // The shell expands '~', a YAML file does not; a folder named '~' would be a surprise.
            problems.at(node, field, Values.quote(text) + ": '~' is not expanded; write an absolute path or one "
                    + "relative to the spec's folder (" + baseDir + ")");
            return null;
        }
        try {
            return baseDir.resolve(Path.of(text)).normalize();
        } catch (InvalidPathException e) {
            problems.at(node, field, Values.quote(text) + " is not a valid path: " + e.getReason());
            return null;
        }
    }
}
