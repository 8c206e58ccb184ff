package dev.vos.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules that hold vos's shape. {@link ArchitectureTest} checks them on every main class of every module;
 * {@link RulesCanFailTest} shows that each one fails on a class that breaks it. Each says why it exists: the
 * message of a failure is the first thing whoever broke it reads.
 *
 * <p>The classes are bytecode, and javac copies a compile-time constant ({@code static final int O_RDONLY = 0})
 * into the class that uses it: a dependency made only of constants leaves no trace there. Contracts between
 * modules are mostly constants (call numbers, flags), so {@link SourceImportsTest} checks the same boundaries,
 * and cycles, on the {@code import} lines of the sources.
 */
final class VosRules {

    /** Every package its own slice: a cycle between any two packages of vos, in any module, fails. */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("dev.vos.(**)").namingSlices("dev.vos.$1")
            .should().beFreeOfCycles()
            .because("packages in a cycle are one unit: none of them can be read, tested or moved into a module of"
                    + " its own without the others");

    /**
     * The packages the bottom of vos and what an application links may use, by package prefix: the JDK's
     * ({@code java}; and for the client {@code jdk.net}, the JDK's extended socket options, which its channels
     * serve as the default provider's do) and the layers beneath. One table for both checks, on classes
     * ({@link ArchitectureTest}) and on source imports ({@link SourceImportsTest}).
     */
    static final Map<String, List<String>> MAY_USE = Map.of(
            "dev.vos.sys", List.of("java", "dev.vos.sys"),
            "dev.vos.ring", List.of("java", "dev.vos.ring", "dev.vos.sys"),
            "dev.vos.storage.protocol", List.of("java", "dev.vos.storage.protocol", "dev.vos.ring", "dev.vos.sys"),
            "dev.vos.client", List.of("java", "jdk.net", "dev.vos.client", "dev.vos.storage.protocol",
                    "dev.vos.net.protocol", "dev.vos.ring", "dev.vos.sys"),
            "dev.vos.net.protocol", List.of("java", "dev.vos.net.protocol", "dev.vos.ring", "dev.vos.sys"),
            "dev.vos.net.domain", List.of("java", "dev.vos.net.domain", "dev.vos.net.protocol", "dev.vos.ring",
                    "dev.vos.sys"));

    static final ArchRule SYS_IS_THE_BOTTOM = onlyUses("dev.vos.sys",
            "dev.vos.sys (raw system calls and errno values) is the bottom layer that the ring, the storage"
                    + " domain and the perf counters all use: it depends on the JDK alone");

    static final ArchRule RING_USES_ONLY_SYS = onlyUses("dev.vos.ring",
            "the ring is under every vos module and on every application's class path: it may use the"
                    + " system-call layer and the JDK, nothing of vos above it and no third-party library");

    static final ArchRule CLIENT_LINKS_ONLY_RING_PROTOCOL_SYS = onlyUses("dev.vos.client",
            "an application that uses vos:// or the net domain's channels links vos-client with vos-ring,"
                    + " vos-storage-protocol, vos-net-protocol and vos-sys only: the control plane, the vos command,"
                    + " the backends, the storage and net domains, the perf counters and every third-party library"
                    + " stay off its class path");

    static final ArchRule PROTOCOL_LINKS_ONLY_RING_SYS = onlyUses("dev.vos.storage.protocol",
            "the storage protocol is the contract the client and the storage domain share, and it is on"
                    + " every application's class path: it may name the ring and errno values, nothing above them"
                    + " and no third-party library");

    static final ArchRule NET_PROTOCOL_LINKS_ONLY_RING_SYS = onlyUses("dev.vos.net.protocol",
            "the net protocol is the contract the client and the network domain share, and it is on every"
                    + " application's class path: it may name the ring and errno values, nothing above them and no"
                    + " third-party library");

    static final ArchRule NET_DOMAIN_USES_ONLY_ITS_PROTOCOL_RING_SYS = onlyUses("dev.vos.net.domain",
            "the network domain is a service domain of its own: it executes the net protocol's calls with the ring"
                    + " and sys, and shares nothing with the storage domain, the control plane or the client");

    static final ArchRule PROTOCOL_MAKES_NO_SYSTEM_CALLS = noClasses()
            .that().resideInAnyPackage("dev.vos.storage.protocol..", "dev.vos.net.protocol..")
            .should().dependOnClassesThat().haveNameMatching("dev\\.vos\\.sys\\.Linux(\\$.*)?")
            .because("a protocol says what a call means; executing it is its domain's job (StorageSyscalls,"
                    + " NetSyscalls), so nothing in a protocol makes a system call");

