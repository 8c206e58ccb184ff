package dev.vos.architecture;

import dev.vos.client.DomainClient;
import dev.vos.client.fs.StorageDomain;
import dev.vos.net.protocol.NetCalls;
import dev.vos.ring.client.RingClient;
import dev.vos.storage.protocol.StorageCalls;
import dev.vos.sys.Linux;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an application needs for {@code vos://} paths and the net domain's channels is five jars: vos-client,
 * vos-ring, vos-storage-protocol, vos-sys and vos-net-protocol (the client's descriptor requires it), as the build
 * made them. A plain JVM with only those (and one class of its own) on its class path, and
 * then on its module path, reads and writes files of a live storage domain through {@code java.nio.file}; and
 * {@code jdeps} finds nothing else in the client jar's dependencies but the JDK.
 */
@Timeout(120)
class ClientAloneTest {

    @TempDir
    static Path dir;
    private static StorageDomain domain;
    /**
     * client, ring, storage protocol, sys, net protocol: the jars on this test's own class path, which the reactor
     * just built.
     */
    private static List<Path> jars;
    /** A folder holding {@link ClientAloneMain}'s class file and nothing else. */
    private static Path mainClassFolder;

    @BeforeAll
    static void up() throws Exception {
        jars = List.of(jarOf(DomainClient.class), jarOf(RingClient.class), jarOf(StorageCalls.class),
                jarOf(Linux.class), jarOf(NetCalls.class));
        mainClassFolder = Files.createDirectories(dir.resolve("app"));
        String classFile = ClientAloneMain.class.getName().replace('.', '/') + ".class";
        try (InputStream in = ClientAloneMain.class.getClassLoader().getResourceAsStream(classFile)) {
            Path target = mainClassFolder.resolve(classFile);
            Files.createDirectories(target.getParent());
            Files.write(target, in.readAllBytes());
        }
        domain = StorageDomain.start(dir.resolve("host"));
        long bytes = 0;
        for (Path jar : jars) {
            bytes += Files.size(jar);
        }
        System.out.println("the client's class path: " + jars.size() + " jars, " + bytes + " bytes: "
                + jars.stream().map(j -> j.getFileName().toString()).collect(Collectors.joining(" ")));
    }

    @AfterAll
    static void down() throws Exception {
        if (domain != null) {
            domain.close();
        }
    }

    @Test
    void aJvmWithTheFiveJarsOnItsClassPath_usesVosPathsThroughJavaNioFile() throws Exception {
        List<String> out = runAlone("classpath", List.of("--enable-native-access=ALL-UNNAMED", "-cp",
                classPath(jars, mainClassFolder)));
        assertEquals(expected("null"), out);
        assertEquals("hello from a JVM with five vos jars\n",
                Files.readString(domain.exportRoot().resolve("classpath/hello.txt")), "the file on the real disk");
    }

    /** On the module path the descriptors are what counts: exports, requires, and the provider the client declares. */
    @Test
    void aJvmWithTheFiveJarsOnItsModulePath_findsTheProviderThroughTheClientsDescriptor() throws Exception {
        List<String> out = runAlone("modulepath", List.of("--enable-native-access=dev.vos.sys",
                "--module-path", classPath(jars), "-cp", mainClassFolder.toString()));
        assertEquals(expected("dev.vos.client"), out);
        assertTrue(Files.exists(domain.exportRoot().resolve("modulepath/hello.txt")));
    }

    /** jdeps on the built jars: the client needs the ring, the two protocols, sys and JDK modules, nothing else. */
    @Test
    void jdeps_theClientJarNeedsOnlyTheRingProtocolsSysAndTheJdk() {
        String modulePath = classPath(jars.subList(1, jars.size()));
        String clientJar = jars.getFirst().toString();
        // -s lists the client's own edges (--print-module-deps would leave out the ring, implied by the
        // protocol's 'requires transitive')
        List<String> needed = summary("--module-path", modulePath, clientJar).stream()
                .map(edge -> edge.substring(edge.indexOf("-> ") + 3)).toList();
        List<String> vos = needed.stream().filter(m -> m.startsWith("dev.vos.")).sorted().toList();
        List<String> others = needed.stream().filter(m -> !m.startsWith("dev.vos.")).toList();
        assertEquals(List.of("dev.vos.net.protocol", "dev.vos.ring", "dev.vos.storage.protocol", "dev.vos.sys"), vos,
                String.join(",", needed));
        assertTrue(others.stream().allMatch(m -> ModuleFinder.ofSystem().find(m).isPresent()),
                "not JDK modules: " + others);
        assertEquals("", jdeps("--missing-deps", "--module-path", modulePath, clientJar).strip(),
                "classes the client jar uses that none of the five jars nor the JDK has");
        // and beneath it: the ring needs sys, the protocol the ring, sys the JDK alone
        assertEquals(List.of("dev.vos.ring -> dev.vos.sys", "dev.vos.ring -> java.base"),
                summary("--module-path", jars.get(3).toString(), jars.get(1).toString()));
        assertEquals(List.of("dev.vos.storage.protocol -> dev.vos.ring", "dev.vos.storage.protocol -> java.base"),
                summary("--module-path", classPath(List.of(jars.get(1), jars.get(3))), jars.get(2).toString()));
        assertEquals(List.of("dev.vos.sys -> java.base"), summary(jars.get(3).toString()));
        assertEquals(List.of("dev.vos.net.protocol -> dev.vos.ring", "dev.vos.net.protocol -> java.base"),
                summary("--module-path", classPath(List.of(jars.get(1), jars.get(3))), jars.get(4).toString()));
    }

    /**
     * The client jar is also an agent (its manifest's {@code Premain-Class}): with {@code -javaagent} it reads the
     * mount table before main, so a JVM with a bad table runs none of its program and says every problem.
     */
    @Test
    void theClientJarAsAnAgent_stopsAJvmWithABadMountTable_beforeMain() throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + jars.getFirst(),
                "-Djava.nio.file.spi.DefaultFileSystemProvider=dev.vos.client.fs.mount.MountedFileSystemProvider",
                "-Dvos.mounts=srv/data storage0:/", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath(jars, mainClassFolder), ClientAloneMain.class.getName(), "vos://storage0/agent");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the plain JVM did not finish");
        assertEquals(1, process.exitValue(), out);
        assertEquals(List.of("vos: the mount table has problems, so no path is served:",
                "-Dvos.mounts:1:1: prefix 'srv/data': not absolute (it must start with '/')"),
                out.lines().filter(l -> !l.startsWith("Picked up ")).toList());
        assertTrue(Files.notExists(domain.exportRoot().resolve("agent")), "the program never ran");
    }

    /** What ClientAloneMain prints, its provider's class in {@code module} ("null": the unnamed module). */
    private static List<String> expected(String module) {
        return List.of("provider=dev.vos.client.fs.VosFileSystemProvider", "module=" + module,
                "read=hello from a JVM with five vos jars", "size=36", "list=hello.txt,third.txt", "exists=false",
                "done");
    }

    /** Runs {@link ClientAloneMain} on {@code vos://storage0/FOLDER} with {@code options}; its output lines. */
    private static List<String> runAlone(String folder, List<String> options) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "-Dvos.stateDir=" + domain.plane().stateDir()));
        command.addAll(options);
        command.addAll(List.of(ClientAloneMain.class.getName(), "vos://" + StorageDomain.NAME + "/" + folder));
        Path err = dir.resolve(folder + ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the plain JVM did not finish");
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + out + stderr);
        // Nothing on standard error but the launcher's note of options from the environment: a restricted-method
        // warning here would mean the native access went to the wrong module.
        assertEquals(List.of(), stderr.lines().filter(l -> !l.startsWith("Picked up ")).toList(),
                "the plain JVM complained");
        return out.lines().toList();
    }

    /** The jar a class was loaded from: one of the reactor's target/*.jar, never a folder or a local repository. */
    private static Path jarOf(Class<?> type) throws URISyntaxException {
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path repository = Path.of(System.getProperty("vos.repository")).toAbsolutePath();
        assertTrue(jar.toString().endsWith(".jar") && jar.startsWith(repository)
                        && jar.getParent().getFileName().toString().equals("target"),
                type.getName() + " came from " + jar + ", not from a jar this build made (run with -am)");
        return jar;
    }

    private static String classPath(List<Path> paths, Path... more) {
        List<String> all = new ArrayList<>(paths.stream().map(Path::toString).toList());
        Arrays.stream(more).map(Path::toString).forEach(all::add);
        return String.join(java.io.File.pathSeparator, all);
    }

    private static List<String> summary(String... args) {
        List<String> full = new ArrayList<>(List.of("-s"));
        full.addAll(List.of(args));
        return jdeps(full.toArray(String[]::new)).lines().map(String::strip).toList();
    }

    private static String jdeps(String... args) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, status, "jdeps " + String.join(" ", args) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