    static final ArchRule ONLY_THE_XEN_BACKEND_LOADS_JNA = noClasses()
            .that().resideOutsideOfPackage("dev.vos.backend.xen..")
            .should().dependOnClassesThat().resideInAPackage("com.sun.jna..")
            .because("only the Xen backend binds libxl, through JNA; the control plane finds it through"
                    + " ServiceLoader, so a host without Xen never loads JNA or libxl");

    /**
     * The ring's client and server run over any transport: they use the SPI ({@code dev.vos.ring.transport}) only.
     * {@code RingClient} and {@code RingServer} keep the process transport's convenience factories (a segment file,
     * a sealed memfd), so they alone may name it.
     */
    static final ArchRule RING_CORE_USES_TRANSPORT_SPI_ONLY = noClasses()
            .that().resideInAnyPackage("dev.vos.ring.client..", "dev.vos.ring.server..")
            .and().doNotHaveFullyQualifiedName("dev.vos.ring.client.RingClient")
            .and().doNotHaveFullyQualifiedName("dev.vos.ring.server.RingServer")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.vos.ring.transport.process..", "dev.vos.ring.transport.xen..")
            .because("the ring's client and server are written against the transport SPI (a segment, a doorbell,"
                    + " a peer watch), so that a second transport (Xen: grants and an event channel) needs no change"
                    + " to them; only RingClient's and RingServer's process-transport factories name an"
                    + " implementation");

    /** A transport sits under the ring's client, server and agent. */
    static final ArchRule TRANSPORTS_STAY_UNDER_THE_RING = noClasses()
            .that().resideInAPackage("dev.vos.ring.transport..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.vos.ring.client..", "dev.vos.ring.server..", "dev.vos.ring.agent..")
            .because("a transport only shares bytes and wakes the other side: the ring's client, server and agent"
                    + " use it, never the other way round");

    static final ArchRule EACH_PACKAGE_IN_ONE_ARTIFACT = classes().that().resideInAPackage("dev.vos..")
            .should(new ComeFromOneArtifactPerPackage())
            .because("a package split across jars cannot be a module (the module path refuses it), and a class put"
                    + " into another module's package to reach its package-private members goes around what that"
                    + " module exports");

    private VosRules() {
    }

    private static ArchRule onlyUses(String packagePrefix, String because) {
        return classes().that().resideInAPackage(packagePrefix + "..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage(MAY_USE.get(packagePrefix).stream().map(p -> p + "..").toArray(String[]::new))
                .because(because);
    }

    /**
     * The jar or classes folder a class was read from: its source URI less the class's own path and the URI's
     * scheme, such as {@code /…/vos-ring-0.1.0-SNAPSHOT.jar} or {@code /…/ring/target/classes}.
     */
    static String artifactOf(JavaClass javaClass) {
        String uri = javaClass.getSource().map(s -> s.getUri().toString()).orElse("(no source)");
        String own = javaClass.getName().replace('.', '/') + ".class";
        String root = uri.endsWith(own) ? uri.substring(0, uri.length() - own.length()) : uri;
        return root.replaceFirst("^jar:", "").replaceFirst("^file:", "").replaceFirst("!?/$", "");
    }

    /** Fails each class whose package also has classes read from another jar or classes folder. */
    private static final class ComeFromOneArtifactPerPackage extends ArchCondition<JavaClass> {

        private final Map<String, Set<String>> artifactsByPackage = new HashMap<>();

        ComeFromOneArtifactPerPackage() {
            super("come from the same artifact as every other class of their package");
        }

        @Override
        public void init(Collection<JavaClass> allObjectsToTest) {
            artifactsByPackage.clear();
            for (JavaClass c : allObjectsToTest) {
                artifactsByPackage.computeIfAbsent(c.getPackageName(), p -> new TreeSet<>()).add(artifactOf(c));
            }
        }

        @Override
        public void check(JavaClass item, ConditionEvents events) {
            Set<String> artifacts = artifactsByPackage.getOrDefault(item.getPackageName(), Set.of());
            if (artifacts.size() > 1) {
                events.add(SimpleConditionEvent.violated(item, item.getName() + " is read from "
                        + artifactOf(item) + ", but package " + item.getPackageName() + " is split across "
                        + artifacts));
            }
        }
    }
}
